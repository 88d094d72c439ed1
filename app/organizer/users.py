"""Admin pages: organizer accounts and the audit log."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from app.errors import flash_errors
from app.extensions import db
from app.models import Organizer, Role
from app.organizer import bp
from app.organizer.access import requires
from app.organizer.forms import AuditFilterForm, NewOrganizerForm, RoleForm
from app.services import audit
from app.services.workspace import accounts

AUDIT_PER_PAGE = 50


@bp.route("/users", methods=["GET", "POST"])
@requires(Role.ADMIN)
def users():
    """List accounts and create a new one."""
    form = NewOrganizerForm()
    if form.validate_on_submit():
        with flash_errors():
            accounts.create_organizer(
                form.email.data, form.password.data, form.role.data, created_by=current_user
            )
            flash(gettext("Account created for %(email)s.", email=form.email.data), "ok")
            return redirect(url_for("organizer.users"))
    return render_template("organizer/users.html", form=form, organizers=accounts.all_organizers())


@bp.post("/users/<int:organizer_id>")
@requires(Role.ADMIN)
def update_user(organizer_id: int):
    """Change an account's role, or disable it."""
    organizer = db.get_or_404(Organizer, organizer_id)
    form = RoleForm()
    if form.validate_on_submit():
        with flash_errors():
            accounts.set_role(organizer, form.role.data, form.active.data, current_user)
            flash(gettext("%(email)s saved.", email=organizer.email), "ok")
    return redirect(url_for("organizer.users"))


@bp.get("/audit")
@requires(Role.ADMIN)
def audit_log():
    """Who changed what, newest first, a page at a time, narrowed by action, actor, dates."""
    form = AuditFilterForm(request.args)
    form.actor.choices = [("", gettext("Anyone"))] + [
        (str(o.id), o.email) for o in accounts.all_organizers()
    ]
    form.action.choices = [("", gettext("Any action"))] + [(a, a) for a in audit.actions()]
    form.validate()
    page = request.args.get("page", 1, type=int)
    found, total = audit.events(form.to_filters(), page, AUDIT_PER_PAGE)
    return render_template(
        "organizer/audit.html",
        events=found,
        total=total,
        page=page,
        pages=max(1, -(-total // AUDIT_PER_PAGE)),
        form=form,
        readable=audit.readable,
    )
