"""The analytics page of a campaign."""

from flask import render_template

from app.extensions import db
from app.models import Campaign, Role
from app.organizer import bp
from app.organizer.access import requires
from app.services.workspace import analytics


@bp.get("/campaigns/<int:campaign_id>/analytics")
@requires(Role.VIEWER)
def campaign_analytics(campaign_id: int):
    """Signatures and letters over time, by state and district, the funnel and deliveries."""
    campaign = db.get_or_404(Campaign, campaign_id)
    return render_template(
        "organizer/analytics.html",
        campaign=campaign,
        series=analytics.over_time(campaign),
        states=analytics.by_state(campaign),
        districts=analytics.by_district(campaign),
        sources=analytics.by_source(campaign),
        funnel=analytics.funnel(campaign),
        statuses=analytics.signature_statuses(campaign),
        deliveries=analytics.delivery_states(campaign),
    )
