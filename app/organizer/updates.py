"""Updates to a campaign's supporters: write, then send through the outbox."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_number, gettext
from flask_login import current_user

from app.errors import flash_errors
from app.extensions import db
from app.models import Campaign, Role, SupporterUpdate
from app.organizer import bp
from app.organizer.access import owned_or_404, requires
from app.organizer.forms import ActionForm, UpdateForm
from app.services.workspace import updates


@bp.route("/campaigns/<int:campaign_id>/updates", methods=["GET", "POST"])
@requires(Role.ORGANIZER)
def campaign_updates(campaign_id: int):
    """List a campaign's updates and write a new one."""
    campaign = db.get_or_404(Campaign, campaign_id)
    form = UpdateForm()
    if form.validate_on_submit():
        with flash_errors():
            updates.write_update(campaign, form.subject.data, form.body.data, current_user)
            flash(gettext("Update saved. Check it, then send it."), "ok")
            return redirect(url_for("organizer.campaign_updates", campaign_id=campaign.id))
    return render_template(
        "organizer/updates.html",
        campaign=campaign,
        form=form,
        send_form=ActionForm(),
        updates=updates.updates_for(campaign),
        recipients=updates.recipient_count(campaign),
    )


@bp.post("/campaigns/<int:campaign_id>/updates/<int:update_id>/send")
@requires(Role.ORGANIZER)
def send_update(campaign_id: int, update_id: int):
    """Queue an update for every confirmed supporter who agreed to updates (once each),
    after a page that says how many it goes to."""
    campaign = db.get_or_404(Campaign, campaign_id)
    update = owned_or_404(db.get_or_404(SupporterUpdate, update_id), campaign)
    if not request.form.get("confirmed"):
        return render_template(
            "organizer/confirm.html",
            campaign=campaign,
            title=gettext("Send “%(subject)s”?", subject=update.subject),
            consequences=[
                gettext(
                    "It is emailed to %(num)s supporter(s) who agreed to updates (anyone who "
                    "already has it is skipped).",
                    num=format_number(updates.recipient_count(campaign)),
                ),
                gettext("Email cannot be called back once it is sent."),
            ],
            action=url_for("organizer.send_update", campaign_id=campaign.id, update_id=update.id),
            fields={},
            button=gettext("Send the update"),
            danger=False,
            cancel=url_for("organizer.campaign_updates", campaign_id=campaign.id),
            form=ActionForm(),
        )
    queued = updates.send_update(update, current_user)
    flash(gettext("Update queued for %(num)s supporter(s).", num=queued), "ok")
    return redirect(url_for("organizer.campaign_updates", campaign_id=campaign.id))
