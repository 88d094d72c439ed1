"""Who may do what: every organizer view is wrapped in `requires(role)`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import abort, redirect, request, url_for
from flask_login import current_user

from app.models import Campaign
from app.services.workspace.accounts import has_role

View = TypeVar("View", bound=Callable)


def requires(role: str) -> Callable[[View], View]:
    """Let the view run only for a logged-in organizer whose role is at least `role`.

    Logged-out visitors are sent to the login page (and back afterwards); a lower role
    gets a 403, checked here on the server whatever the page showed.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("organizer.login", next=request.path))
            if not has_role(current_user, role):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_role = role  # lets tests check every route is guarded
        return wrapped  # type: ignore[return-value]

    return decorator


def owned_or_404(item: object | None, campaign: Campaign) -> object:
    """The item when it belongs to this campaign; otherwise 404, so ids leak nothing."""
    if item is None or getattr(item, "campaign_id", None) != campaign.id:
        abort(404)
    return item
