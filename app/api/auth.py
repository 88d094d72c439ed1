"""API keys on requests: `Authorization: Bearer <key>`, checked for a scope per view."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import g, request

from app.services.api import keys

View = TypeVar("View", bound=Callable)


def requires_scope(scope: str) -> Callable[[View], View]:
    """Let the view run only for a request bearing a live key with this scope: 401 without
    a valid key, 403 when the key lacks the scope. The key is `g.api_key` in the view."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(*args, **kwargs):
            scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
            key = keys.key_for(secret.strip()) if scheme.lower() == "bearer" else None
            if key is None:
                return (
                    {"error": "Unauthorized", "detail": "Send a live API key as a Bearer token."},
                    401,
                    {"WWW-Authenticate": 'Bearer realm="chorus"'},
                )
            if not key.allows(scope):
                return {"error": "Forbidden", "detail": f"This key lacks the {scope} scope."}, 403
            g.api_key = key
            return view(*args, **kwargs)

        wrapped.required_scope = scope  # lets tests check every keyed route
        return wrapped  # type: ignore[return-value]

    return decorator
