"""Views for a representative's office, reached only through a private link."""

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from app.downloads import describedby, text_download
from app.errors import said
from app.extensions import limiter
from app.models import Campaign, Target
from app.services.errors import InvalidToken
from app.services.targets import access, petition
from app.services.targets.packets import letters_pdf, petition_pdf
from app.services.tokens import keyed_hash
from app.services.workspace.organization import sponsor_of
from app.targets import bp
from app.targets.forms import ResponseForm

LETTERS_PER_PAGE = 50


def _target(token: str) -> Target:
    try:
        return access.target_for_token(token)
    except InvalidToken:
        abort(404)


def _target_and_campaign(token: str, slug: str) -> tuple[Target, Campaign]:
    target = _target(token)
    try:
        return target, access.campaign_for(target, slug)
    except InvalidToken:
        abort(404)


@bp.after_request
def keep_private(response: Response) -> Response:
    # The token is in the URL: never send it on as a Referer, never let a cache or crawler keep it.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<token>")
def index(token: str):
    """List the campaigns whose letters reached this representative."""
    target = _target(token)
    return render_template(
        "targets/index.html",
        token=token,
        target=target,
        campaigns=access.campaigns_for(target),
        petitions=[
            (campaign, petition.constituent_count(campaign, target))
            for campaign, _ in petition.packets_for(target)
        ],
        represents_constituents=petition.represents_constituents(target),
    )


@bp.get("/<token>/c/<slug>")
@bp.get("/<token>/c/<slug>/page/<int:page>")
def letters(token: str, slug: str, page: int = 1):
    """Show one campaign's letters to this representative, with the response form."""
    target, campaign = _target_and_campaign(token, slug)
    return _letters_page(token, target, campaign, page, ResponseForm())


def _letters_page(token, target, campaign, page, form, status=200):
    rows = access.letters_page(target, campaign, max(page, 1), LETTERS_PER_PAGE)
    if page < 1 or (page > 1 and not rows.letters):
        abort(404)
    return render_template(
        "targets/letters.html",
        token=token,
        target=target,
        campaign=campaign,
        page=rows,
        district_for=access.district_for,
        writer_address=access.writer_address,
        form=form,
        responses=[r for r in campaign.published_responses if r.target_id == target.id],
    ), status


@bp.get("/<token>/c/<slug>/letters.csv")
def letters_csv(token: str, slug: str):
    """Download the campaign's letters to this representative as CSV (streamed)."""
    target, campaign = _target_and_campaign(token, slug)
    return Response(
        stream_with_context(access.letters_csv(target, campaign)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="letters-{campaign.slug}.csv"'},
    )


@bp.get("/<token>/c/<slug>/letters.pdf")
def letters_packet(token: str, slug: str):
    """Download the campaign's letters to this representative as a printable PDF."""
    target, campaign = _target_and_campaign(token, slug)
    pdf = letters_pdf(target, campaign, access.letters_for(target, campaign))
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="letters-{campaign.slug}.pdf"'},
    )


def _target_and_petition(token: str, slug: str) -> tuple[Target, Campaign]:
    target = _target(token)
    campaign = petition.campaign_delivered_to(target, slug)
    if campaign is None:
        abort(404)
    return target, campaign


@bp.get("/<token>/petitions/<slug>.pdf")
def petition_packet(token: str, slug: str):
    """Download the petition delivered to this office, with its constituent signers."""
    target, campaign = _target_and_petition(token, slug)
    constituents = (
        petition.constituent_count(campaign, target)
        if petition.represents_constituents(target)
        else None
    )
    pdf = petition_pdf(
        target,
        campaign,
        sponsor_of(campaign),
        petition.signature_total(campaign),
        constituents,
        petition.signers(campaign, target),
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="petition-{campaign.slug}.pdf"'},
    )


@bp.get("/<token>/petitions/<slug>.csv")
def petition_signers(token: str, slug: str):
    """Download this office's constituents who signed the petition, as CSV."""
    target, campaign = _target_and_petition(token, slug)
    statement = url_for("targets.petition_statement", token=token, slug=slug)
    return Response(
        petition.signers_csv(campaign, target),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="constituents-{campaign.slug}.csv"',
            "Link": describedby(statement),
        },
    )


@bp.get("/<token>/petitions/<slug>.txt")
def petition_statement(token: str, slug: str):
    """Download the petition statement, the plain-text companion of the signers' CSV."""
    _, campaign = _target_and_petition(token, slug)
    return text_download(petition.statement_text(campaign), f"petition-{campaign.slug}.txt")


def _link() -> str:
    """The rate-limit key of this request's link (hashed: the store never holds a token)."""
    return keyed_hash(request.view_args["token"], 24)


@bp.post("/<token>/c/<slug>/responses")
# An office posts a response now and then; a leaked link must not flood the public page.
# Per link, and more loosely per IP: many offices share one government network's address.
@limiter.limit("10 per hour", key_func=_link)
@limiter.limit("30 per hour")
def respond(token: str, slug: str):
    """Publish this representative's official response on the campaign page."""
    target, campaign = _target_and_campaign(token, slug)
    form = ResponseForm()
    if not form.validate_on_submit():
        return _letters_page(token, target, campaign, 1, form, status=400)
    try:
        response = access.post_response(target, campaign, form.body.data, form.author_name.data)
    except access.ResponseRefused as error:
        form.body.errors = [said(error)]
        return _letters_page(token, target, campaign, 1, form, status=400)
    if response.published:
        flash("Your response is published on the campaign page.", "success")
    else:
        flash("Your response will be shown once the campaign's organizers have read it.", "ok")
    return redirect(url_for("targets.letters", token=token, slug=slug))
