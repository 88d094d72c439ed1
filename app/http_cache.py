"""HTTP caching: public pages a proxy or CDN may share for a few seconds; nothing else.

Why: in a viral spike almost every request is someone reading the same campaign page.
A CDN that may keep it for one count interval (the count cannot change faster than that)
answers nearly all of them, and Chorus's own workers are left for signatures.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from flask import Flask, Response, current_app, make_response, request, session

log = logging.getLogger(__name__)

# A cache may serve a page this much past its max-age while it fetches a fresh copy.
STALE_WHILE_REVALIDATE = 60
# If Chorus is down or overloaded a cache may keep serving the last good page for a day:
# reading the explainer matters more than a count a few minutes old.
STALE_IF_ERROR = 24 * 3600

PRIVATE = "private, no-store"


def public_cache_control(max_age: int) -> str:
    """The Cache-Control value for a page anyone may see, fresh for max_age seconds."""
    return (
        f"public, max-age={max_age}, stale-while-revalidate={STALE_WHILE_REVALIDATE}, "
        f"stale-if-error={STALE_IF_ERROR}"
    )


def public(view: Callable) -> Callable:
    """Mark a GET view's 200 responses as publicly cacheable, with an ETag and 304s.

    Fresh for COUNT_INTERVAL_SECONDS: counts change no more often than that. The view must
    not touch the session (a CSRF token, a flash, a login): the response would then vary per
    visitor, so `_guard_private` turns it private again.
    """

    @wraps(view)
    def wrapped(*args, **kwargs) -> Response:
        response = make_response(view(*args, **kwargs))
        if response.status_code != 200:
            return response
        response.headers["Cache-Control"] = public_cache_control(
            current_app.config["COUNT_INTERVAL_SECONDS"]
        )
        response.add_etag()
        return response.make_conditional(request)

    return wrapped


def _guard_private(response: Response) -> Response:
    """Default every response to uncacheable, and never let a shared cache keep a cookie."""
    cache_control = response.headers.get("Cache-Control")
    if cache_control is None:
        response.headers["Cache-Control"] = PRIVATE
    elif "public" in cache_control and (session.modified or "Set-Cookie" in response.headers):
        log.warning("%s set a cookie; not caching it publicly", request.path)
        response.headers["Cache-Control"] = PRIVATE
    return response


def register_http_cache(app: Flask) -> None:
    """Install the after-request guard that keeps private responses out of shared caches."""
    app.after_request(_guard_private)
