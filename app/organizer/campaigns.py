"""Campaign pages: the list, create, edit with live preview, and status changes."""

from dataclasses import asdict

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.errors import flash_errors
from app.extensions import db
from app.i18n import NAMES
from app.models import Campaign, CampaignStatus, Role, Target, TargetKind
from app.organizer import bp
from app.organizer.access import requires
from app.organizer.forms import ActionForm, CampaignForm, TranslationForm
from app.public.page import campaign_response
from app.rendering import render_markdown
from app.services.campaigns import editing, page, translating
from app.services.campaigns.editing import TRANSITIONS
from app.services.targets.datasets import reference_status


def _fixed_target_choices(selected: list[int]) -> list[SelectChoice]:
    """Custom targets, plus any other target a campaign already names."""
    targets = db.session.scalars(
        sa.select(Target)
        .where(sa.or_(Target.kind == TargetKind.CUSTOM, Target.id.in_(selected)))
        .order_by(Target.name)
    )
    return [SelectChoice(t.id, f"{t.name}, {t.title}" if t.title else t.name) for t in targets]


@bp.get("/")
@requires(Role.VIEWER)
def dashboard():
    """List every campaign with its status and count, and the reference data in force."""
    return render_template(
        "organizer/dashboard.html",
        campaigns=editing.all_campaigns(),
        reference=reference_status(),
    )


@bp.route("/campaigns/new", methods=["GET", "POST"])
@requires(Role.ORGANIZER)
def new_campaign():
    """Create a campaign (it starts as a draft, not public)."""
    form = CampaignForm()
    form.fixed_targets.choices = _fixed_target_choices(form.fixed_targets.data or [])
    if form.validate_on_submit():
        with flash_errors():
            campaign = editing.create_campaign(form.to_input(), current_user)
            flash(gettext("Campaign created as a draft."), "ok")
            return redirect(url_for("organizer.campaign", campaign_id=campaign.id))
    return render_template("organizer/campaign_form.html", form=form, campaign=None)


@bp.get("/campaigns/<int:campaign_id>")
@requires(Role.VIEWER)
def campaign(campaign_id: int):
    """A campaign's overview: status, counts, and links to its tools."""
    campaign = db.get_or_404(Campaign, campaign_id)
    return render_template(
        "organizer/campaign.html",
        campaign=campaign,
        next_statuses=TRANSITIONS.get(campaign.status, ()),
        form=ActionForm(),
    )


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@requires(Role.ORGANIZER)
def edit_campaign(campaign_id: int):
    """Edit every field of a campaign; changes are logged."""
    campaign = db.get_or_404(Campaign, campaign_id)
    form = CampaignForm()
    if request.method == "GET":
        form.fill_from(editing.input_from(campaign))
    form.fixed_targets.choices = _fixed_target_choices(form.fixed_targets.data or [])
    if form.validate_on_submit():
        with flash_errors():
            editing.update_campaign(campaign, form.to_input(), current_user)
            flash(gettext("Campaign saved."), "ok")
            return redirect(url_for("organizer.campaign", campaign_id=campaign.id))
    return render_template("organizer/campaign_form.html", form=form, campaign=campaign)


@bp.route("/campaigns/<int:campaign_id>/text/<locale>", methods=["GET", "POST"])
@requires(Role.ORGANIZER)
def translate_campaign(campaign_id: int, locale: str):
    """Edit a campaign's text in another language, previewed as its readers will see it."""
    campaign = db.get_or_404(Campaign, campaign_id)
    if locale not in translating.translatable_locales():
        abort(404)
    counts, numbers = translating.keys(campaign)
    values = translating.translation_input(campaign, locale)
    form = TranslationForm(
        data={
            **asdict(values),
            "milestone_labels": [values.milestone_labels.get(key, "") for key in counts],
            "source_notes": [values.source_notes.get(key, "") for key in numbers],
        }
    )
    if form.validate_on_submit():
        with flash_errors():
            translating.translate_campaign(
                campaign, form.to_input(locale, counts, numbers), current_user
            )
            flash(
                gettext("The campaign's text in %(language)s is saved.", language=NAMES[locale]),
                "ok",
            )
            return redirect(
                url_for("organizer.translate_campaign", campaign_id=campaign.id, locale=locale)
            )
    preview = url_for("organizer.preview_campaign", campaign_id=campaign.id)
    return render_template(
        "organizer/campaign_text.html",
        form=form,
        campaign=campaign,
        locale_code=locale,
        language=NAMES[locale],
        # The public page's preview under the language's URL prefix.
        preview_url=f"/{locale}{preview.removeprefix(request.script_root)}",
    )


# What a status change does, said before it is done (open and close are seen by the public).
STATUS_STEPS = {
    CampaignStatus.OPEN: (
        _l("Open the campaign"),
        [
            _l("Its page becomes public at its address, and anyone can sign or write."),
            _l("Signers get confirmation emails; letters go to their representatives."),
            _l("Its address cannot change once it is public."),
        ],
    ),
    CampaignStatus.CLOSED: (
        _l("Close the campaign"),
        [
            _l("It stops taking signatures and letters at once; its page says it is closed."),
            _l("Letters already confirmed are still delivered."),
        ],
    ),
}


@bp.post("/campaigns/<int:campaign_id>/status")
@requires(Role.ORGANIZER)
def change_status(campaign_id: int):
    """Open, close or reopen a campaign, after a page that says what that does."""
    campaign = db.get_or_404(Campaign, campaign_id)
    status = request.form.get("status", "")
    if status in STATUS_STEPS and not request.form.get("confirmed"):
        title, consequences = STATUS_STEPS[status]
        return render_template(
            "organizer/confirm.html",
            campaign=campaign,
            title=gettext("%(step)s?", step=title),
            consequences=consequences,
            action=url_for("organizer.change_status", campaign_id=campaign.id),
            fields={"status": status},
            button=title,
            danger=status == CampaignStatus.CLOSED,
            cancel=url_for("organizer.campaign", campaign_id=campaign.id),
            form=ActionForm(),
        )
    with flash_errors():
        editing.change_status(campaign, status, current_user)
        flash(gettext("The campaign is now %(status)s.", status=campaign.status), "ok")
    return redirect(url_for("organizer.campaign", campaign_id=campaign.id))


@bp.get("/campaigns/<int:campaign_id>/preview")
@requires(Role.VIEWER)
def preview_campaign(campaign_id: int):
    """The campaign's public page as it will look, drafts included (never cached)."""
    campaign = db.get_or_404(Campaign, campaign_id)
    return campaign_response(page.version_of_campaign(campaign), preview=True)


@bp.post("/campaigns/<int:campaign_id>/responses/<int:response_id>/hide")
@requires(Role.ORGANIZER)
def hide_response(campaign_id: int, response_id: int):
    """Take a representative's response off the public campaign page."""
    campaign = db.get_or_404(Campaign, campaign_id)
    with flash_errors():
        editing.hide_response(campaign, response_id, current_user)
        flash(gettext("The response is no longer shown on the campaign page."), "ok")
    return redirect(url_for("organizer.campaign", campaign_id=campaign.id))


@bp.post("/campaigns/<int:campaign_id>/responses/<int:response_id>/show")
@requires(Role.ORGANIZER)
def show_response(campaign_id: int, response_id: int):
    """Show a representative's response on the public campaign page."""
    campaign = db.get_or_404(Campaign, campaign_id)
    with flash_errors():
        editing.show_response(campaign, response_id, current_user)
        flash(gettext("The response is shown on the campaign page."), "ok")
    return redirect(url_for("organizer.campaign", campaign_id=campaign.id))


@bp.post("/preview")
@requires(Role.ORGANIZER)
def preview():
    """Render Markdown exactly as the public campaign page does, for the live preview."""
    return {"html": str(render_markdown(request.form.get("text", "")))}
