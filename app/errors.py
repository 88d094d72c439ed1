"""Friendly error pages: no traceback ever reaches a visitor."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, flash, render_template, request
from flask_babel import gettext
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db, limiter
from app.i18n import N_
from app.services.errors import ChorusError

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
FORM_EXPIRED = N_("Your form expired. Please reload the page and try again.")

MESSAGES = {
    400: (N_("That request did not make sense"), N_("Please go back and try again.")),
    403: (N_("Not allowed"), N_("You do not have access to this page.")),
    404: (N_("Page not found"), N_("We could not find that page. It may have moved or ended.")),
    405: (N_("Not allowed"), N_("That action is not available here.")),
    413: (N_("Too much text"), N_("What you sent was too long. Please shorten it and try again.")),
    429: (N_("Slow down"), N_("Too many requests in a short time. Please wait a minute.")),
    500: (N_("Something went wrong"), N_("We could not finish that. Please try again shortly.")),
    503: (
        N_("We are very busy"),
        N_("Too many people are here at once. Please try again shortly."),
    ),
}


def error_page(status: int, detail: str | None = None):
    """The friendly page (or JSON) for status; detail, in English, is shown translated."""
    title, message = (gettext(text) for text in MESSAGES.get(status, MESSAGES[500]))
    detail = gettext(detail) if detail else None
    if (
        request.accept_mimetypes.best == "application/json"
        or request.path.endswith(".json")
        or request.path.startswith("/api/")
    ):
        return {"error": title, "detail": detail or message}, status
    in_workspace = request.blueprint == "organizer"
    page = render_template(
        "error.html",
        status=status,
        title=title,
        message=detail or message,
        in_workspace=in_workspace,
    )
    return page, status


def http_error(error: HTTPException):
    """The friendly page for an HTTP error, with its Retry-After when it has one."""
    body, status = error_page(error.code or 500)
    retry_after = getattr(error, "retry_after", None)
    return body, status, {"Retry-After": str(retry_after)} if retry_after else {}


def said(error: ChorusError) -> str:
    """A domain error's message in the reader's language, its placeholders filled in."""
    return gettext(error.message, **error.params)


@contextmanager
def flash_errors() -> Iterator[None]:
    """In a form view: show a ChorusError raised in the block as a flash message and carry
    on, so the view shows its page again with what was typed (the service's unit of work
    has rolled its changes back)."""
    try:
        yield
    except ChorusError as error:
        flash(said(error), "error")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ChorusError)
    def domain_error(error: ChorusError):
        # Anywhere else (a public page, a link), the friendly page says it in plain words.
        return error_page(400, said(error))

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return error_page(400, FORM_EXPIRED)

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error: RateLimitExceeded):
        body, status = error_page(429)
        return body, status, {"Retry-After": str(_seconds_until_limit_resets())}

    app.errorhandler(HTTPException)(http_error)

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def unstorable_input(error: Exception):
        # Input the database cannot hold (a NUL byte on PostgreSQL, a number out of range;
        # SQLite's driver raises OverflowError for an id past 64 bits) is the request's
        # fault, not the server's.
        log.info("input refused by the database: %s", getattr(error, "orig", error))
        db.session.rollback()
        return error_page(400)

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(error: Exception):
        # Database down or every connection busy: fail fast and ask the client to retry.
        log.warning("database unavailable: %s", error)
        db.session.rollback()
        body, status = error_page(503)
        return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}

    @app.errorhandler(InternalServerError)
    def failed_while_handling_an_error(error: InternalServerError):
        # An error page that needed the database (the sign form shown again) while the
        # database is down is still an outage, not a bug.
        if isinstance(error.original_exception, (OperationalError, PoolTimeout)):
            return database_unavailable(error.original_exception)
        log.error("error while handling an error on %s", request.path, exc_info=error)
        return error_page(500)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        log.exception("unhandled error on %s", request.path)
        db.session.rollback()
        return error_page(500)


def _seconds_until_limit_resets() -> int:
    current = limiter.current_limit
    if current is None:
        return 60
    window = current.limit.get_expiry()
    # The limits library stamps its windows with time.time(), not app.clock: compare alike.
    return min(window, max(1, math.ceil(current.reset_at - time.time())))
