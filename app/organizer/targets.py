"""Target pages: browse and search, delivery address and digest, custom targets, release."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.errors import flash_errors
from app.extensions import db
from app.models import Role, Target, TargetKind
from app.organizer import bp
from app.organizer.access import requires
from app.organizer.forms import ActionForm, CustomTargetForm, TargetDeliveryForm
from app.services.targets import admin
from app.services.targets.admin import TargetError, TargetFilter

PER_PAGE = 50


@bp.get("/targets")
@requires(Role.VIEWER)
def targets():
    """Search targets by name, kind, state, district and whether they are active."""
    filters = TargetFilter(
        query=request.args.get("q", "")[:100],
        kind=request.args.get("kind", ""),
        state=request.args.get("state", "")[:2],
        district=request.args.get("district", "")[:16],
        active=request.args.get("active", "yes"),
    )
    page = request.args.get("page", 1, type=int)
    found, total = admin.search_targets(filters, page, PER_PAGE)
    return render_template(
        "organizer/targets.html",
        targets=found,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        filters=filters,
        kinds=TargetKind.LABELS,
        counts=admin.letter_counts([t.id for t in found]),
    )


def _render_target(target: Target, form: TargetDeliveryForm, status: int = 200):
    return render_template(
        "organizer/target.html",
        target=target,
        form=form,
        release_form=ActionForm(),
        counts=admin.letter_counts([target.id])[target.id],
    ), status


@bp.get("/targets/<int:target_id>")
@requires(Role.VIEWER)
def target(target_id: int):
    """A target's details and its letters by delivery state."""
    target = db.get_or_404(Target, target_id)
    return _render_target(target, TargetDeliveryForm(obj=target))


@bp.post("/targets/<int:target_id>/delivery")
@requires(Role.ORGANIZER)
def set_delivery(target_id: int):
    """Set or change where a target's letters go, and whether it takes a daily digest."""
    target = db.get_or_404(Target, target_id)
    form = TargetDeliveryForm()
    if not form.validate_on_submit():
        return _render_target(target, form, 400)
    try:
        admin.set_delivery(target, form.email.data or "", form.wants_digest.data, current_user)
    except TargetError as error:
        form.email.errors = [error.message]
        return _render_target(target, form, 400)
    flash("Delivery settings saved.", "ok")
    return redirect(url_for("organizer.target", target_id=target.id))


@bp.post("/targets/<int:target_id>/release")
@requires(Role.ORGANIZER)
def release_held(target_id: int):
    """Queue a target's held letters now that it has an address."""
    target = db.get_or_404(Target, target_id)
    with flash_errors():
        released = admin.release_held(target, current_user)
        flash(f"{released} held letter(s) queued for {target.email}.", "ok")
    return redirect(url_for("organizer.target", target_id=target.id))


@bp.route("/targets/new", methods=["GET", "POST"])
@requires(Role.ORGANIZER)
def new_target():
    """Add a custom target, such as a cabinet secretary or a committee chair."""
    form = CustomTargetForm()
    if form.validate_on_submit():
        with flash_errors():
            target = admin.add_custom_target(
                form.name.data,
                form.title.data or "",
                form.email.data or "",
                form.state.data or "",
                current_user,
            )
            flash("Target added.", "ok")
            return redirect(url_for("organizer.target", target_id=target.id))
    return render_template("organizer/target_new.html", form=form)
