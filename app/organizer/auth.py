"""Logging organizers in and out."""

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user

from app import clock
from app.errors import RETRY_AFTER_SECONDS, error_page
from app.models import Role
from app.organizer import LOGGED_IN_AT, bp
from app.organizer.access import requires
from app.organizer.forms import LoginForm
from app.ratelimits import (
    LimiterUnavailable,
    forget_login_failures,
    note_login_failure,
    throttle_login,
)
from app.services.workspace.accounts import authenticate, end_sessions


def _safe_next(target: str | None) -> str:
    """Only a path inside the workspace: never an open redirect to another site."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/organizer/"):
        return url_for("organizer.dashboard")
    return parts.path


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; log an organizer in with email and password."""
    form = LoginForm()
    if request.method == "POST":
        try:
            throttle_login(request.form.get("email", ""))
        except LimiterUnavailable:
            body, status = error_page(
                503, gettext("Logging in is paused for a moment. Please try again.")
            )
            return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if form.validate_on_submit():
        organizer = authenticate(form.email.data, form.password.data)
        if organizer is not None:
            forget_login_failures(form.email.data)
            # Nothing from before login carries over; a permanent session ends after
            # PERMANENT_SESSION_LIFETIME.
            session.clear()
            session.permanent = True
            session[LOGGED_IN_AT] = clock.timestamp()  # ends it after that long, however busy
            login_user(organizer)
            return redirect(_safe_next(request.args.get("next")))
        note_login_failure(form.email.data)
        flash(gettext("That email and password do not match an active account."), "error")
    return render_template("organizer/login.html", form=form), 200 if not form.errors else 400


@bp.post("/logout")
@requires(Role.VIEWER)
def logout():
    """Log out: end this account's sessions everywhere (a copy of the cookie dies too)."""
    end_sessions(current_user)
    logout_user()
    session.clear()
    return redirect(url_for("organizer.login"))
