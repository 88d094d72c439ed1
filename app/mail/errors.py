"""How a failed send is classified: try again later, or give up with the provider's reason."""

import re

# An address quoted in a provider's reason ("550 5.1.1 <ann@example.org>: unknown user").
_ADDRESS = re.compile(r"[\w.%+!#$&'*/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


class DeliveryError(Exception):
    def __init__(self, reason: str):
        # The reason is logged and kept on the delivery row, which must not hold a signer's
        # address once they withdraw; the row says whom it was for.
        reason = _ADDRESS.sub("[address]", reason)
        super().__init__(reason)
        self.reason = reason


class TemporaryDeliveryError(DeliveryError):
    """Worth retrying: timeouts, dropped connections, rate limits, provider 5xx."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentDeliveryError(DeliveryError):
    """Retrying cannot help: a rejected request, bad credentials, an invalid address."""
