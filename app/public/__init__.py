"""Public pages: home, campaign explainer, sign, confirm, withdraw."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from app.public import (  # noqa: E402, F401
    awaiting,
    embed,
    funnel,
    language,
    privacy,
    routes,
    site,
    unsubscribe,
    write,
)
