"""One-click unsubscribe from campaign updates (RFC 8058), linked from every update email."""

from flask import render_template, request
from flask_babel import gettext

from app.public import bp
from app.services.campaigns.languages import in_language
from app.services.errors import InvalidToken
from app.services.signing.signatures import signature_from_token
from app.services.tokens import UNSUBSCRIBE
from app.services.workspace import updates


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """Ask before unsubscribing (GET, since scanners prefetch links), then stop updates (POST)."""
    try:
        signature = signature_from_token(UNSUBSCRIBE, token)
        if request.method == "GET":
            return render_template(
                "unsubscribe.html", campaign=in_language(signature.campaign), token=token
            )
        campaign = updates.unsubscribe(token)
    except InvalidToken as error:
        return render_template("link_invalid.html", message=gettext(error.message)), 400
    return render_template("unsubscribed.html", campaign=in_language(campaign))
