"""Managing targets from the organizer workspace: search, addresses, custom targets."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from app.clock import utcnow
from app.extensions import db
from app.i18n import N_
from app.models import (
    Campaign,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Letter,
    Moderation,
    Organizer,
    Target,
    TargetKind,
)
from app.services import audit, text
from app.services.errors import ChorusError
from app.services.paging import page_offset
from app.services.targets import access
from app.services.unit_of_work import unit_of_work

# How the outbox's statuses read to an organizer looking at one target's letters.
LETTER_BUCKETS = {
    "delivered": (DeliveryStatus.SENT, DeliveryStatus.DELIVERED),
    "waiting": (DeliveryStatus.QUEUED, DeliveryStatus.SENDING, DeliveryStatus.DEFERRED),
    "held": (DeliveryStatus.HELD,),
    "failed": (
        DeliveryStatus.FAILED,
        DeliveryStatus.BOUNCED,
        DeliveryStatus.DROPPED,
        DeliveryStatus.SPAM,
        DeliveryStatus.SUPPRESSED,
    ),
}
_BUCKET_OF = {status: bucket for bucket, statuses in LETTER_BUCKETS.items() for status in statuses}


class TargetError(ChorusError):
    message = N_("The target could not be saved.")


@dataclass(frozen=True)
class TargetFilter:
    query: str = ""
    kind: str = ""
    state: str = ""
    district: str = ""
    # "yes", "no" or "" for either.
    active: str = "yes"


def search_targets(
    filters: TargetFilter, page: int = 1, per_page: int = 50
) -> tuple[list[Target], int]:
    """One page of targets matching the filters, and how many match in all."""
    conditions = []
    if filters.query:
        like = f"%{filters.query.strip().lower()}%"
        conditions.append(
            sa.or_(sa.func.lower(Target.name).like(like), sa.func.lower(Target.title).like(like))
        )
    if filters.kind:
        conditions.append(Target.kind == filters.kind)
    if filters.state:
        conditions.append(Target.state == filters.state.upper())
    if filters.district:
        conditions.append(Target.district == filters.district)
    if filters.active in ("yes", "no"):
        conditions.append(Target.active.is_(filters.active == "yes"))
    total = db.session.scalar(sa.select(sa.func.count(Target.id)).where(*conditions)) or 0
    targets = db.session.scalars(
        sa.select(Target)
        .where(*conditions)
        # Shorter first among digits: district 2 before 10 ("10" < "2" as text).
        .order_by(
            Target.state,
            Target.kind,
            sa.func.length(Target.district),
            Target.district,
            Target.name,
        )
        .limit(per_page)
        .offset(page_offset(page, per_page))
    )
    return list(targets), total


def letter_counts(target_ids: list[int]) -> dict[int, dict[str, int]]:
    """For each target, how many of its letters are delivered, waiting, held and failed."""
    counts = {tid: dict.fromkeys(LETTER_BUCKETS, 0) for tid in target_ids}
    if not target_ids:
        return counts
    rows = db.session.execute(
        sa.select(Delivery.target_id, Delivery.status, sa.func.count())
        .where(Delivery.kind == DeliveryKind.LETTER, Delivery.target_id.in_(target_ids))
        .group_by(Delivery.target_id, Delivery.status)
    )
    for target_id, status, n in rows:
        bucket = _BUCKET_OF.get(status)
        if bucket:
            counts[target_id][bucket] += n
    return counts


def clean_email(email: str) -> str:
    """A normalised delivery address, or TargetError saying what is wrong with it."""
    email = email.strip()
    if not email:
        return ""
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise TargetError(
            N_("That is not a usable email address: %(why)s"), why=str(error)
        ) from error


def set_delivery(target: Target, email: str, wants_digest: bool, organizer: Organizer) -> Target:
    """Set where a target's letters go (an empty address keeps them held) and how."""
    with unit_of_work():
        email = clean_email(email)
        if email != target.email:
            audit.record(organizer, "target.address", target, email=[target.email, email])
            target.email = email
            # Organizer-set addresses (or an organizer's removal) survive data re-imports.
            target.email_set_by_organizer = True
        if wants_digest != target.wants_digest:
            audit.record(organizer, "target.digest", target, wants_digest=wants_digest)
            target.wants_digest = wants_digest
        return target


def add_custom_target(
    name: str, title: str, email: str, state: str, organizer: Organizer
) -> Target:
    """Add a decision-maker that campaigns can name as a fixed target.

    Name and title are cleaned as citizens' text is: letters carry them in their headers.
    """
    with unit_of_work():
        name = text.one_line(name)
        if not name:
            raise TargetError(N_("A target needs a name."))
        target = Target(
            kind=TargetKind.CUSTOM,
            name=name,
            title=text.one_line(title),
            state=state.strip().upper(),
            email=clean_email(email),
            email_set_by_organizer=bool(email.strip()),
        )
        db.session.add(target)
        db.session.flush()
        audit.record(organizer, "target.create", target, name=target.name, email=target.email)
        return target


def release_held(target: Target, organizer: Organizer) -> int:
    """Queue the target's held letters for sending to its address; return how many."""
    with unit_of_work():
        if not target.email:
            raise TargetError(N_("Set a delivery address before releasing held letters."))
        if target.wants_digest:
            raise TargetError(
                N_("This target takes a daily digest: its held letters go out in it.")
            )
        # A flagged letter stays held until a moderator approves it.
        awaiting_moderation = sa.select(Letter.id).where(
            Letter.flags != "", Letter.moderation != Moderation.APPROVED
        )
        released = db.session.execute(
            sa.update(Delivery)
            .where(
                Delivery.kind == DeliveryKind.LETTER,
                Delivery.target_id == target.id,
                Delivery.status == DeliveryStatus.HELD,
                Delivery.letter_id.not_in(awaiting_moderation),
            )
            .values(status=DeliveryStatus.QUEUED, recipient=target.email, next_attempt_at=utcnow())
        ).rowcount
        audit.record(organizer, "target.release", target, released=released, email=target.email)
        return released


def open_office_link(target: Target, organizer: Organizer, days: int) -> str:
    """Create a private link for a representative's office; return it (shown only once)."""
    with unit_of_work():
        audit.record(organizer, "target.link", target, days=days)
        return access.create_access(target, days, created_by=organizer)


def revoke_office_links(target: Target, organizer: Organizer) -> int:
    """End every private link of a representative's office now; return how many were live."""
    with unit_of_work():
        audit.record(organizer, "target.revoke", target)
        return access.revoke_access(target)


def packet_for(target: Target, campaign_id: int, organizer: Organizer, kind: str) -> Campaign:
    """The campaign whose letters to target an organizer downloads ("pdf" or "csv"), with the
    download audited: the packet holds writers' names and addresses. TargetError when that
    campaign sent target no letters."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.id not in {c.campaign.id for c in access.campaigns_for(target)}:
        raise TargetError(N_("This campaign sent this office no letters."))
    with unit_of_work():
        audit.record(organizer, f"target.packet_{kind}", target, campaign_id=campaign.id)
    return campaign
