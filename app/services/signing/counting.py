"""Public counts: confirmed signatures added in batches, never COUNT(*) on a page view.

Why: the UK petitions site stalled in 2019 on one hot counter row updated per signature.
Here confirmation only flips the signature's own row; a periodic job folds every newly
confirmed (or withdrawn) signature into the campaign's count and its per-place tallies in
one transaction, and an exact recount can rebuild them all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import sqlalchemy as sa

from app import database
from app.clock import utcnow
from app.extensions import db
from app.models import Campaign, CampaignTally, Delivery, Letter, Signature, SignatureStatus
from app.services.campaigns import milestones
from app.services.unit_of_work import unit_of_work

Place = tuple[int, str, str]  # (campaign id, state, district)

# One counter at a time: workers on several machines may all run the periodic job.
_COUNTER_LOCK_KEY = 0x43484F52  # "CHOR"


# A letter counts once its writer's confirming click queued it (it has deliveries); one
# written after its signature was confirmed waits for its own click.
LETTER_QUEUED = sa.exists().where(Delivery.letter_id == Letter.id)


def count_late_letter(campaign_id: int) -> None:
    """Add a letter whose signature is already counted, in the caller's transaction."""
    db.session.execute(
        sa.update(Campaign)
        .where(Campaign.id == campaign_id)
        .values(letter_count=Campaign.letter_count + 1)
    )


def count_seen_by(signature: Signature) -> int:
    """The campaign's count as its signer should see it on confirming: the stored count,
    plus their own signature while the counting job has not added it yet.

    One statement reads the count and the signature's `counted` mark, which the job changes
    together in one transaction, so the signature is never added twice nor missed.
    """
    stored, counted, status = db.session.execute(
        sa.select(Campaign.signature_count, Signature.counted, Signature.status)
        .join(Signature, Signature.campaign_id == Campaign.id)
        .where(Signature.id == signature.id)
    ).one()
    return stored + (status == SignatureStatus.CONFIRMED and not counted)


def count_signatures() -> int:
    """Fold newly confirmed or withdrawn signatures into the counts; return how many changed."""
    with unit_of_work():
        if not database.try_lock(_COUNTER_LOCK_KEY):
            return 0
        added = _flip(counted=True, where=Signature.status == SignatureStatus.CONFIRMED)
        removed = _flip(counted=False, where=Signature.status != SignatureStatus.CONFIRMED)
        deltas: Counter[Place] = Counter()
        for row in added:
            deltas[(row.campaign_id, row.state, row.district)] += 1
        for row in removed:
            deltas[(row.campaign_id, row.state, row.district)] -= 1
        grown = _apply(deltas, _letter_deltas(added, removed))
        milestones.record_reached(grown)
    return len(added) + len(removed)


def _flip(counted: bool, where) -> list[sa.Row]:
    """Atomically mark signatures counted (or not) and return exactly the rows changed."""
    return db.session.execute(
        sa.update(Signature)
        .where(where, Signature.counted.is_(not counted))
        .values(counted=counted)
        .returning(Signature.id, Signature.campaign_id, Signature.state, Signature.district)
    ).all()


def _letter_deltas(added: list[sa.Row], removed: list[sa.Row]) -> Counter[int]:
    deltas: Counter[int] = Counter()
    for rows, sign in ((added, 1), (removed, -1)):
        for chunk in _chunks([row.id for row in rows], 5000):
            for campaign_id in db.session.scalars(
                sa.select(Letter.campaign_id).where(Letter.signature_id.in_(chunk), LETTER_QUEUED)
            ):
                deltas[campaign_id] += sign
    return deltas


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _apply(deltas: Counter[Place], letter_deltas: Counter[int]) -> set[int]:
    """Add the deltas to the counts and tallies; return the campaigns whose count grew."""
    per_campaign: Counter[int] = Counter()
    for (campaign_id, state, district), delta in deltas.items():
        per_campaign[campaign_id] += delta
        if delta:
            _add_to_tally(campaign_id, state, district, delta)
    now = utcnow()
    for campaign_id in set(per_campaign) | set(letter_deltas):
        db.session.execute(
            sa.update(Campaign)
            .where(Campaign.id == campaign_id)
            .values(
                signature_count=Campaign.signature_count + per_campaign[campaign_id],
                letter_count=Campaign.letter_count + letter_deltas[campaign_id],
                counted_at=now,
            )
        )
    return {campaign_id for campaign_id, delta in per_campaign.items() if delta > 0}


def _add_to_tally(campaign_id: int, state: str, district: str, delta: int) -> None:
    updated = db.session.execute(
        sa.update(CampaignTally)
        .where(
            CampaignTally.campaign_id == campaign_id,
            CampaignTally.state == state,
            CampaignTally.district == district,
        )
        .values(count=CampaignTally.count + delta)
    ).rowcount
    if not updated:
        db.session.add(
            CampaignTally(campaign_id=campaign_id, state=state, district=district, count=delta)
        )
        db.session.flush()


def recount() -> None:
    """Rebuild every count exactly from the signatures (the daily safety net)."""
    with unit_of_work():
        database.lock(_COUNTER_LOCK_KEY)
        session = db.session
        confirmed = Signature.status == SignatureStatus.CONFIRMED
        session.execute(sa.update(Signature).where(confirmed).values(counted=True))
        session.execute(sa.update(Signature).where(~confirmed).values(counted=False))
        session.execute(sa.delete(CampaignTally))
        tallies = session.execute(
            sa.select(Signature.campaign_id, Signature.state, Signature.district, sa.func.count())
            .where(confirmed)
            .group_by(Signature.campaign_id, Signature.state, Signature.district)
        ).all()
        session.add_all(
            CampaignTally(campaign_id=c, state=s, district=d, count=n) for c, s, d, n in tallies
        )
        letters = dict(
            session.execute(
                sa.select(Letter.campaign_id, sa.func.count())
                .join(Signature, Letter.signature_id == Signature.id)
                .where(confirmed, LETTER_QUEUED)
                .group_by(Letter.campaign_id)
            ).all()
        )
        totals: Counter[int] = Counter()
        for campaign_id, _, _, n in tallies:
            totals[campaign_id] += n
        now = utcnow()
        for campaign in session.scalars(sa.select(Campaign)):
            campaign.signature_count = totals[campaign.id]
            campaign.letter_count = letters.get(campaign.id, 0)
            campaign.counted_at = now
        session.flush()
        milestones.record_reached(set(totals))


def exact_counts(campaign: Campaign) -> tuple[int, int]:
    """(signatures, letters) counted now with COUNT(*): for checks and tests, not pages."""
    confirmed = sa.and_(
        Signature.campaign_id == campaign.id, Signature.status == SignatureStatus.CONFIRMED
    )
    signatures = db.session.scalar(sa.select(sa.func.count()).where(confirmed)) or 0
    letters = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Letter)
            .join(Signature, Letter.signature_id == Signature.id)
            .where(confirmed, LETTER_QUEUED)
        )
        or 0
    )
    return signatures, letters
