"""Blueprint: the organizer workspace."""

from flask import Blueprint, Response

from app.extensions import db, login_manager
from app.models import Organizer

bp = Blueprint("organizer", __name__, url_prefix="/organizer")


@login_manager.user_loader
def load_organizer(organizer_id: str) -> Organizer | None:
    return db.session.get(Organizer, int(organizer_id))


@bp.after_request
def private(response: Response) -> Response:
    """Workspace pages hold personal data: never cached, never framed by another site."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    return response


from app.organizer import (  # noqa: E402, F401
    analytics,
    auth,
    campaigns,
    exports,
    filters,
    moderation,
    targets,
    updates,
    users,
)
