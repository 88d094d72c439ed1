"""Public pages: home, campaign explainer, sign, confirm, withdraw."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from app.public import routes  # noqa: E402, F401
from app.public import funnel, unsubscribe  # noqa: E402, F401
from app.public import write  # noqa: E402, F401
