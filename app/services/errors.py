"""Domain errors raised by services and turned into friendly pages at the edge.

Messages are English, marked for the catalog with N_; the edge shows them translated
(app.errors.said). A message with %(name)s placeholders gets its values as keywords, filled
in after translation so the catalog holds one entry for every value.
"""

from app.i18n import N_


class ChorusError(Exception):
    """Base for errors a user can be told about in plain words."""

    message = N_("Something went wrong.")

    def __init__(self, message: str | None = None, **params: object):
        self.message = message or self.message
        self.params = params
        super().__init__(self.message % params if params else self.message)


class CampaignClosed(ChorusError):
    message = N_("This campaign is not taking signatures right now.")


class InvalidToken(ChorusError):
    message = N_("This link is not valid any more. It may have expired or been used to withdraw.")


class AlreadyConfirmed(ChorusError):
    message = N_("This signature is confirmed already, so its address can no longer be changed.")


class NoMoreLinks(ChorusError):
    message = N_(
        "We have sent as many links for this signature as we can. "
        "Please sign again with the right address."
    )


class UnknownZip(ChorusError):
    message = N_("We could not find that ZIP code. Please check it and try again.")
