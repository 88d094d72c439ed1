"""HTTP caching: public pages a proxy or CDN may share for a few seconds; nothing else.

Why: in a viral spike almost every request is someone reading the same campaign page.
A CDN that may keep it for one count interval (the count cannot change faster than that)
answers nearly all of them, and Chorus's own workers are left for signatures.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import Flask, Response, current_app, make_response, request, session

log = logging.getLogger(__name__)

# A cache may serve a page this much past its max-age while it fetches a fresh copy.
STALE_WHILE_REVALIDATE = 60
# If Chorus is down or overloaded a cache may keep serving the last good page for a day:
# reading the explainer matters more than a count a few minutes old.
STALE_IF_ERROR = 24 * 3600

PRIVATE = "private, no-store"
# Distinct public paths kept in each process's page cache (campaign slugs, mostly).
PAGE_CACHE_ENTRIES = 256


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

    Visitors without cookies also share a copy kept in this process for PAGE_CACHE_SECONDS,
    so a site with no CDN in front renders a hot page a few times a second, not per view.
    The copy is kept by path: shared links carry tracking parameters (fbclid, utm_*) that
    would make every visit a new URL, so a public view must not depend on the query string.
    """

    @wraps(view)
    def wrapped(*args, **kwargs) -> Response:
        pages = _page_cache() if not request.cookies else None
        if pages is None:
            response = _render(view, args, kwargs)
        else:
            response = _shared_copy(pages, lambda: _render(view, args, kwargs))
        if response.status_code != 200:
            return response
        response.headers["Cache-Control"] = public_cache_control(
            current_app.config["COUNT_INTERVAL_SECONDS"]
        )
        return response.make_conditional(request)

    return wrapped


def _render(view: Callable, args: tuple, kwargs: dict) -> Response:
    response = make_response(view(*args, **kwargs))
    if response.status_code == 200:
        response.add_etag()
    return response


@dataclass(frozen=True)
class _Copy:
    expires: float
    body: bytes
    content_type: str
    etag: str

    def response(self) -> Response:
        response = Response(self.body, content_type=self.content_type)
        response.set_etag(self.etag)
        return response


def _page_cache() -> dict | None:
    if current_app.config["PAGE_CACHE_SECONDS"] <= 0:
        return None
    return current_app.extensions.setdefault("chorus_page_cache", {})


_refreshing: set[tuple[int, str]] = set()
_refreshing_lock = threading.Lock()


def _shared_copy(pages: dict, render: Callable[[], Response]) -> Response:
    """This process's copy of the page, rendered again by one thread when it expires.

    While that thread renders, the others keep serving the expired copy: after every expiry
    a hot page would otherwise be rendered by all of them at once.
    """
    key = request.path
    copy = pages.get(key)
    if copy is not None and copy.expires > time.monotonic():
        return copy.response()
    claim = (id(pages), key)
    with _refreshing_lock:
        if copy is not None and claim in _refreshing:
            return copy.response()
        _refreshing.add(claim)
    try:
        response = render()
        if response.status_code == 200 and not session.modified:
            _keep(pages, key, response)
        return response
    finally:
        with _refreshing_lock:
            _refreshing.discard(claim)


def _keep(pages: dict, key: str, response: Response) -> None:
    if len(pages) >= PAGE_CACHE_ENTRIES:
        pages.clear()  # crude but bounded: made-up slugs (404s) are never kept anyway
    expires = time.monotonic() + current_app.config["PAGE_CACHE_SECONDS"]
    etag, _ = response.get_etag()
    pages[key] = _Copy(expires, response.get_data(), response.content_type, etag)


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
