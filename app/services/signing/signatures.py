"""Signing a petition: sign, confirm by email, withdraw."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app import database
from app.clock import utcnow
from app.extensions import db
from app.models import (
    Campaign,
    DeliveryKind,
    Letter,
    Signature,
    SignatureStatus,
    WebhookEvent,
)
from app.services import text, tokens
from app.services.delivery import outbox, webhooks
from app.services.errors import CampaignClosed, InvalidToken
from app.services.letters.places import Place
from app.services.letters.writing import LetterDraft, attach_letter, queue_letter
from app.services.signing.counting import count_late_letter
from app.services.unit_of_work import unit_of_work


@dataclass(frozen=True)
class SignatureRequest:
    name: str
    email: str
    place: Place
    consent_updates: bool = False
    show_publicly: bool = False
    ip: str = ""
    # Why rate limits or heuristics want a person to review this signature ("" if not).
    review_reason: str = ""
    # The language the signer read the campaign in; their emails are written in it.
    locale: str = "en"
    # Where the signer came from (a share link's or an embed's `src`); see source_code.
    source: str = ""


def normalize_email(email: str) -> str:
    """The form an address is compared and stored in: NFKC, trimmed, lower case."""
    return unicodedata.normalize("NFKC", email).strip().lower()


_SOURCE_CODE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,39}")


def source_code(value: str | None) -> str:
    """A share link's or embed's source code as stored: lower case letters, digits, `_.-`,
    at most 40; anything else is no source ("")."""
    code = (value or "").strip().lower()
    return code if _SOURCE_CODE.fullmatch(code) else ""


def hash_ip(ip: str) -> str:
    """A keyed hash of the client IP: enough to group abuse, useless to identify a person."""
    return tokens.keyed_hash(ip, 32) if ip else ""


class Signed(NamedTuple):
    signature_id: int
    # Whether this call created the signature (False: the address had signed already).
    new: bool


def sign(slug: str, request: SignatureRequest, letter: LetterDraft | None = None) -> int:
    """submit, for callers that need only the signature's id."""
    return submit(slug, request, letter).signature_id


def submit(slug: str, request: SignatureRequest, letter: LetterDraft | None = None) -> Signed:
    """Record a pending signature (and its letter) and queue its confirmation email, in one
    transaction; return the signature's id and whether this call created it. Nothing is
    delivered until the signer confirms.

    The INSERT itself checks that the campaign takes signatures now (CampaignClosed if not,
    or if there is no such campaign): no campaign is loaded on this path, the hottest one
    in a spike. Signing again with the same address finds the existing signature and, while
    it is still pending, re-sends the confirmation (capped); the caller answers both the
    same way so nobody can learn whether an address has signed. A letter written by someone
    who has signed already (from the same ZIP code) is attached and needs one more click.
    """
    email = normalize_email(request.email)
    row = {
        "slug": slug,
        "now": utcnow(),
        "status": SignatureStatus.PENDING,
        "name": text.one_line(request.name),
        "email": email,
        "email_domain": email.rpartition("@")[2],
        "zip": request.place.zip,
        "state": request.place.state,
        "district": request.place.district,
        "zip_dataset_id": request.place.dataset_id,
        "consent_updates": request.consent_updates,
        "show_publicly": request.show_publicly,
        "ip_hash": hash_ip(request.ip),
        "review_reason": request.review_reason,
        "locale": request.locale,
        "source": source_code(request.source),
        "confirmations_sent": 1,
        "counted": False,
    }
    if letter is None and database.writes_in_one_statement():
        # The hot path: signature and confirmation in one statement, its own transaction.
        signature_id = database.execute_alone(_insert_signature_and_confirmation(), row)
        if signature_id is not None:
            outbox.tell_workers()
    else:
        with unit_of_work():
            signature_id = _insert_pending(row)
            if signature_id is not None and letter is not None:
                attach_letter(db.session.get(Signature, signature_id), letter)
    if signature_id is None:
        return Signed(_not_inserted(slug, email, row["now"], request, letter), new=False)
    return Signed(signature_id, new=True)


def _insert_pending(row: dict) -> int | None:
    """Insert the signature and its first confirmation email in the session's transaction;
    the signature's id, or None when nothing was inserted (see _insert_signature)."""
    inserted = db.session.execute(_insert_signature(), row).first()
    if inserted is None:
        return None
    signature_id, campaign_id = inserted
    outbox.enqueue_new(
        DeliveryKind.CONFIRMATION,
        _confirmation_key(signature_id, 1),
        row["email"],
        campaign_id=campaign_id,
        signature_id=signature_id,
    )
    return signature_id


@cache
def _insert_signature() -> sa.Insert:
    """INSERT ... SELECT from the campaign's row, which gives no row unless the campaign
    takes signatures at :now, nor when the address has signed it already (ON CONFLICT DO
    NOTHING: no error to recognise). Built once; every value is a bound parameter."""
    columns = Signature.__table__.c
    fields = [
        "status", "name", "email", "email_domain", "zip", "state", "district",
        "zip_dataset_id", "consent_updates", "show_publicly", "ip_hash", "review_reason",
        "locale", "source", "confirmations_sent", "counted",
    ]  # fmt: skip
    now = sa.bindparam("now", type_=sa.DateTime)
    open_campaign = sa.select(
        Campaign.id, now, *(sa.bindparam(name, type_=columns[name].type) for name in fields)
    ).where(Campaign.slug == sa.bindparam("slug"), Campaign.is_open(now))
    return (
        database.insert(Signature.__table__)
        .from_select(["campaign_id", "created_at", *fields], open_campaign, include_defaults=False)
        .on_conflict_do_nothing(index_elements=["campaign_id", "email"])
        .returning(columns.id, columns.campaign_id)
    )


@cache
def _insert_signature_and_confirmation() -> sa.Insert:
    """_insert_pending as one statement (a data-modifying CTE, where the database has
    them), returning the signature's id."""
    signature = _insert_signature().returning(Signature.__table__.c.email).cte("signature")
    return outbox.insert_from(
        signature,
        DeliveryKind.CONFIRMATION,
        # _confirmation_key(signature id, 1), written in SQL
        dedupe_key=sa.func.concat("confirmation:", signature.c.id, ":1"),
        recipient=signature.c.email,
        campaign_id=signature.c.campaign_id,
        signature_id=signature.c.id,
    )


def _not_inserted(
    slug: str, email: str, now: datetime, request: SignatureRequest, letter: LetterDraft | None
) -> int:
    """Why sign inserted nothing: the campaign does not take signatures (CampaignClosed),
    or the address signed already (perhaps a moment ago, in a concurrent request)."""
    open_campaign = sa.select(Campaign.id).where(Campaign.slug == slug, Campaign.is_open(now))
    if db.session.scalar(open_campaign) is None:
        raise CampaignClosed()
    signature = db.session.scalar(
        sa.select(Signature).join(Campaign).where(Campaign.slug == slug, Signature.email == email)
    )
    if signature is not None:
        return _signed_again(signature, request, letter).id
    # Withdrawn between our insert and this read, which freed the address: sign afresh.
    return sign(slug, request, letter)


def _signed_again(
    signature: Signature, request: SignatureRequest, letter: LetterDraft | None
) -> Signature:
    if _takes_letter(signature, request, letter):
        return _add_letter(signature, request, letter)
    # A letter that cannot be attached is explained by email (the page answers as always);
    # otherwise a pending signer gets the confirmation again. One counter caps both, so
    # submitting an address over and over cannot flood its mailbox.
    if letter is not None or signature.status == SignatureStatus.PENDING:
        limit = current_app.config["CONFIRMATION_RESEND_LIMIT"]
        with unit_of_work():
            # The guard in the UPDATE keeps concurrent re-sends within the cap.
            sent = db.session.execute(
                sa.update(Signature)
                .where(Signature.id == signature.id, Signature.confirmations_sent < limit)
                .values(confirmations_sent=Signature.confirmations_sent + 1)
                .returning(Signature.confirmations_sent)
            ).scalar()
            if sent is not None:
                signature.confirmations_sent = sent
                queue_confirmation(
                    signature,
                    DeliveryKind.LETTER_NOT_TAKEN
                    if letter is not None
                    else DeliveryKind.CONFIRMATION,
                )
    return signature


def _takes_letter(
    signature: Signature, request: SignatureRequest, letter: LetterDraft | None
) -> bool:
    # The letter's proof of constituency is the signature's ZIP code, so they must agree.
    return (
        letter is not None
        and signature.letter is None
        and signature.status in (SignatureStatus.PENDING, SignatureStatus.CONFIRMED)
        and signature.zip == request.place.zip
    )


def _add_letter(signature: Signature, request: SignatureRequest, letter: LetterDraft) -> Signature:
    """Attach a letter to an existing signature and ask for one more confirming click.

    A signature carries at most one letter, so this sends at most one extra email.
    """
    try:
        with unit_of_work():
            attach_letter(signature, letter)
            # The district the writer picked is more precise than the ZIP's, but only a
            # signature not counted yet may move: a confirm click and a count may have come
            # since it was read, and a withdrawal takes it back from the district it was
            # counted in.
            db.session.execute(
                sa.update(Signature)
                .where(
                    Signature.id == signature.id,
                    Signature.status == SignatureStatus.PENDING,
                    Signature.counted.is_(False),
                )
                .values(
                    state=request.place.state,
                    district=request.place.district,
                    zip_dataset_id=request.place.dataset_id,
                )
            )
            signature.confirmations_sent += 1
            queue_confirmation(signature)
    except IntegrityError:
        pass  # the same person sent a letter a moment ago, in a concurrent request
    return signature


def _confirmation_key(signature_id: int, nth: int, kind: str = DeliveryKind.CONFIRMATION) -> str:
    """The outbox dedupe key of the nth email to a signer (of any kind; they share n)."""
    return f"{kind}:{signature_id}:{nth}"


def queue_confirmation(signature: Signature, kind: str = DeliveryKind.CONFIRMATION) -> None:
    """Queue the signer's next email: the confirmation, or another kind counted with it."""
    outbox.enqueue(
        kind,
        _confirmation_key(signature.id, signature.confirmations_sent, kind),
        signature.email or "",
        campaign_id=signature.campaign_id,
        signature_id=signature.id,
    )


def signature_from_token(purpose: str, token: str, max_age: int | None = None) -> Signature:
    """The signature a confirm or withdraw link points at, or InvalidToken."""
    return _follow(purpose, token, max_age)[0]


def _follow(purpose: str, token: str, max_age: int | None) -> tuple[Signature, tokens.Link]:
    link = tokens.read_token(purpose, token, max_age)
    signature = db.session.get(Signature, link.signature_id)
    if signature is None or not tokens.is_sent_to(link, signature.email):
        raise InvalidToken()
    return signature, link


def confirm(token: str) -> Signature:
    """Confirm the signature behind a link; confirming twice is harmless.

    Letters riding on the signature are queued for delivery in the same transaction.
    """
    max_age = current_app.config["CONFIRM_TOKEN_MAX_AGE"]
    signature, link = _follow(tokens.CONFIRM, token, max_age)
    if signature.status in (SignatureStatus.WITHDRAWN, SignatureStatus.FRAUDULENT):
        raise InvalidToken()
    try:
        with unit_of_work():
            if _mark_confirmed(signature):
                webhooks.emit(
                    WebhookEvent.SIGNATURE_CONFIRMED,
                    signature.id,
                    signature.campaign_id,
                    signature_id=signature.id,  # a withdrawal before it is sent cancels it
                )
            letter = signature.letter
            # Only the link sent for this letter sends it: an older link (or someone who
            # wrote a letter with another person's address) cannot.
            confirmed = signature.status == SignatureStatus.CONFIRMED
            if confirmed and letter and link.letter_id == letter.id:
                _queue_confirmed_letter(signature, letter)
    except IntegrityError:
        pass  # a simultaneous click queued the same deliveries first: the outcome is the same
    return signature


def _mark_confirmed(signature: Signature) -> bool:
    """Confirm a pending signature; whether this call did it.

    A conditional UPDATE makes two simultaneous clicks confirm (and queue letters) once."""
    changed = db.session.execute(
        sa.update(Signature)
        .where(Signature.id == signature.id, Signature.status == SignatureStatus.PENDING)
        .values(status=SignatureStatus.CONFIRMED, confirmed_at=utcnow())
    ).rowcount
    if changed:
        db.session.refresh(signature)
    return bool(changed)


def _queue_confirmed_letter(signature: Signature, letter: Letter) -> None:
    # Locked, so the counting job either counted this signature before (and the late
    # letter is added here) or counts it after, letter included; never neither or both.
    counted = db.session.scalar(
        sa.select(Signature.counted).where(Signature.id == signature.id).with_for_update()
    )
    # Locked and read afresh, so a moderator's decision committed meanwhile is seen
    # (moderation.decide updates this row); one still in progress is waited for.
    db.session.refresh(letter, with_for_update=True)
    if queue_letter(letter) and counted:
        count_late_letter(signature.campaign_id)


def withdraw(token: str) -> Campaign:
    """Withdraw a signature: erase the signer's personal data and stop unsent mail.

    State and district stay (they identify nobody) so counts can be reduced correctly.
    """
    signature = signature_from_token(tokens.WITHDRAW, token)
    campaign = signature.campaign
    with unit_of_work():
        erase(signature)
        # Not tied to the signature row (forget_signers would cancel it): a CRM hears of
        # the withdrawal even if the signer's data is erased again before it is sent.
        webhooks.emit(WebhookEvent.SIGNATURE_WITHDRAWN, signature.id, campaign.id)
    return campaign


def erase(signature: Signature) -> None:
    """Mark a signature withdrawn and erase the signer's personal data and unsent mail, in
    the caller's transaction."""
    signature.status = SignatureStatus.WITHDRAWN
    signature.withdrawn_at = utcnow()
    signature.name = ""
    signature.email = None
    signature.email_domain = ""
    signature.zip = ""
    signature.ip_hash = ""
    signature.consent_updates = False
    signature.show_publicly = False
    if signature.letter is not None:
        # The row stays so counts can be corrected; the words are the signer's and go.
        signature.letter.subject = ""
        signature.letter.body = ""
        signature.letter.public_comment = False
        signature.letter.prefix = ""
        signature.letter.street_address = ""
        signature.letter.city = ""
    # Unsent mail is cancelled, including rows a worker has claimed, and the signer's
    # address goes from every email sent to them.
    outbox.forget_signers([signature.id])


def recent_public_signers(campaign: Campaign, limit: int = 8) -> list[Signature]:
    """The latest confirmed signers who agreed to be shown (first name and state only)."""
    return list(
        db.session.scalars(
            sa.select(Signature)
            .where(
                Signature.campaign_id == campaign.id,
                Signature.status == SignatureStatus.CONFIRMED,
                # Written as the predicate of ix_signatures_recent_public, so PostgreSQL
                # reads the newest rows from that index ("IS TRUE" would not match it).
                Signature.show_publicly,
            )
            .order_by(Signature.confirmed_at.desc())
            .limit(limit)
        )
    )
