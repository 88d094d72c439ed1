"""Blueprint: api."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from app.api import webhooks  # noqa: E402,F401  (registers the routes on bp)
