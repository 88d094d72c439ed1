"""Daily digests: one email a day to each target that takes one, instead of one per letter,
with the count of new constituent signatures on the petitions that go to it.

Letters to a digest target are held (app/services/letters.py). Once a day each such target
gets a Delivery keyed "digest:<target>:<date>": the unique key makes the digest happen once
per target per day however many workers or beat processes run. Creating the digest tags the
held letters it will carry (their provider_message_id is the digest's key), so letters that
arrive later wait for the next day's digest; when the digest is sent they are marked sent.

The signatures a digest counts are those its target's constituents (the petition packets'
rule, targets/petition.py) confirmed since the target's previous digest that reached it,
or in the day before the first; a digest with signatures and no letters still goes out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.clock import utcnow
from app.extensions import db
from app.models import Delivery, DeliveryKind, DeliveryStatus, Letter, Moderation, Target
from app.services.csv_safety import csv_text
from app.services.delivery import outbox
from app.services.targets import access, petition
from app.services.unit_of_work import unit_of_work


def _cleared_letters() -> sa.Select:
    # Letters held for a moderator (flagged) wait until one approves them.
    return sa.select(Letter.id).where(
        sa.or_(Letter.flags == "", Letter.moderation == Moderation.APPROVED)
    )


def _waiting(target_id: int | None = None) -> list:
    conditions = [
        Delivery.kind == DeliveryKind.LETTER,
        Delivery.status == DeliveryStatus.HELD,
        Delivery.provider_message_id == "",
        Delivery.letter_id.in_(_cleared_letters()),
    ]
    if target_id is not None:
        conditions.append(Delivery.target_id == target_id)
    return conditions


def digest_key(target_id: int | str, day: date) -> str:
    return f"digest:{target_id}:{day.isoformat()}"


def digest_day(digest: Delivery) -> date:
    """The day a digest delivery covers, from its key."""
    return date.fromisoformat(digest.dedupe_key.rpartition(":")[2])


def queue_digests(day: date | None = None) -> int:
    """Create the day's digest for every target with letters waiting; return how many.

    Idempotent: run it as often as you like (every worker round, every beat tick).
    """
    day = day or utcnow().date()
    with unit_of_work():
        _return_letters_of_undelivered_digests()
        waiting = set(db.session.scalars(sa.select(Delivery.target_id).where(*_waiting())))
        done_today = sa.select(Delivery.target_id).where(
            Delivery.kind == DeliveryKind.DIGEST, Delivery.dedupe_key.like(digest_key("%", day))
        )
        targets = db.session.scalars(
            sa.select(Target).where(
                Target.wants_digest.is_(True),
                Target.active.is_(True),
                Target.email != "",
                Target.id.not_in(done_today),
            )
        ).all()
        created = 0
        for target in targets:
            if target.id in waiting or _signed_since_last_digest(target):
                created += _queue_digest(target, day)
    return created


def _signed_since_last_digest(target: Target) -> bool:
    now = utcnow()
    return any(n for _, n in new_signatures(target, _window_start(target.id, None, now), now))


def new_signatures(target: Target, since: datetime, until: datetime) -> list[tuple[str, int]]:
    """(campaign title, count) of target's constituents' signatures confirmed in the
    window, for each campaign whose petition goes to target and has some."""
    counts = (
        (campaign.title, petition.new_constituent_count(campaign, target, since, until))
        for campaign in petition.campaigns_targeting(target)
    )
    return [(title, n) for title, n in counts if n]


def _window_start(target_id: int, digest_id: int | None, until: datetime) -> datetime:
    """When the signatures a digest counts start: when the target's previous digest (before
    digest_id, if given) that reached it was made, or a day before until for the first."""
    conditions = [
        Delivery.kind == DeliveryKind.DIGEST,
        Delivery.target_id == target_id,
        Delivery.status.not_in(_UNDELIVERED),
    ]
    if digest_id is not None:
        conditions.append(Delivery.id < digest_id)
    previous = db.session.scalar(
        sa.select(Delivery.created_at).where(*conditions).order_by(Delivery.id.desc()).limit(1)
    )
    return previous or until - timedelta(days=1)


def digest_signatures(digest: Delivery) -> list[tuple[str, int]]:
    """The new constituent signatures a digest reports, by campaign (see new_signatures)."""
    target = db.session.get(Target, digest.target_id)
    until = digest.created_at
    return new_signatures(target, _window_start(target.id, digest.id, until), until)


# A digest that ended in one of these never reached the office.
_UNDELIVERED = (
    DeliveryStatus.FAILED,
    DeliveryStatus.SUPPRESSED,
    DeliveryStatus.CANCELLED,
    DeliveryStatus.BOUNCED,
    DeliveryStatus.DROPPED,
)


def _return_letters_of_undelivered_digests() -> None:
    """Hold the letters of a digest that never reached the office again, untagged, so the
    next one carries them. A digest that went out and then bounced or was dropped (a
    provider event, after the fact) had marked its letters sent: they come back too."""
    undelivered = sa.select(Delivery.dedupe_key).where(
        Delivery.kind == DeliveryKind.DIGEST, Delivery.status.in_(_UNDELIVERED)
    )
    db.session.execute(
        sa.update(Delivery)
        .where(
            Delivery.kind == DeliveryKind.LETTER,
            Delivery.status.in_((DeliveryStatus.HELD, DeliveryStatus.SENT)),
            Delivery.provider_message_id.in_(undelivered),
        )
        .values(status=DeliveryStatus.HELD, provider_message_id="", sent_at=None)
        .execution_options(synchronize_session=False)
    )


def _queue_digest(target: Target, day: date) -> int:
    key = digest_key(target.id, day)
    try:
        with db.session.begin_nested():
            delivery = outbox.enqueue(DeliveryKind.DIGEST, key, target.email, target_id=target.id)
            if delivery is None:
                return 0
            db.session.flush()
            db.session.execute(
                sa.update(Delivery)
                .where(*_waiting(target.id))
                .values(provider_message_id=key)
                .execution_options(synchronize_session=False)
            )
    except IntegrityError:
        # Another worker created this digest a moment ago: theirs carries the letters.
        return 0
    return 1


@dataclass(frozen=True)
class DigestLetter:
    """One letter as a digest shows it."""

    campaign: str
    name: str
    email: str
    zip: str
    state: str
    district: str  # in the target's chamber (access.district_for)
    constituency: str  # the same in words
    subject: str
    body: str
    written_at: datetime


def digest_letters(digest: Delivery) -> list[DigestLetter]:
    """The letters a digest carries that are still to be delivered, oldest first."""
    letters = db.session.scalars(
        sa.select(Letter)
        .join(Delivery, Delivery.letter_id == Letter.id)
        .where(
            Delivery.kind == DeliveryKind.LETTER,
            Delivery.target_id == digest.target_id,
            Delivery.status == DeliveryStatus.HELD,
            Delivery.provider_message_id == digest.dedupe_key,
        )
        .order_by(Letter.created_at, Letter.id)
    ).all()
    target = db.session.get(Target, digest.target_id)
    return [
        DigestLetter(
            campaign=letter.signature.campaign.title,
            name=letter.signature.name,
            # The signer's address only when they agreed to be answered.
            email=(letter.signature.email or "") if letter.reply_to_ok else "",
            zip=letter.signature.zip,
            state=letter.signature.state,
            district=access.district_for(target, letter),
            constituency=access.constituency(target, letter),
            subject=letter.subject,
            body=letter.body,
            written_at=letter.created_at,
        )
        for letter in letters
    ]


def letters_csv(letters: list[DigestLetter]) -> bytes:
    """Every letter of a digest as CSV, safe to open in a spreadsheet."""
    header = ["written_at", "campaign", "name", "email", "zip", "state", "district"]
    header += ["subject", "body"]
    rows = (
        (
            letter.written_at,
            letter.campaign,
            letter.name,
            letter.email,
            letter.zip,
            letter.state,
            letter.district,
            letter.subject,
            letter.body,
        )
        for letter in letters
    )
    return csv_text(header, rows).encode()


def mark_letters_sent(key: str, sent_at: datetime) -> list[int]:
    """Mark the held letters a sent digest carried as sent, in the caller's transaction;
    return their letters' ids."""
    return list(
        db.session.scalars(
            sa.update(Delivery)
            .where(
                Delivery.kind == DeliveryKind.LETTER,
                Delivery.status == DeliveryStatus.HELD,
                Delivery.provider_message_id == key,
            )
            .values(status=DeliveryStatus.SENT, sent_at=sent_at)
            .returning(Delivery.letter_id)
            .execution_options(synchronize_session=False)
        )
    )
