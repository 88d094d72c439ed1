"""Target pages: browse and search, delivery address and digest, custom targets, release,
and an office's private link and letter packets."""

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user

from app.errors import flash_errors, said
from app.extensions import db
from app.models import Role, Target, TargetKind
from app.organizer import bp
from app.organizer.access import requires
from app.organizer.forms import ActionForm, CustomTargetForm, OfficeLinkForm, TargetDeliveryForm
from app.services.targets import access, admin
from app.services.targets.admin import TargetError, TargetFilter
from app.services.targets.packets import letters_pdf
from app.urls import external_url

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


def _render_target(
    target: Target,
    form: TargetDeliveryForm | None = None,
    status: int = 200,
    link_form: OfficeLinkForm | None = None,
    link: str = "",
):
    page = render_template(
        "organizer/target.html",
        target=target,
        form=form or TargetDeliveryForm(obj=target),
        release_form=ActionForm(),
        link_form=link_form or OfficeLinkForm(),
        link=link,
        packets=access.campaigns_for(target),
        counts=admin.letter_counts([target.id])[target.id],
    )
    # A new private link is on this page once: no cache may keep it.
    return page, status, {"Cache-Control": "no-store"} if link else {}


@bp.get("/targets/<int:target_id>")
@requires(Role.VIEWER)
def target(target_id: int):
    """A target's details and its letters by delivery state."""
    target = db.get_or_404(Target, target_id)
    return _render_target(target)


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
        form.email.errors = [said(error)]
        return _render_target(target, form, 400)
    flash(gettext("Delivery settings saved."), "ok")
    return redirect(url_for("organizer.target", target_id=target.id))


@bp.post("/targets/<int:target_id>/release")
@requires(Role.ORGANIZER)
def release_held(target_id: int):
    """Queue a target's held letters now that it has an address."""
    target = db.get_or_404(Target, target_id)
    with flash_errors():
        released = admin.release_held(target, current_user)
        flash(
            gettext(
                "%(num)s held letter(s) queued for %(email)s.", num=released, email=target.email
            ),
            "ok",
        )
    return redirect(url_for("organizer.target", target_id=target.id))


@bp.post("/targets/<int:target_id>/link")
@requires(Role.ORGANIZER)
def create_link(target_id: int):
    """Create a private link for the office's staff and show it, this once."""
    target = db.get_or_404(Target, target_id)
    form = OfficeLinkForm()
    if not form.validate_on_submit():
        return _render_target(target, status=400, link_form=form)
    token = admin.open_office_link(target, current_user, form.days.data)
    return _render_target(target, link=external_url("targets.index", token=token))


@bp.post("/targets/<int:target_id>/revoke")
@requires(Role.ORGANIZER)
def revoke_links(target_id: int):
    """End every private link of the office now."""
    target = db.get_or_404(Target, target_id)
    revoked = admin.revoke_office_links(target, current_user)
    flash(
        gettext(
            "Revoked %(num)s live private link(s) for %(name)s.", num=revoked, name=target.name
        ),
        "ok",
    )
    return redirect(url_for("organizer.target", target_id=target.id))


# POSTs with a CSRF token: each download is audited, and a GET could be caused (and logged)
# by another site.
@bp.post("/targets/<int:target_id>/letters/<int:campaign_id>.pdf", defaults={"kind": "pdf"})
@bp.post("/targets/<int:target_id>/letters/<int:campaign_id>.csv", defaults={"kind": "csv"})
@requires(Role.ORGANIZER)
def packet(target_id: int, campaign_id: int, kind: str):
    """Download a campaign's letters to the office, as its staff see them (PDF or CSV)."""
    target = db.get_or_404(Target, target_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        campaign = admin.packet_for(target, campaign_id, current_user, kind)
    except TargetError:
        abort(404)
    filename = f"letters-{campaign.slug}-{target.id}.{kind}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if kind == "pdf":
        pdf = letters_pdf(target, campaign, access.letters_for(target, campaign))
        return Response(pdf, mimetype="application/pdf", headers=headers)
    csv_rows = stream_with_context(access.letters_csv(target, campaign))
    return Response(csv_rows, mimetype="text/csv", headers=headers)


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
            flash(gettext("Target added."), "ok")
            return redirect(url_for("organizer.target", target_id=target.id))
    return render_template("organizer/target_new.html", form=form)
