"""Public pages: home, campaign explainer, sign, confirm, withdraw."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from app.public import embed, funnel, language, privacy, routes, unsubscribe, write  # noqa: E402, F401
