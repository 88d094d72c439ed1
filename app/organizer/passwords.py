"""Passwords: an organizer changes their own, or resets a forgotten one by email link."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_user

from app import clock
from app.errors import RETRY_AFTER_SECONDS, error_page, flash_errors
from app.models import Role
from app.organizer import LOGGED_IN_AT, bp
from app.organizer.access import requires
from app.organizer.forms import PasswordChangeForm, ResetForm, ResetRequestForm
from app.ratelimits import LimiterUnavailable, note_login_failure, throttle_login
from app.services.workspace import accounts
from app.services.workspace.accounts import MIN_PASSWORD_LENGTH


def _throttled(email: str):
    """Guessing a password here is throttled as at login (per IP and per account, failing
    closed); None when the attempt may go ahead, else the page to answer with."""
    if request.method != "POST":
        return None
    try:
        throttle_login(email)
    except LimiterUnavailable:
        body, status = error_page(503, gettext("This is paused for a moment. Please try again."))
        return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return None


def _log_in_again(organizer) -> None:
    # A new password ended every session, this one included: start a fresh one here.
    session.clear()
    session.permanent = True
    session[LOGGED_IN_AT] = clock.timestamp()
    login_user(organizer)


@bp.route("/password", methods=["GET", "POST"])
@requires(Role.VIEWER)
def change_password():
    """Change one's own password, given the current one; other devices are logged out."""
    if refused := _throttled(current_user.email):
        return refused
    form = PasswordChangeForm()
    if form.validate_on_submit():
        with flash_errors():
            if not accounts.password_matches(current_user, form.current.data):
                note_login_failure(current_user.email)
            accounts.change_password(current_user, form.current.data, form.new.data)
            _log_in_again(current_user._get_current_object())
            flash(gettext("Your password is changed; other devices were logged out."), "ok")
            return redirect(url_for("organizer.dashboard"))
    return render_template(
        "organizer/password.html",
        form=form,
        minimum=MIN_PASSWORD_LENGTH,
        title=gettext("Change password"),
    )


@bp.route("/reset", methods=["GET", "POST"])
def request_reset():
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    if refused := _throttled(request.form.get("email", "")):
        return refused
    form = ResetRequestForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        return render_template("organizer/reset_sent.html", email=form.email.data)
    return render_template("organizer/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from an emailed link (expiring, and good for one use)."""
    organizer = accounts.organizer_for_reset(token)
    if refused := _throttled(organizer.email):
        return refused
    form = ResetForm()
    if form.validate_on_submit():
        with flash_errors():
            accounts.reset_password(token, form.new.data)
            _log_in_again(organizer)
            flash(gettext("Your new password is set."), "ok")
            return redirect(url_for("organizer.dashboard"))
    return render_template(
        "organizer/password.html",
        form=form,
        minimum=MIN_PASSWORD_LENGTH,
        title=gettext("Choose a new password"),
    )
