"""Delivering a campaign's petition to its targets now, after a confirmation step."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from app.errors import flash_errors
from app.extensions import db
from app.models import Campaign, Role
from app.organizer import bp
from app.organizer.access import requires
from app.organizer.forms import ActionForm
from app.services.campaigns.milestones import milestones_of
from app.services.targets import petition


@bp.get("/campaigns/<int:campaign_id>/deliver")
@requires(Role.ORGANIZER)
def petition_delivery(campaign_id: int):
    """Show who would receive the petition, and ask before delivering it."""
    campaign = db.get_or_404(Campaign, campaign_id)
    targets = db.session.scalars(petition.campaign_targets(campaign)).all()
    return render_template(
        "organizer/deliver.html",
        campaign=campaign,
        by_email=[t for t in targets if t.email],
        held=[(t, petition.held_reason(t)) for t in targets if not t.email],
        milestones=milestones_of(campaign),
        form=ActionForm(),
    )


@bp.post("/campaigns/<int:campaign_id>/deliver")
@requires(Role.ORGANIZER)
def deliver_petition(campaign_id: int):
    """Queue a petition packet for every target of the campaign."""
    campaign = db.get_or_404(Campaign, campaign_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("organizer.petition_delivery", campaign_id=campaign.id))
    with flash_errors():
        queued = petition.deliver_now(campaign, current_user)
        flash(gettext("The petition is on its way to %(num)s target(s).", num=queued), "ok")
    return redirect(url_for("organizer.petition_delivery", campaign_id=campaign.id))
