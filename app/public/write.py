"""Writing to representatives: find them by ZIP code (step 1), then write and sign (step 2)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from app.i18n import current_locale
from app.models import Campaign, Letter, Target
from app.public import bp
from app.public.forms import LetterForm, WhereForm
from app.public.routes import public_campaign
from app.ratelimits import client_ip, count_submission
from app.services.campaigns.languages import in_language
from app.services.errors import CampaignClosed, UnknownZip
from app.services.letters import carriers, writing
from app.services.letters.routing import Route, route_letter
from app.services.signing import awaiting, signatures


def writing_campaign(slug: str) -> Campaign:
    campaign = public_campaign(slug)
    if not campaign.collects_letters:
        abort(404)
    return campaign


@bp.get("/c/<slug>/write")
def write(slug: str):
    """Find the writer's representatives from their ZIP code, then show the letter form."""
    campaign = writing_campaign(slug)
    where = WhereForm(request.args)
    if "zip" not in request.args:
        return render_template(
            "write.html", campaign=in_language(campaign), where=where, route=None
        )
    if not where.validate():
        return render_template(
            "write.html", campaign=in_language(campaign), where=where, route=None
        ), 400
    try:
        route = route_letter(
            campaign, where.zip.data, where.district.data, where.upper.data, where.lower.data
        )
    except UnknownZip as error:
        where.zip.errors = [gettext(error.message)]
        return render_template(
            "write.html", campaign=in_language(campaign), where=where, route=None
        ), 400
    if not route.complete or not (route.targets or route.held_reason):
        # Continue pressed without choosing (the form has no browser-side check): say so,
        # but only of questions the signer was shown, never of ones new on this page.
        unchosen = route.unanswered(request.args.getlist("asked"))
        page = render_template(
            "write.html",
            campaign=in_language(campaign),
            where=where,
            route=route,
            unchosen=unchosen,
        )
        return page, 400 if unchosen else 200
    form = LetterForm(
        zip=route.place.zip,
        district=route.district_code,
        upper=route.upper_district,
        lower=route.lower_district,
        subject=in_language(campaign).letter_subject,
        body=in_language(campaign).letter_body,
    )
    return render_letter(campaign, form, route)


def render_letter(campaign: Campaign, form: LetterForm, route: Route, status: int = 200, **context):
    return render_template(
        "write_letter.html",
        campaign=in_language(campaign),
        form=form,
        route=route,
        need_address=carriers.need_address(route.targets),
        **context,
    ), status


def posted_route(campaign: Campaign, form: LetterForm) -> Route | Response:
    """Where a posted letter goes, or a redirect to choose again when that no longer holds
    (an unknown ZIP code, or the data changed under the writer's choices)."""
    try:
        route = route_letter(
            campaign, form.zip.data or "", form.district.data, form.upper.data, form.lower.data
        )
    except UnknownZip:
        return redirect(url_for("public.write", slug=campaign.slug))
    if not route.complete or not (route.targets or route.held_reason):
        return redirect(url_for("public.write", slug=campaign.slug, zip=route.place.zip))
    return route


@bp.post("/c/<slug>/write")
def send_letter(slug: str):
    """Record a pending signature with its letter; both wait for the email confirmation.

    Every POST counts against the rate limits before anything is rendered
    (count_submission); only an accepted letter counts against the review limits.
    """
    campaign = writing_campaign(slug)
    form = LetterForm()
    route = posted_route(campaign, form)
    if not isinstance(route, Route):
        count_submission()
        return route
    checks = form.address_checks() if carriers.need_address(route.targets) else None
    if not form.validate_on_submit(extra_validators=checks):
        count_submission()
        return render_letter(campaign, form, route, 400)
    if form.website.data:
        # A bot filled the honeypot: answer as if all went well and store nothing.
        count_submission()
        return redirect(
            url_for("public.awaiting", slug=slug, token=awaiting.page_token(slug, form.email.data))
        )
    draft = writing.LetterDraft(
        subject=form.subject.data,
        body=form.body.data,
        targets=tuple(route.targets),
        reply_to_ok=form.reply_to_ok.data,
        public_comment=form.public_comment.data,
        upper_district=route.upper_district,
        lower_district=route.lower_district,
        held_reason=route.held_reason,
        **(address_of(form) if checks else {}),
    )
    signature_request = signatures.SignatureRequest(
        name=form.name.data,
        email=form.email.data,
        place=route.signer_place,
        consent_updates=form.consent_updates.data,
        ip=client_ip(),
        review_reason=count_submission(form.email.data),
        locale=current_locale(),
    )
    try:
        signed = signatures.submit(slug, signature_request, letter=draft)
    except CampaignClosed:
        return render_letter(campaign, form, route, 409)
    page = awaiting.page_token(slug, signature_request.email, signature_request, signed)
    return redirect(url_for("public.awaiting", slug=slug, token=page))


def address_of(form: LetterForm) -> dict:
    """The writer's address as the draft takes it, for offices reached through CWC."""
    return dict(
        prefix=form.prefix.data, street_address=form.street_address.data, city=form.city.data
    )


@bp.app_template_global()
def letter_carrier(target: Target, letter: Letter | None = None) -> carriers.Carrier:
    """For the letter form and the confirmation email: how a letter to this target goes."""
    return carriers.carrier(target, has_address=letter is None or bool(letter.street_address))
