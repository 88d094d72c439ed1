"""Posting CWC messages: one client per chamber, answers sorted into temporary and permanent."""

from __future__ import annotations

from collections.abc import Mapping
from http.client import HTTPException
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from lxml import etree

from app.cwc.message import DeliveryAgent
from app.mail.errors import PermanentDeliveryError, TemporaryDeliveryError

CHAMBERS = {"H": "HOUSE", "S": "SENATE"}
# Enough of an error body to keep on the delivery row and in the log.
_MAX_REASON = 500


class CwcClient:
    """Posts CWC XML to one endpoint (a chamber's message or validate URL) with its API key."""

    def __init__(self, url: str, api_key: str, timeout: float = 10):
        self.url, self.api_key, self.timeout = url, api_key, timeout

    def post(self, xml: bytes) -> None:
        """Send one message; return on 2xx, else raise a Temporary or PermanentDeliveryError."""
        # Both chambers take the key as an `apikey` query parameter (docs/cwc.md).
        separator = "&" if "?" in self.url else "?"
        request = Request(
            f"{self.url}{separator}{urlencode({'apikey': self.api_key})}",
            data=xml,
            headers={"Content-Type": "application/xml; charset=utf-8"},
            method="POST",
        )
        try:
            with urlopen(request, timeout=self.timeout) as response:
                response.read()
        except HTTPError as error:
            raise _http_error(error) from error
        except TimeoutError as error:
            raise TemporaryDeliveryError(f"CWC timed out after {self.timeout} s") from error
        except URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise TemporaryDeliveryError(f"CWC timed out after {self.timeout} s") from error
            # Refused or unreachable: CWC may be back soon; a wrong URL shows in `outbox status`.
            raise TemporaryDeliveryError(f"CWC connection: {error.reason!r}") from error
        except (HTTPException, OSError) as error:
            raise TemporaryDeliveryError(f"CWC connection: {error!r}") from error


def cwc_client(config: Mapping, office_code: str) -> CwcClient | None:
    """The client for the office's chamber, or None when that chamber is off or unconfigured.

    CWC_HOUSE / CWC_SENATE turn a chamber on; each may have its own CWC_<CHAMBER>_API_URL and
    _API_KEY, and falls back to CWC_API_URL and CWC_API_KEY.
    """
    chamber = CHAMBERS.get(office_code[:1])
    if chamber is None or not config.get(f"CWC_{chamber}"):
        return None
    url = config.get(f"CWC_{chamber}_API_URL") or config.get("CWC_API_URL")
    key = config.get(f"CWC_{chamber}_API_KEY") or config.get("CWC_API_KEY")
    if not (url and key):
        return None
    return CwcClient(url, key, timeout=config.get("CWC_TIMEOUT", 10))


def delivery_agent(config: Mapping) -> DeliveryAgent:
    """The delivery agent named in settings, as every message must carry it."""
    return DeliveryAgent(
        name=config.get("CWC_DELIVERY_AGENT", ""),
        ack_email=config.get("CWC_ACK_EMAIL", ""),
        contact_name=config.get("CWC_DELIVERY_AGENT_CONTACT_NAME", ""),
        contact_email=config.get("CWC_DELIVERY_AGENT_CONTACT_EMAIL", ""),
        contact_phone=config.get("CWC_DELIVERY_AGENT_CONTACT_PHONE", ""),
    )


def _http_error(error: HTTPError) -> TemporaryDeliveryError | PermanentDeliveryError:
    status = error.code
    reason = f"CWC {status}: {_error_text(error.read())}"
    # Rate limited, or CWC itself failing: the same message may pass later.
    if status == 429 or status >= 500:
        retry_after = _seconds(error.headers.get("Retry-After"))
        return TemporaryDeliveryError(reason, retry_after=retry_after)
    # Any other refusal (the message's <Error>s, a bad key, an address not allowed) stays.
    return PermanentDeliveryError(reason)


def _error_text(body: bytes) -> str:
    """The texts of every <Error> in CWC's answer, or the answer itself when it has none."""
    try:
        errors = [e.text.strip() for e in etree.fromstring(body).iter("Error") if e.text]
    except etree.XMLSyntaxError:
        errors = []
    text = "; ".join(errors) or body.decode("utf-8", "replace").strip() or "no details"
    return text[:_MAX_REASON]


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
