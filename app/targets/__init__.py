"""Representatives' private pages: the letters constituents sent them, and their responses."""

from flask import Blueprint

bp = Blueprint("targets", __name__, url_prefix="/r")

from app.targets import routes  # noqa: E402, F401
