"""Representatives' private access: a secret link to the letters their constituents sent.

Only a SHA-256 of each token is stored, so a leaked database does not open anyone's page.
Letters appear once their signer has confirmed, and never after withdrawal or rejection.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from app.clock import utcnow
from app.extensions import db
from app.i18n import N_
from app.models import (
    Campaign,
    Delivery,
    DeliveryStatus,
    Letter,
    Moderation,
    Organizer,
    RepresentativeAccess,
    Response,
    Signature,
    SignatureStatus,
    Target,
    TargetKind,
)
from app.services import text
from app.services.campaigns import page
from app.services.errors import ChorusError, InvalidToken
from app.services.letters import receipts
from app.services.letters.routing import district_label, state_name
from app.services.paging import page_offset
from app.services.unit_of_work import unit_of_work
from app.services.workspace import exports

DEFAULT_DAYS = 30
# A link outlives staff changes; offices get a new one each session of the legislature.
MAX_DAYS = 366
RESPONSE_MAX_LENGTH = 5000


class ResponseRefused(ChorusError):
    message = N_("Please write a response before posting it.")


@dataclass(frozen=True)
class CampaignLetters:
    campaign: Campaign
    letters: int


@dataclass(frozen=True)
class LetterPage:
    letters: list[tuple[Letter, datetime | None]]  # each with when it was sent
    number: int
    per_page: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.number * self.per_page < self.total


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_access(
    target: Target, days: int = DEFAULT_DAYS, created_by: Organizer | None = None
) -> str:
    """Create a private link for target's staff; return its token (shown once, never stored)."""
    with unit_of_work():
        if not 1 <= days <= MAX_DAYS:
            raise ValueError(f"an access link lasts from 1 to {MAX_DAYS} days")
        token = secrets.token_urlsafe(32)
        db.session.add(
            RepresentativeAccess(
                target_id=target.id,
                token_hash=_hash(token),
                expires_at=utcnow() + timedelta(days=days),
                created_by_id=created_by.id if created_by else None,
            )
        )
        return token


def target_for_token(token: str, now: datetime | None = None) -> Target:
    """The target a valid, unexpired token opens, or InvalidToken; records when it was used."""
    with unit_of_work():
        now = now or utcnow()
        access = db.session.scalar(
            sa.select(RepresentativeAccess).where(RepresentativeAccess.token_hash == _hash(token))
        )
        target = db.session.get(Target, access.target_id) if access else None
        # An official who left office (the importers mark them inactive) loses the link too.
        if access is None or access.expires_at <= now or target is None or not target.active:
            raise InvalidToken()
        access.last_used_at = now
        return target


def revoke_access(target: Target) -> int:
    """End every private link of target's office now; return how many were live."""
    with unit_of_work():
        now = utcnow()
        revoked = db.session.execute(
            sa.update(RepresentativeAccess)
            .where(
                RepresentativeAccess.target_id == target.id, RepresentativeAccess.expires_at > now
            )
            .values(expires_at=now)
        ).rowcount
        return revoked


def _readable(target: Target) -> tuple:
    """Conditions for letters target's staff may read.

    Only letters their writer's click queued for this target (a Delivery exists, not
    cancelled), from a confirmed signer, not erased, and not waiting for or refused by a
    moderator when they were flagged.
    """
    return (
        sa.exists().where(
            Delivery.letter_id == Letter.id,
            Delivery.target_id == target.id,
            Delivery.status != DeliveryStatus.CANCELLED,
        ),
        Signature.status == SignatureStatus.CONFIRMED,
        Letter.moderation != Moderation.REJECTED,
        sa.or_(Letter.flags == "", Letter.moderation == Moderation.APPROVED),
        Letter.body != "",
    )


def _visible_letters(target: Target) -> sa.Select:
    return (
        sa.select(Letter)
        .join(Signature, Letter.signature_id == Signature.id)
        .options(so.contains_eager(Letter.signature))
        .where(*_readable(target))
    )


def campaigns_for(target: Target) -> list[CampaignLetters]:
    """The campaigns that sent target letters, with how many, newest campaign first."""
    letters = _visible_letters(target).subquery()
    rows = db.session.execute(
        sa.select(Campaign, sa.func.count(letters.c.id))
        .join(letters, letters.c.campaign_id == Campaign.id)
        .group_by(Campaign.id)
        .order_by(Campaign.created_at.desc(), Campaign.id.desc())
    ).all()
    return [CampaignLetters(campaign, count) for campaign, count in rows]


def campaign_for(target: Target, slug: str) -> Campaign:
    """A campaign that sent target letters, by slug, or InvalidToken (nothing to see)."""
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.slug == slug))
    if campaign is None or not db.session.scalar(
        sa.select(sa.exists(_visible_letters(target).where(Letter.campaign_id == campaign.id)))
    ):
        raise InvalidToken(N_("There are no letters to you from this campaign."))
    return campaign


def letters_for(target: Target, campaign: Campaign) -> Iterator[tuple[Letter, datetime | None]]:
    """The campaign's letters to target, each with when it was sent, oldest first, read in
    batches."""
    return iter(
        db.session.execute(_sent_letters(target, campaign).execution_options(yield_per=500))
    )


def letters_page(target: Target, campaign: Campaign, number: int, per_page: int) -> LetterPage:
    """One page of letters_for, with the total."""
    letters = _visible_letters(target).where(Letter.campaign_id == campaign.id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(letters.subquery()))
    rows = db.session.execute(
        _sent_letters(target, campaign).offset(page_offset(number, per_page)).limit(per_page)
    )
    return LetterPage([tuple(row) for row in rows], number, per_page, total or 0)


def _sent_letters(target: Target, campaign: Campaign) -> sa.Select:
    """The campaign's letters to target with when each was sent, oldest first."""
    return (
        _visible_letters(target)
        .add_columns(_queued_at(Letter.id))
        .where(Letter.campaign_id == campaign.id)
        .order_by(Letter.created_at, Letter.id)
    )


def district_for(target: Target, letter: Letter) -> str:
    """The writer's district in the chamber target sits in: proof they are a constituent."""
    signature = letter.signature
    if target.kind == TargetKind.STATE_UPPER:
        return letter.state_upper_district
    if target.kind == TargetKind.STATE_LOWER:
        return letter.state_lower_district
    if target.kind == TargetKind.US_HOUSE and signature.district:
        return f"{signature.state}-{signature.district}"
    return signature.state


# Offices that take letters through CWC, which requires the writer's street address.
_CONGRESS = (TargetKind.US_HOUSE, TargetKind.US_SENATE)


def writer_address(target: Target, letter: Letter) -> str:
    """The writer's title and street address, for a member of Congress's office only (CWC
    requires it, so they gave it; it proves they are a constituent). "" for anyone else."""
    if target.kind not in _CONGRESS or not letter.street_address:
        return ""
    name = " ".join(filter(None, (letter.prefix, letter.signature.name)))
    return f"{name}, {letter.street_address}, {letter.city}"


_CHAMBERS = {TargetKind.STATE_UPPER: "state senate", TargetKind.STATE_LOWER: "state house"}


def constituency(target: Target, letter: Letter) -> str:
    """Where the writer lives, in words, for the letter itself: their district in a state
    legislator's chamber ('California, state senate district 3'), else their congressional
    district ('New York, 12th district') or state."""
    signature = letter.signature
    district = district_for(target, letter)
    if target.kind in _CHAMBERS and district:
        return f"{state_name(signature.state)}, {_CHAMBERS[target.kind]} district {district}"
    return district_label(signature.state, signature.district)


def _queued_at(letter_id) -> sa.ScalarSelect:
    # When the writer's confirming click queued the letter (its first delivery row); for a
    # letter written after its signature was confirmed, later than that confirmation.
    return (
        sa.select(sa.func.min(Delivery.created_at))
        .where(Delivery.letter_id == letter_id)
        .scalar_subquery()
    )


LETTER_CSV_COLUMNS = {
    "letter_id": Letter.id,
    "sent_at": _queued_at(Letter.id),
    "name": Signature.name,
    # Only when the writer agreed to be contacted back.
    "email": sa.case((Letter.reply_to_ok.is_(True), Signature.email), else_=""),
    "zip": Signature.zip,
    "state": Signature.state,
    "congressional_district": Signature.district,
    "state_senate_district": Letter.state_upper_district,
    "state_house_district": Letter.state_lower_district,
    "subject": Letter.subject,
    "body": Letter.body,
}
# Filled in for members of Congress only (see writer_address).
ADDRESS_CSV_COLUMNS = {
    "prefix": Letter.prefix,
    "street_address": Letter.street_address,
    "city": Letter.city,
}


def letters_csv(target: Target, campaign: Campaign) -> Iterator[str]:
    """The campaign's letters to target as CSV text in chunks (constant memory)."""
    address = {
        name: column if target.kind in _CONGRESS else sa.literal("")
        for name, column in ADDRESS_CSV_COLUMNS.items()
    }
    columns = {**LETTER_CSV_COLUMNS, **address}
    query = (
        sa.select(*columns.values())
        .select_from(Letter)
        .join(Signature, Letter.signature_id == Signature.id)
        .where(Letter.campaign_id == campaign.id, *_readable(target))
        .order_by(Letter.created_at, Letter.id)
    )
    return exports.query_csv(columns, query)


def post_response(target: Target, campaign: Campaign, body: str, author_name: str) -> Response:
    """Publish target's official response on the campaign page."""
    with unit_of_work():
        body = text.paragraphs(body)  # as citizens' text is: no invisible or control characters
        if not body:
            raise ResponseRefused()
        if len(body) > RESPONSE_MAX_LENGTH:
            raise ResponseRefused(
                N_("Please keep the response under %(max)s characters."), max=RESPONSE_MAX_LENGTH
            )
        response = Response(
            campaign_id=campaign.id,
            target_id=target.id,
            body=body,
            author_name=text.one_line(author_name, 200),
            # Where organizers want to read responses first, a leaked link cannot put words
            # on the public page; an organizer shows it (campaigns.editing.show_response).
            published=not current_app.config["RESPONSES_NEED_APPROVAL"],
        )
        db.session.add(response)
        db.session.flush()
        receipts.announce_response(response)
        page.refresh(campaign.id)
        return response
