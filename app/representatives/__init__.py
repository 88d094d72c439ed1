"""Representatives' private pages: the letters constituents sent them, and their responses."""

from flask import Blueprint

bp = Blueprint("representatives", __name__, url_prefix="/r")

from app.representatives import routes  # noqa: E402, F401
