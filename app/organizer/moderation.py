"""Moderation pages: the letter queue with bulk decisions, and the fraud view."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.errors import flash_errors
from app.extensions import db
from app.models import Campaign, Role
from app.organizer import bp
from app.organizer.access import requires
from app.organizer.forms import ActionForm
from app.services.workspace import moderation
from app.services.workspace.moderation import GROUPINGS, HIDE_COMMENT

DONE = {
    "approve": _l("%(num)s letter(s) approved."),
    "reject": _l("%(num)s letter(s) rejected: not sent, and their writers told."),
    HIDE_COMMENT: _l(
        "%(num)s comment(s) hidden; the letters still go, and their writers were told."
    ),
}


def _ids(name: str) -> list[int]:
    # ASCII only: "²".isdigit() holds, yet int("²") fails.
    return [int(v) for v in request.form.getlist(name) if v.isascii() and v.isdigit()]


@bp.get("/campaigns/<int:campaign_id>/moderation")
@requires(Role.ORGANIZER)
def moderation_queue(campaign_id: int):
    """Public comments and flagged letters waiting for a decision."""
    campaign = db.get_or_404(Campaign, campaign_id)
    return render_template(
        "organizer/moderation.html",
        campaign=campaign,
        letters=moderation.queue(campaign),
        form=ActionForm(),
    )


@bp.post("/campaigns/<int:campaign_id>/moderation")
@requires(Role.ORGANIZER)
def moderate(campaign_id: int):
    """Approve the selected letters, hide their comments, or reject them (once confirmed)."""
    campaign = db.get_or_404(Campaign, campaign_id)
    decision = request.form.get("decision", "")
    letter_ids = _ids("letter_id")
    # Rejecting stops letters for good: say so, and ask once more, before doing it.
    pending = moderation.awaiting(campaign, letter_ids) if decision == "reject" else []
    if pending and not request.form.get("confirmed"):
        return render_template(
            "organizer/moderation_reject.html",
            campaign=campaign,
            letters=pending,
            form=ActionForm(),
        )
    with flash_errors():
        decided = moderation.decide(campaign, letter_ids, decision, current_user)
        flash(DONE.get(decision, _l("%(num)s letter(s) decided.")) % {"num": decided}, "ok")
    return redirect(url_for("organizer.moderation_queue", campaign_id=campaign.id))


@bp.get("/campaigns/<int:campaign_id>/fraud")
@requires(Role.ORGANIZER)
def fraud(campaign_id: int):
    """Signatures grouped by IP hash or email domain; a chosen group is previewed."""
    campaign = db.get_or_404(Campaign, campaign_id)
    by = request.args.get("by", "ip")
    if by not in GROUPINGS:
        by = "ip"
    key = request.args.get("key", "")
    return render_template(
        "organizer/fraud.html",
        campaign=campaign,
        by=by,
        groups=moderation.suspicious_groups(campaign, by),
        preview=moderation.preview_invalidation(campaign, by, key) if key else None,
        form=ActionForm(),
    )


@bp.post("/campaigns/<int:campaign_id>/fraud")
@requires(Role.ORGANIZER)
def invalidate(campaign_id: int):
    """Mark every live signature in the previewed group fraudulent."""
    campaign = db.get_or_404(Campaign, campaign_id)
    by = request.form.get("by", "")
    with flash_errors():
        changed = moderation.invalidate(campaign, by, request.form.get("key", ""), current_user)
        flash(
            gettext("%(num)s signature(s) marked fraudulent; the count is updated.", num=changed),
            "ok",
        )
    return redirect(url_for("organizer.fraud", campaign_id=campaign.id, by=by))
