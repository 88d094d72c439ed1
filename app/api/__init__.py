"""Blueprints: api (provider webhooks) and api_v1 (the JSON API under /api/v1/)."""

from flask import Blueprint

bp = Blueprint("api", __name__)
v1 = Blueprint("api_v1", __name__, url_prefix="/api/v1")

from app.api import v1_public, v1_supporters, webhooks  # noqa: E402,F401  (registers routes)
