"""Refuse cross-site form posts without tokens, as Go's `http.CrossOriginProtection` does.

Why: the citizens' forms (sign, write, confirm, withdraw) are on pages shared by caches
and must work in one press without JavaScript and without a cookie, so they cannot carry
a per-browser CSRF token. Every browser in use says where a POST comes from: modern ones
send `Sec-Fetch-Site`, older ones at least `Origin`. A request with neither comes from a
non-browser client (curl, a mail provider's one-click unsubscribe, a webhook), which a
cross-site attack cannot use. The organizer workspace and the representatives' pages keep
their CSRF tokens as well.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request

from app.errors import error_page

_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# `none`: the user typed the URL or followed a bookmark, which no other site can cause.
_SAME_SITE_FETCHES = {"same-origin", "none"}


# The embeddable sign form posts from inside partners' pages, which are other sites.
_POSTED_FROM_OTHER_SITES = {"public.embed_sign"}


def is_cross_origin() -> bool:
    """Whether this request is a state-changing one sent by a page of another site (the
    embed's form excepted)."""
    if request.method in _SAFE_METHODS or request.endpoint in _POSTED_FROM_OTHER_SITES:
        return False
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site not in _SAME_SITE_FETCHES
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    site = urlsplit(current_app.config["BASE_URL"])
    # The request's own host too, as Go compares it: behind a proxy that terminates TLS
    # the scheme may differ from what the browser saw.
    return origin != f"{site.scheme}://{site.netloc}" and urlsplit(origin).netloc != request.host


def _refuse_cross_origin():
    if is_cross_origin():
        return error_page(
            403,
            "This form was sent from another website, so we did not act on it. "
            "Please open the page on this site and try again.",
        )
    return None


def register_cross_origin_protection(app: Flask) -> None:
    """Check where every POST (PUT, DELETE...) comes from before any view runs."""
    app.before_request(_refuse_cross_origin)
