"""How a failed send is classified: try again later, or give up with the provider's reason."""


class DeliveryError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class TemporaryDeliveryError(DeliveryError):
    """Worth retrying: timeouts, dropped connections, rate limits, provider 5xx."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentDeliveryError(DeliveryError):
    """Retrying cannot help: a rejected request, bad credentials, an invalid address."""
