"""Languages: which one a reader gets, and how a page says it in theirs.

Order of choice: the URL (`/es/...`, `/en/...`), then the reader's remembered choice (a
cookie set only by the language switcher), then the browser's Accept-Language, then English.
The URL prefix is moved into SCRIPT_NAME before Flask sees the request, so every route
exists once and every `url_for` link on a Spanish page stays Spanish.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from babel import Locale
from flask import Flask, Response, g, has_request_context, request
from flask_babel import Babel, get_locale, refresh
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from app.headers import add_vary

LOCALES = ("en", "es")
DEFAULT_LOCALE = "en"
NAMES = {"en": "English", "es": "Español"}
# Set only when a reader picks a language from the switcher.
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
# Where the WSGI middleware leaves the locale named by the URL prefix.
URL_LOCALE = "chorus.url_locale"


class LocalePrefix:
    """Move a leading /es or /en from PATH_INFO into SCRIPT_NAME and remember it."""

    def __init__(self, wsgi_app: Callable):
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable):
        path = environ.get("PATH_INFO", "")
        first, _, rest = path[1:].partition("/")
        if first in LOCALES:
            environ[URL_LOCALE] = first
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "").rstrip("/") + "/" + first
            environ["PATH_INFO"] = "/" + rest
        return self.wsgi_app(environ, start_response)


# Browsers send a handful of distinct headers; a flood of made-up ones only churns the cache.
@lru_cache(maxsize=256)
def header_locale(accept_language: str) -> str:
    """The best of our locales for an Accept-Language header (English when none fits)."""
    accepted = parse_accept_header(accept_language, LanguageAccept)
    return accepted.best_match(LOCALES, default=DEFAULT_LOCALE)


def page_locale(environ: dict) -> str:
    """The locale of a page for a reader without cookies: from the URL, else the header.

    The shared page cache keys its copies by this, so it must agree with select_locale.
    """
    return environ.get(URL_LOCALE) or header_locale(environ.get("HTTP_ACCEPT_LANGUAGE", ""))


def select_locale() -> Locale | None:
    """Flask-Babel's locale selector: None (the default) outside a request, e.g. in workers,
    which choose a reader's language with force_locale."""
    if not has_request_context():
        return None
    return _PARSED[request_locale()]


def request_locale() -> str:
    """The language the current request asks for, as a plain code: the URL's, else the
    reader's remembered choice, else the browser's. What select_locale gives Flask-Babel,
    without Flask-Babel's look-ups (a twentieth of a page served from its rendered copy);
    current_locale is the one to use where a force_locale may be in effect."""
    remembered = None if URL_LOCALE in request.environ else request.cookies.get(COOKIE)
    return remembered if remembered in LOCALES else page_locale(request.environ)


# Parsed once: Flask-Babel parses a code the selector returns on every request.
_PARSED = {code: Locale.parse(code) for code in LOCALES}


def current_locale() -> str:
    """The locale being rendered now, as a plain code ("en", "es")."""
    return str(get_locale() or DEFAULT_LOCALE)


def _vary_on_language(response: Response) -> Response:
    # A page whose URL names no language was chosen from the headers: caches must keep
    # one copy per language asked for.
    if URL_LOCALE not in request.environ:
        add_vary(response.headers, "Accept-Language")
    return response


def _choose_locale_afresh() -> None:
    # Flask-Babel keeps the chosen locale on the app context's `g`, which a request may
    # share (a CLI command or test issuing several). A request that pushed its own (every
    # request a server gets) has nothing to forget, and skips refresh's cost.
    if "_flask_babel" in g:
        refresh()


def register_i18n(app: Flask) -> None:
    """Set up Flask-Babel and the /es, /en URL prefixes (outermost, before the page cache)."""
    Babel(app, locale_selector=select_locale, default_locale=DEFAULT_LOCALE)
    # Whitespace in {% trans %} blocks is collapsed, so catalog entries read as sentences.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.before_request(_choose_locale_afresh)
    app.after_request(_vary_on_language)
    app.wsgi_app = LocalePrefix(app.wsgi_app)


def N_(message: str) -> str:
    """Mark a message for the catalog without translating it: it is translated where it is
    shown (gettext at the edge), in the reader's language rather than the process's."""
    return message
