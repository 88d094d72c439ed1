"""Passwords: an organizer changes their own, or resets a forgotten one by email link."""

from flask import flash, redirect, render_template, session, url_for
from flask_login import current_user, login_user

from app import clock
from app.errors import flash_errors
from app.extensions import limiter
from app.models import Role
from app.organizer import LOGGED_IN_AT, bp
from app.organizer.access import requires
from app.organizer.forms import PasswordChangeForm, ResetForm, ResetRequestForm
from app.ratelimits import login_limit
from app.services.workspace import accounts
from app.services.workspace.accounts import MIN_PASSWORD_LENGTH


def _log_in_again(organizer) -> None:
    # A new password ended every session, this one included: start a fresh one here.
    session.clear()
    session.permanent = True
    session[LOGGED_IN_AT] = clock.timestamp()
    login_user(organizer)


@bp.route("/password", methods=["GET", "POST"])
@requires(Role.VIEWER)
@limiter.limit(login_limit, methods=["POST"])
def change_password():
    """Change one's own password, given the current one; other devices are logged out."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        with flash_errors():
            accounts.change_password(current_user, form.current.data, form.new.data)
            _log_in_again(current_user._get_current_object())
            flash("Your password is changed; other devices were logged out.", "ok")
            return redirect(url_for("organizer.dashboard"))
    return render_template(
        "organizer/password.html", form=form, minimum=MIN_PASSWORD_LENGTH, title="Change password"
    )


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def request_reset():
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        return render_template("organizer/reset_sent.html", email=form.email.data)
    return render_template("organizer/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def reset_password(token: str):
    """Choose a new password from an emailed link (expiring, and good for one use)."""
    organizer = accounts.organizer_for_reset(token)
    form = ResetForm()
    if form.validate_on_submit():
        with flash_errors():
            accounts.reset_password(token, form.new.data)
            _log_in_again(organizer)
            flash("Your new password is set.", "ok")
            return redirect(url_for("organizer.dashboard"))
    return render_template(
        "organizer/password.html",
        form=form,
        minimum=MIN_PASSWORD_LENGTH,
        title="Choose a new password",
    )
