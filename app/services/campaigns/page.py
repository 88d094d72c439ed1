"""What the public campaign page shows, read in one place.

The view passes this context to the template, which reads nothing else from the database:
no lazy relationship, no querying template global (the footer's organization profile is a
site setting each process caches). So one render costs a fixed number of queries however
many responses and comments a campaign has (tests/test_campaign_page.py).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.models import Campaign, Response
from app.services.campaigns.languages import in_language
from app.services.campaigns.milestones import milestones_of
from app.services.letters.writing import public_comments
from app.services.signing.signatures import recent_public_signers
from app.services.workspace.organization import sponsor_of


def published_responses(campaign: Campaign) -> list[Response]:
    """The campaign's published responses, newest first, with their representatives."""
    return list(
        db.session.scalars(
            sa.select(Response)
            .options(so.joinedload(Response.target))
            .where(Response.campaign_id == campaign.id, Response.published)
            .order_by(Response.created_at.desc(), Response.id.desc())
        )
    )


def campaign_page(campaign: Campaign) -> dict[str, Any]:
    """The campaign page's template context (besides the form and its notices)."""
    return {
        "campaign": in_language(campaign),
        "recent_signers": recent_public_signers(campaign),
        "responses": published_responses(campaign),
        "comments": public_comments(campaign),
        "milestones": milestones_of(campaign),
        "sponsor": sponsor_of(campaign),
    }
