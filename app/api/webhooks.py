"""Provider webhooks: SendGrid tells us what happened to the mail we sent."""

import logging

from flask import current_app, request

from app.api import bp
from app.extensions import csrf
from app.services.delivery import provider_events

log = logging.getLogger(__name__)

# SendGrid posts events in batches that can exceed the site-wide request size limit.
MAX_WEBHOOK_BYTES = 8 * 1024 * 1024


@bp.post("/webhooks/sendgrid")
@csrf.exempt
def sendgrid_events():
    """Apply a signed batch of SendGrid delivery events to the outbox."""
    request.max_content_length = MAX_WEBHOOK_BYTES
    body = request.get_data(cache=False)
    try:
        provider_events.verify_signature(
            current_app.config["SENDGRID_WEBHOOK_PUBLIC_KEY"],
            body,
            request.headers.get(provider_events.SIGNATURE_HEADER, ""),
            request.headers.get(provider_events.TIMESTAMP_HEADER, ""),
            current_app.config["SENDGRID_WEBHOOK_MAX_AGE"],
        )
        events = provider_events.parse_events(body)
    except provider_events.WebhookRejected as error:
        log.warning("SendGrid webhook rejected: %s", error)
        return {"error": str(error)}, 403
    applied = provider_events.apply_events(events)
    return {
        "received": applied.received,
        "applied": applied.new,
        "duplicates": applied.duplicates,
        "ignored": applied.ignored,
    }
