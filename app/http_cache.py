"""HTTP caching: public pages a proxy or CDN may share for a few seconds; nothing else.

Why: in a viral spike almost every request is someone reading the same campaign page.
A CDN that may keep it for one count interval (the count cannot change faster than that)
answers nearly all of them, and Chorus's own workers are left for signatures.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import Flask, Response, current_app, make_response, request

from app import clock
from app.headers import set_default
from app.i18n import page_locale

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
    visitor, so `PrivateCookies` turns it private again. SharedPageCache keeps such pages
    by path, so a public view must not depend on the query string (shared links carry
    tracking parameters such as fbclid and utm_*).
    """

    @wraps(view)
    def wrapped(*args, **kwargs) -> Response:
        response = make_response(view(*args, **kwargs))
        if response.status_code != 200:
            return response
        response.add_etag()
        response.headers["Cache-Control"] = public_cache_control(
            current_app.config["COUNT_INTERVAL_SECONDS"]
        )
        if _CONDITIONAL.isdisjoint(request.environ):
            return response  # nothing to compare (most requests): werkzeug's check is 6% of a page
        return response.make_conditional(request)

    return wrapped


# The request headers a conditional answer (304, 412, 206) depends on, as WSGI names them.
_CONDITIONAL = frozenset(
    f"HTTP_{name}"
    for name in ("IF_NONE_MATCH", "IF_MODIFIED_SINCE", "IF_MATCH", "IF_UNMODIFIED_SINCE", "RANGE")
)


@dataclass(frozen=True)
class _Page:
    expires: float
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str

    def serve(self, environ: dict, start_response: Callable) -> list[bytes]:
        if self.etag and environ.get("HTTP_IF_NONE_MATCH", "") == self.etag:
            kept = [(k, v) for k, v in self.headers if k.lower() in _NOT_MODIFIED_HEADERS]
            start_response("304 NOT MODIFIED", kept)
            return []
        start_response(self.status, self.headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [self.body]


_NOT_MODIFIED_HEADERS = {"cache-control", "etag", "vary", "expires", "date"}


class SharedPageCache:
    """A tiny shared cache in front of the app, for readers without cookies.

    Why: with no CDN in front, a viral campaign page would be rendered for every reader.
    This keeps, per process and for PAGE_CACHE_SECONDS, what the app itself sent as
    `Cache-Control: public` without a cookie, and answers later cookie-less GETs for that
    path and language (app.i18n.page_locale) before Flask runs at all (304s included).
    When a copy expires one request renders a new one while the others keep getting the
    old copy, so a hot page is never rendered by every thread at once. Anything with a
    cookie, and anything not public, passes through.
    """

    def __init__(self, wsgi_app: Callable, seconds: float, entries: int = PAGE_CACHE_ENTRIES):
        self.wsgi_app = wsgi_app
        self.seconds = seconds
        self.entries = entries
        self._pages: dict[str, _Page] = {}
        self._refreshing: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Callable):
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD") or environ.get("HTTP_COOKIE"):
            return self.wsgi_app(environ, start_response)
        # The same path is a page per language: named by its URL prefix (in SCRIPT_NAME by
        # now) or, without one, chosen from Accept-Language.
        path = (
            f"{page_locale(environ)} {environ.get('SCRIPT_NAME', '')}{environ.get('PATH_INFO', '')}"
        )
        page = self._pages.get(path)
        if page is not None and page.expires > clock.monotonic():
            return page.serve(environ, start_response)
        with self._lock:
            if page is not None and path in self._refreshing:
                return page.serve(environ, start_response)
            self._refreshing.add(path)
        try:
            return self._render(path, environ, start_response)
        finally:
            with self._lock:
                self._refreshing.discard(path)

    def _render(self, path: str, environ: dict, start_response: Callable):
        sent: dict = {}

        def capture(status: str, headers: list, exc_info=None):
            sent.update(status=status, headers=headers)
            return start_response(status, headers, exc_info)

        app_iter = self.wsgi_app(environ, capture)
        if not (environ["REQUEST_METHOD"] == "GET" and _shareable(sent)):
            return app_iter
        try:
            body = b"".join(app_iter)
        finally:
            if hasattr(app_iter, "close"):
                app_iter.close()
        if len(self._pages) >= self.entries:
            self._pages.clear()  # crude but bounded: made-up slugs (404s) are never kept
        etag = next((v for k, v in sent["headers"] if k.lower() == "etag"), "")
        expires = clock.monotonic() + self.seconds
        self._pages[path] = _Page(expires, sent["status"], sent["headers"], body, etag)
        return [body]


def _shareable(sent: dict) -> bool:
    if not sent.get("status", "").startswith("200"):
        return False
    headers = {k.lower(): v for k, v in sent["headers"]}
    return "public" in headers.get("cache-control", "") and "set-cookie" not in headers


def _default_private(response: Response) -> Response:
    """Default every response to uncacheable."""
    set_default(response.headers, "Cache-Control", PRIVATE)
    return response


class PrivateCookies:
    """Turn any response that sets a cookie private, at the last moment before it leaves.

    Why here and not in an after_request hook: Flask adds the session cookie (a logged-in
    organizer's is refreshed on every request) and Flask-Login its remember cookie after
    such hooks have run, so only the finished headers tell for sure.
    """

    def __init__(self, wsgi_app: Callable):
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable):
        def guarded(status: str, headers: list, exc_info=None):
            names = {k.lower(): v for k, v in headers}
            if "set-cookie" in names and "public" in names.get("cache-control", ""):
                log.warning("%s set a cookie; not caching it publicly", environ.get("PATH_INFO"))
                headers = [(k, v) for k, v in headers if k.lower() != "cache-control"]
                headers.append(("Cache-Control", PRIVATE))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, guarded)


def register_http_cache(app: Flask) -> None:
    """Keep private responses out of shared caches; put the page cache in front when set."""
    app.after_request(_default_private)
    app.wsgi_app = PrivateCookies(app.wsgi_app)
    if app.config["PAGE_CACHE_SECONDS"] > 0:
        app.wsgi_app = SharedPageCache(app.wsgi_app, app.config["PAGE_CACHE_SECONDS"])
