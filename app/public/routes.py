"""Views for citizens: read, sign, confirm, withdraw."""

import sqlalchemy as sa
from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext

from app.extensions import db
from app.http_cache import public
from app.i18n import request_locale
from app.models import Campaign, CampaignStatus
from app.public import bp
from app.public.forms import SignForm, SignSubmission
from app.public.page import campaign_response
from app.ratelimits import count_submission
from app.services.campaigns import page, preview, revisions
from app.services.campaigns.languages import in_language
from app.services.errors import CampaignClosed, InvalidToken, UnknownZip
from app.services.letters import writing
from app.services.letters.places import locate_zip
from app.services.signing import awaiting, signatures
from app.services.signing.counting import count_seen_by


def public_campaign(slug: str) -> Campaign:
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.slug == slug))
    if campaign is None or not campaign.is_public:
        abort(404)
    return campaign


@bp.get("/")
@public
def index():
    """List the campaigns that are open or have closed, newest first."""
    campaigns = db.session.scalars(
        sa.select(Campaign)
        .where(Campaign.status != CampaignStatus.DRAFT)
        .order_by(Campaign.status.desc(), Campaign.created_at.desc())
    ).all()
    return render_template("index.html", campaigns=[in_language(c) for c in campaigns])


@bp.get("/c/<slug>")
@public
def campaign(slug: str):
    """Show a campaign's explainer, sources, count and the sign form."""
    version = page.version_of(slug)
    if version is None or not version.public:
        abort(404)
    return campaign_response(version)


@bp.get("/c/<slug>/changes")
@public
def changes(slug: str):
    """List every change of a campaign's public text: when, why, and what changed."""
    campaign = public_campaign(slug)
    return render_template("changes.html", campaign=campaign, changes=revisions.changes(campaign))


def render_campaign(campaign: Campaign, form: SignForm, status: int):
    """The campaign page showing a submitted sign form again, with its errors."""
    context = page.campaign_page(campaign, page.snapshot_of(campaign))
    return render_template("campaign.html", **context, form=form), status


@bp.post("/c/<slug>/sign")
def sign(slug: str):
    """Record a signature and send its confirmation email.

    The campaign is loaded only to show the form again: the signing INSERT checks that it
    takes signatures, so an accepted signature costs no campaign read. Every POST counts
    against the rate limits before anything is rendered (count_submission).
    """
    submission = SignSubmission()
    refused, token = take_signature(slug, submission)
    if refused:
        return render_campaign(public_campaign(slug), submission.form, refused)
    return redirect(url_for("public.awaiting", slug=slug, token=token))


def take_signature(slug: str, submission: SignSubmission) -> tuple[int | None, str]:
    """Check a submitted sign form and record its signature: (None, the signer's page
    token) when done (or when a bot filled the honeypot: it is answered as if all went
    well), else (the HTTP status to show the form again with, its errors set; "")."""
    fields = submission.fields
    if fields is None:
        count_submission()
        return 400, ""
    if fields.website:
        count_submission()
        return None, awaiting.page_token(slug, fields.email)
    try:
        place = locate_zip(fields.zip)
    except UnknownZip as error:
        count_submission()
        submission.form.zip.errors = [gettext(error.message)]
        return 400, ""
    signature = fields.to_request(place, source=fields.source or "", locale=request_locale())
    try:
        signed = signatures.submit(slug, signature)
    except CampaignClosed:
        return 409, ""
    return None, awaiting.page_token(slug, signature.email, signature, signed)


@bp.get("/c/<slug>/sign")
def sign_bookmarked(slug: str):
    """A bookmarked or reloaded sign result (a GET) goes back to the campaign, not a 405."""
    return redirect(url_for("public.campaign", slug=slug))


@bp.get("/c/<slug>/check-email")
@public
def check_email(slug: str):
    """Ask the signer to look for the confirmation email (where a signer's own page,
    public.awaiting, has expired or was never reached: no address is shown)."""
    return render_template("check_email.html", campaign=in_language(public_campaign(slug)))


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """Ask the signer to press Confirm (GET), then confirm the signature (POST).

    A GET changes nothing: mail security scanners open links, and would otherwise confirm
    (and send letters) in the name of whoever's inbox they guard. Confirming is idempotent.
    """
    try:
        if request.method == "GET":
            signature = signatures.signature_from_token(signatures.tokens.CONFIRM, token)
            return render_template(
                "confirm.html", campaign=in_language(signature.campaign), token=token
            )
        signature = signatures.confirm(token)
    except InvalidToken as error:
        return render_template("link_invalid.html", message=gettext(error.message)), 400
    letter = signature.letter
    return render_template(
        "confirmed.html",
        campaign=in_language(signature.campaign),
        letter=letter,
        outcomes=writing.letter_outcomes(letter) if letter else [],
        shown_count=count_seen_by(signature),
        zip=signature.zip,
    )


@bp.route("/withdraw/<token>", methods=["GET", "POST"])
def withdraw(token: str):
    """Ask before withdrawing (GET), then erase the signature (POST)."""
    try:
        signature = signatures.signature_from_token(signatures.tokens.WITHDRAW, token)
    except InvalidToken as error:
        return render_template("link_invalid.html", message=gettext(error.message)), 400
    if request.method == "GET":
        return render_template(
            "withdraw.html", campaign=in_language(signature.campaign), token=token
        )
    campaign = signatures.withdraw(token)
    return render_template("withdrawn.html", campaign=in_language(campaign))


@bp.get("/c/<slug>/preview.png")
@public
def preview_image(slug: str):
    """The campaign's link-card image: its title and live count."""
    png = preview.preview_png(in_language(public_campaign(slug)), current_app.config["SITE_NAME"])
    return Response(png, mimetype="image/png")


@bp.get("/c/<slug>/count.json")
@public
def count(slug: str):
    """The campaign's live count, cheap enough to poll."""
    campaign = public_campaign(slug)
    return {
        "slug": campaign.slug,
        "signatures": campaign.signature_count,
        "letters": campaign.letter_count,
        "goal": campaign.goal,
        "counted_at": campaign.counted_at.isoformat() + "Z" if campaign.counted_at else None,
    }
