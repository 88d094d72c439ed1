"""The privacy page: what Chorus stores about signers, why, and for how long."""

import sqlalchemy as sa
from flask import render_template

from app.extensions import db
from app.http_cache import public
from app.models import Campaign, CampaignStatus
from app.public import bp
from app.services.signing.retention import PERSONAL_DATA


@bp.get("/privacy")
@public
def privacy():
    """Say what is stored about a signer, who sees it, and when it is erased."""
    campaigns = db.session.scalars(
        sa.select(Campaign).where(Campaign.status != CampaignStatus.DRAFT).order_by(Campaign.title)
    ).all()
    return render_template("privacy.html", personal_data=PERSONAL_DATA, campaigns=campaigns)
