"""Blueprint: the organizer workspace."""

from flask import Blueprint

from app.extensions import db, login_manager
from app.models import Organizer

bp = Blueprint("organizer", __name__, url_prefix="/organizer")


@login_manager.user_loader
def load_organizer(organizer_id: str) -> Organizer | None:
    return db.session.get(Organizer, int(organizer_id))
