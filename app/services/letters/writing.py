"""Letters: writing one on a signature, queueing its deliveries once confirmed, showing comments."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    Campaign,
    Delivery,
    DeliveryChannel,
    DeliveryKind,
    DeliveryStatus,
    Letter,
    Moderation,
    Signature,
    Target,
)
from app.services import text
from app.services.delivery import outbox
from app.services.letters import carriers, receipts
from app.services.tokens import keyed_hash

DUPLICATE_FLAG = "duplicate"
LINK_FLAG = "link"
PROFANITY_FLAG = "profanity"
RATE_LIMITED_FLAG = "rate_limited"


@dataclass(frozen=True)
class LetterDraft:
    """What a signer wrote and agreed to, and who it goes to (already routed)."""

    subject: str
    body: str
    targets: tuple[Target, ...]
    reply_to_ok: bool = False
    public_comment: bool = False
    upper_district: str = ""
    lower_district: str = ""
    # Why letters to some chambers wait (Route.held_reason).
    held_reason: str = ""
    # What CWC requires of the writer beyond name, email and ZIP (see carriers.need_address).
    prefix: str = ""
    street_address: str = ""
    city: str = ""


def body_hash(body: str) -> str:
    """The same for bodies that differ only in case and spacing: spots copy-paste duplicates."""
    normalised = " ".join(text.paragraphs(body).casefold().split())
    # Keyed: the hash outlives a withdrawal, and unkeyed it would confirm a guessed text.
    return keyed_hash(normalised, 64)


def attach_letter(signature: Signature, draft: LetterDraft) -> Letter:
    """Add the signer's letter to their signature, in the caller's transaction.

    Records whether they changed the campaign's template. A flagged letter (see
    letter_flags) is held for a moderator, and a public comment also waits for one before
    it is shown.
    """
    campaign = signature.campaign
    subject, body = text.one_line(draft.subject, 200), text.paragraphs(draft.body)
    digest = body_hash(body)
    edited = digest != body_hash(campaign.letter_body) or subject != text.one_line(
        campaign.letter_subject, 200
    )
    public = draft.public_comment and campaign.collects_comments
    flags = letter_flags(campaign, signature, subject, body, digest)
    letter = Letter(
        signature=signature,
        campaign_id=campaign.id,
        subject=subject,
        body=body,
        edited=edited,
        body_hash=digest,
        reply_to_ok=draft.reply_to_ok,
        public_comment=public,
        moderation=Moderation.PENDING if public or flags else Moderation.NONE,
        flags=",".join(flags),
        state_upper_district=draft.upper_district,
        state_lower_district=draft.lower_district,
        held_reason=draft.held_reason,
        prefix=draft.prefix,
        street_address=text.one_line(draft.street_address, 200),
        city=text.one_line(draft.city, 100),
        targets=list(draft.targets),
    )
    db.session.add(letter)
    return letter


def letter_flags(
    campaign: Campaign, signature: Signature, subject: str, body: str, digest: str
) -> list[str]:
    """Why a moderator should read a letter before it goes out (empty when nothing is odd)."""
    flags = []
    if _is_duplicate(campaign, signature, digest):
        flags.append(DUPLICATE_FLAG)
    if text.has_link(subject) or text.has_link(body):
        flags.append(LINK_FLAG)
    if text.has_profanity(subject) or text.has_profanity(body):
        flags.append(PROFANITY_FLAG)
    if signature.review_reason:
        flags.append(RATE_LIMITED_FLAG)
    return flags


def _is_duplicate(campaign: Campaign, signature: Signature, digest: str) -> bool:
    if not signature.ip_hash:
        return False
    return (
        db.session.scalar(
            sa.select(Letter.id)
            .join(Signature, Letter.signature_id == Signature.id)
            .where(
                Letter.campaign_id == campaign.id,
                Letter.body_hash == digest,
                Signature.ip_hash == signature.ip_hash,
                Signature.id != signature.id,
            )
            .limit(1)
        )
        is not None
    )


def queue_letter(letter: Letter) -> int:
    """Add one Delivery per target of a confirmed letter, in the caller's transaction.

    Idempotent (one row per letter and target). Each target's carrier says how it goes: by
    email, through CWC (the row's recipient is the office code), or held for its private
    page, printed packet or digest; a flagged letter no moderator has approved yet is held
    too. A letter a moderator rejected before its writer confirmed is recorded as
    cancelled: it never goes out. Addresses are never invented. Returns how many
    deliveries were added (0 when the letter was queued before).
    """
    rejected = letter.moderation == Moderation.REJECTED
    awaits_moderator = bool(letter.flags) and letter.moderation != Moderation.APPROVED
    added = 0
    for target in letter.targets:
        way = carriers.carrier(target, has_address=bool(letter.street_address))
        delivery = outbox.enqueue(
            DeliveryKind.LETTER,
            f"letter:{letter.id}:{target.id}",
            way.recipient,
            channel=way.channel,
            campaign_id=letter.campaign_id,
            signature_id=letter.signature_id,
            letter_id=letter.id,
            target_id=target.id,
        )
        if delivery is None:
            continue
        added += 1
        if rejected:
            delivery.status = DeliveryStatus.CANCELLED
        elif way.held or awaits_moderator:
            delivery.status = DeliveryStatus.HELD
    if added:
        # Every office may hold it: then the writer's receipt can say so straight away.
        receipts.queue_receipts([letter.id])
    return added


def awaits_confirmation(letter: Letter) -> bool:
    """Whether a letter has not been queued yet, i.e. still needs its writer's click."""
    queued = db.session.scalar(
        sa.select(Delivery.id).where(Delivery.letter_id == letter.id).limit(1)
    )
    return queued is None


@dataclass(frozen=True)
class Outcome:
    """What happened to a letter for one recipient, for the signer."""

    target: Target
    status: str
    channel: str = DeliveryChannel.EMAIL
    # Why a letter to a member of Congress is held rather than sent through CWC.
    reason: str = ""

    @property
    def through_cwc(self) -> bool:
        return self.channel == DeliveryChannel.CWC

    @property
    def on_its_way(self) -> bool:
        return self.status in (DeliveryStatus.QUEUED, DeliveryStatus.SENDING)

    @property
    def sent(self) -> bool:
        return self.status in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED)

    @property
    def held(self) -> bool:
        return self.status == DeliveryStatus.HELD


def letter_outcomes(letter: Letter) -> list[Outcome]:
    """Each recipient of a letter with the state of its delivery, in the letter's order."""
    rows = {
        row.target_id: row
        for row in db.session.execute(
            sa.select(Delivery.target_id, Delivery.status, Delivery.channel).where(
                Delivery.letter_id == letter.id
            )
        )
    }
    has_address = bool(letter.street_address)
    outcomes = []
    for target in letter.targets:
        row = rows.get(target.id)
        if row is None:
            outcomes.append(Outcome(target, ""))
        else:
            reason = carriers.carrier(target, has_address).reason
            outcomes.append(Outcome(target, row.status, row.channel, reason))
    return outcomes
