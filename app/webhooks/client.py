"""Posting a signed webhook, with answers sorted into temporary and permanent errors.

Signed like Stripe's: `Chorus-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of
"<t>.<body>" under the endpoint's secret>`, so a receiver can check both who sent it and
that it is fresh (docs/api.md shows how). The idempotency key stays the same on every
retry of one event to one endpoint, so a receiver can drop repeats.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from http.client import HTTPException
from urllib.error import HTTPError, URLError
from urllib.request import HTTPRedirectHandler, Request, build_opener

from app.mail.errors import PermanentDeliveryError, TemporaryDeliveryError

SIGNATURE_HEADER = "Chorus-Signature"
IDEMPOTENCY_HEADER = "Chorus-Idempotency-Key"
EVENT_HEADER = "Chorus-Event"


@dataclass(frozen=True)
class WebhookRequest:
    url: str
    secret: str
    body: bytes
    event: str
    idempotency_key: str


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    """The Chorus-Signature value for body sent at timestamp (Unix seconds)."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class _NoRedirects(HTTPRedirectHandler):
    # A redirect would resend the event somewhere the organization never registered.
    def redirect_request(self, *args, **kwargs):
        return None


_opener = build_opener(_NoRedirects)


def post(request: WebhookRequest, timeout: float) -> int:
    """POST the event; return the 2xx status, else raise a Temporary or PermanentDeliveryError
    (whose reason starts with the status, or says there was no answer)."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Chorus-Webhooks/1",
        EVENT_HEADER: request.event,
        IDEMPOTENCY_HEADER: request.idempotency_key,
        SIGNATURE_HEADER: signature_header(request.secret, request.body, int(time.time())),
    }
    http_request = Request(request.url, data=request.body, headers=headers, method="POST")
    try:
        with _opener.open(http_request, timeout=timeout) as response:
            response.read(1024)
            return response.status
    except HTTPError as error:
        status = error.code
        # Rate limited, timing out or failing at their end: the same event may pass later.
        if status in (408, 429) or status >= 500:
            raise TemporaryDeliveryError(f"HTTP {status}") from error
        # Anything else (gone, refused, a redirect) will not change by resending.
        raise PermanentDeliveryError(f"HTTP {status}") from error
    except (TimeoutError, URLError, HTTPException, OSError) as error:
        reason = getattr(error, "reason", error)
        raise TemporaryDeliveryError(f"no answer: {reason!r}") from error
