"""Domain errors raised by services and turned into friendly pages at the edge."""


class ChorusError(Exception):
    """Base for errors a user can be told about in plain words."""

    message = "Something went wrong."

    def __init__(self, message: str | None = None):
        super().__init__(message or self.message)
        self.message = message or self.message


class CampaignClosed(ChorusError):
    message = "This campaign is not taking signatures right now."


class InvalidToken(ChorusError):
    message = "This link is not valid any more. It may have expired or been used to withdraw."


class UnknownZip(ChorusError):
    message = "We could not find that ZIP code. Please check it and try again."
