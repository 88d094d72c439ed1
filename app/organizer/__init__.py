"""Blueprint: the organizer workspace."""

from flask import Blueprint, Response, session

from app.extensions import login_manager
from app.models import Organizer
from app.services.workspace import accounts

bp = Blueprint("organizer", __name__, url_prefix="/organizer")
# The session key that holds when its organizer logged in (a Unix time).
LOGGED_IN_AT = "logged_in_at"


@login_manager.user_loader
def load_organizer(session_id: str) -> Organizer | None:
    return accounts.organizer_for_session(session_id, session.get(LOGGED_IN_AT))


@bp.after_request
def private(response: Response) -> Response:
    """Workspace pages hold personal data: never cached (app/security_headers.py: never
    framed)."""
    response.headers["Cache-Control"] = "no-store"
    return response


from app.organizer import (  # noqa: E402, F401
    analytics,
    auth,
    campaigns,
    exports,
    filters,
    integrations,
    moderation,
    organization,
    petition,
    targets,
    updates,
    users,
)
