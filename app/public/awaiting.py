"""The signer's own "check your email" page: the address the link went to, and fixing it.

Unlike the public check-email page, these answers are private (`private, no-store`, the
default for a view without @public) and reached only through the sealed token the sign
POST redirected to (app/services/signing/awaiting.py).
"""

from flask import redirect, render_template, url_for
from flask_babel import gettext
from flask_wtf import FlaskForm

from app.models import Campaign
from app.public import bp
from app.public.forms import SignForm
from app.public.routes import public_campaign
from app.ratelimits import client_ip, count_submission
from app.services.campaigns.languages import in_language
from app.services.errors import ChorusError, InvalidToken
from app.services.signing import awaiting as service


class CorrectEmailForm(FlaskForm):
    """The corrected address; no CSRF token, as for SignForm (app/cross_origin.py)."""

    class Meta:
        csrf = False

    email = SignForm.email


def _page(
    campaign: Campaign,
    page: service.Awaiting,
    form: CorrectEmailForm,
    status: int = 200,
    error: str = "",
):
    return render_template(
        "check_email.html", campaign=in_language(campaign), awaiting=page, form=form, error=error
    ), status


@bp.get("/c/<slug>/check-email/<token>")
def awaiting(slug: str, token: str):
    """Show the signer the (masked) address the confirmation went to, and how to fix it."""
    campaign = public_campaign(slug)
    try:
        page = service.read_page(token, slug)
    except InvalidToken:
        return redirect(url_for("public.check_email", slug=slug))
    return _page(campaign, page, CorrectEmailForm())


@bp.post("/c/<slug>/check-email/<token>")
def correct_email(slug: str, token: str):
    """Send the confirmation to a corrected address instead (the old link stops working).

    Every POST counts against the rate limits, as signing does (count_submission)."""
    campaign = public_campaign(slug)
    form = CorrectEmailForm()
    try:
        page = service.read_page(token, slug)
        if not form.validate_on_submit():
            count_submission()
            return _page(campaign, page, form, 400)
        review = count_submission(form.email.data)
        corrected = service.correct_email(token, slug, form.email.data, client_ip(), review)
    except InvalidToken as error:
        count_submission()
        return render_template("link_invalid.html", message=gettext(error.message)), 400
    except ChorusError as error:
        return _page(campaign, page, form, 409, gettext(error.message))
    return redirect(url_for("public.awaiting", slug=slug, token=corrected))
