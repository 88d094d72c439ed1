"""Webhooks: an organization's endpoints, the events queued for them, and what became of
each attempt.

An event is one outbox row per subscribed endpoint (channel "webhook", the endpoint's id
as recipient), written in the transaction that caused it, with a dedupe key naming the
endpoint, the event and its subject: so each event reaches each endpoint once, under the
outbox's leases, retries and backoff, and the key is the idempotency key the receiver sees
on every retry. The body is composed when it is sent, from the rows as they are then: a
signer who withdrew before their confirmation went out is never sent at all.

An endpoint whose every attempt has failed for WEBHOOK_DISABLE_AFTER_HOURS, over at least
WEBHOOK_DISABLE_AFTER_EVENTS events, is turned off and the admins are told by email.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from app.clock import utcnow
from app.extensions import db
from app.i18n import N_
from app.models import (
    Campaign,
    Delivery,
    DeliveryChannel,
    DeliveryKind,
    Letter,
    Milestone,
    Organizer,
    Response,
    Role,
    Signature,
    SignatureStatus,
    Target,
    WebhookAttempt,
    WebhookEndpoint,
    WebhookEvent,
)
from app.services import audit
from app.services.api import osdi
from app.services.delivery import outbox
from app.services.errors import ChorusError
from app.services.unit_of_work import unit_of_work
from app.urls import external_url
from app.webhooks.client import WebhookRequest

ATTEMPTS_SHOWN = 100


class EndpointRefused(ChorusError):
    message = N_("A webhook endpoint must be an https:// URL, with at least one event.")


# Registering ----------------------------------------------------------------------------


def register_endpoint(url: str, events: list[str], created_by: Organizer) -> WebhookEndpoint:
    """Add an endpoint for these events, with a new signing secret."""
    url = url.strip()
    if not _acceptable(url) or not events or any(e not in WebhookEvent.ALL for e in events):
        raise EndpointRefused()
    with unit_of_work():
        endpoint = WebhookEndpoint(
            url=url,
            secret="whsec_" + secrets.token_urlsafe(32),
            events=" ".join(e for e in WebhookEvent.ALL if e in events),
            created_by_id=created_by.id,
        )
        db.session.add(endpoint)
        db.session.flush()
        audit.record(created_by, "webhook.create", endpoint, url=url, events=endpoint.events)
    return endpoint


def _acceptable(url: str) -> bool:
    """HTTPS to a named host; plain HTTP to this machine only where the config allows it
    (tests and development, whose receivers run locally)."""
    parts = urlsplit(url)
    if len(url) > 500 or not parts.hostname:
        return False
    if parts.scheme == "https":
        return True
    local = parts.hostname in ("127.0.0.1", "localhost")
    return parts.scheme == "http" and local and current_app.config["WEBHOOK_ALLOW_LOCAL_HTTP"]


def set_active(endpoint: WebhookEndpoint, active: bool, changed_by: Organizer) -> None:
    """Turn an endpoint on or off by hand (on again clears why Chorus turned it off)."""
    with unit_of_work():
        endpoint.active = active
        endpoint.disabled_reason = ""
        audit.record(changed_by, "webhook.enable" if active else "webhook.disable", endpoint)


def all_endpoints() -> list[WebhookEndpoint]:
    return list(db.session.scalars(sa.select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def attempts(endpoint: WebhookEndpoint) -> list[WebhookAttempt]:
    """The endpoint's latest attempts, newest first."""
    return list(
        db.session.scalars(
            sa.select(WebhookAttempt)
            .where(WebhookAttempt.endpoint_id == endpoint.id)
            .order_by(WebhookAttempt.id.desc())
            .limit(ATTEMPTS_SHOWN)
        )
    )


# Queueing events ------------------------------------------------------------------------


def emit(event: str, subject_id: int, campaign_id: int, signature_id: int | None = None) -> None:
    """Queue an event about a subject (a signature, letter delivery, response or milestone)
    to every endpoint that wants it, in the caller's transaction."""
    endpoints = db.session.scalars(
        sa.select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))
    ).all()
    for endpoint in endpoints:
        if endpoint.wants(event):
            outbox.enqueue(
                DeliveryKind.WEBHOOK,
                f"webhook:{endpoint.id}:{event}:{subject_id}",
                str(endpoint.id),
                channel=DeliveryChannel.WEBHOOK,
                campaign_id=campaign_id,
                signature_id=signature_id,
            )


# Composing ------------------------------------------------------------------------------


def compose(delivery: Delivery) -> WebhookRequest | None:
    """The signed request for a webhook row, or None when its endpoint is off or what it
    was about is gone (a signer who withdrew is not announced as confirmed)."""
    _, endpoint_id, event, subject_id = delivery.dedupe_key.split(":")
    endpoint = db.session.get(WebhookEndpoint, int(endpoint_id))
    campaign = db.session.get(Campaign, delivery.campaign_id)
    if endpoint is None or not endpoint.active or campaign is None:
        return None
    data = _DATA[event](int(subject_id), campaign)
    if data is None:
        return None
    body = {
        "id": f"{event}:{subject_id}",
        "type": event,
        "created": osdi.iso(delivery.created_at),
        "campaign": {
            "slug": campaign.slug,
            "_links": {"self": {"href": external_url("api_v1.campaign", slug=campaign.slug)}},
        },
        "data": data,
    }
    return WebhookRequest(
        url=endpoint.url,
        secret=endpoint.secret,
        body=json.dumps(body).encode(),
        event=event,
        idempotency_key=delivery.dedupe_key,
    )


def _signature_confirmed(signature_id: int, campaign: Campaign) -> dict[str, Any] | None:
    signature = db.session.get(Signature, signature_id)
    if signature is None or signature.status != SignatureStatus.CONFIRMED:
        return None
    return {"signature": osdi.signature(signature, osdi.links(campaign.slug))}


def _signature_withdrawn(signature_id: int, campaign: Campaign) -> dict[str, Any]:
    # Only the id: the signer's data is erased, and the CRM knows them by it.
    return {"signature": {"identifiers": [f"chorus:{signature_id}"], "id": signature_id}}


def _letter_delivered(delivery_id: int, campaign: Campaign) -> dict[str, Any] | None:
    sent = db.session.get(Delivery, delivery_id)
    if sent is None or sent.letter_id is None:
        return None
    letter = db.session.get(Letter, sent.letter_id)
    target = sent.target_id and db.session.get(Target, sent.target_id)
    return {
        "letter": {"id": letter.id, "signature_id": letter.signature_id},
        "target": _target(target) if target else None,
        "sent_at": osdi.iso(sent.sent_at),
    }


def _response_posted(response_id: int, campaign: Campaign) -> dict[str, Any] | None:
    response = db.session.get(Response, response_id)
    if response is None or not response.published:
        return None
    return {
        "response": {
            "id": response.id,
            "body": response.body,
            "author_name": response.author_name,
            "posted_at": osdi.iso(response.created_at),
            "target": _target(response.target),
        }
    }


def _milestone_reached(milestone_id: int, campaign: Campaign) -> dict[str, Any] | None:
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None:
        return None
    return {
        "milestone": {
            "count": milestone.threshold,
            "label": milestone.label,
            "count_at_reach": milestone.count_at_reach,
            "reached_at": osdi.iso(milestone.reached_at),
        }
    }


def _target(target: Target) -> dict[str, str]:
    return {
        "name": target.name,
        "title": target.title,
        "state": target.state,
        "district": target.district,
    }


_DATA = {
    WebhookEvent.SIGNATURE_CONFIRMED: _signature_confirmed,
    WebhookEvent.SIGNATURE_WITHDRAWN: _signature_withdrawn,
    WebhookEvent.LETTER_DELIVERED: _letter_delivered,
    WebhookEvent.RESPONSE_POSTED: _response_posted,
    WebhookEvent.MILESTONE_REACHED: _milestone_reached,
}


# Attempts -------------------------------------------------------------------------------


def record_attempt(
    request: WebhookRequest, ok: bool, status_code: int = 0, error: str = ""
) -> None:
    """Log one attempt for the endpoint's page; after a failure, turn the endpoint off if
    it has failed persistently (and tell the admins)."""
    _, endpoint_id, event, _ = request.idempotency_key.split(":")
    with unit_of_work():
        delivery_id = db.session.scalar(
            sa.select(Delivery.id).where(Delivery.dedupe_key == request.idempotency_key)
        )
        attempt = WebhookAttempt(
            endpoint_id=int(endpoint_id),
            delivery_id=delivery_id,
            event=event,
            ok=ok,
            status_code=status_code,
            error=error[:500],
        )
        db.session.add(attempt)
        db.session.flush()
        if not ok:
            _disable_if_failing(int(endpoint_id), attempt)


def _disable_if_failing(endpoint_id: int, attempt: WebhookAttempt) -> None:
    config = current_app.config
    last_success = (
        sa.select(sa.func.max(WebhookAttempt.id))
        .where(WebhookAttempt.endpoint_id == endpoint_id, WebhookAttempt.ok.is_(True))
        .scalar_subquery()
    )
    failures = db.session.execute(
        sa.select(
            sa.func.count(sa.distinct(WebhookAttempt.delivery_id)),
            sa.func.min(WebhookAttempt.attempted_at),
        ).where(
            WebhookAttempt.endpoint_id == endpoint_id,
            WebhookAttempt.id > sa.func.coalesce(last_success, 0),
        )
    ).one()
    events, since = failures
    failing_for = timedelta(hours=config["WEBHOOK_DISABLE_AFTER_HOURS"])
    if events < config["WEBHOOK_DISABLE_AFTER_EVENTS"] or utcnow() - since < failing_for:
        return
    changed = db.session.execute(
        sa.update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.active.is_(True))
        .values(
            active=False,
            disabled_reason=(
                f"every attempt failed since {since:%Y-%m-%d %H:%M} UTC ({events} events); "
                f"last: {attempt.error or attempt.status_code}"
            )[:300],
        )
    ).rowcount
    if not changed:
        return
    admins = db.session.scalars(
        sa.select(Organizer).where(Organizer.active.is_(True), Organizer.role == Role.ADMIN)
    )
    for admin in admins:
        outbox.enqueue(
            DeliveryKind.WEBHOOK_DISABLED,
            f"webhook_disabled:{endpoint_id}:{attempt.id}:{admin.id}",
            admin.email,
        )


def disabled_endpoint(delivery: Delivery) -> WebhookEndpoint | None:
    """The endpoint a webhook_disabled email is about."""
    return db.session.get(WebhookEndpoint, int(delivery.dedupe_key.split(":")[1]))
