"""Signing a petition: sign, confirm by email, withdraw."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.clock import utcnow
from app.extensions import db
from app.models import (
    Campaign,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Signature,
    SignatureStatus,
)
from app.services import outbox, text, tokens
from app.services.counting import count_late_letter
from app.services.errors import CampaignClosed, InvalidToken
from app.services.letters import LetterDraft, attach_letter, queue_letter
from app.services.places import Place


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


def normalize_email(email: str) -> str:
    """The form an address is compared and stored in: NFKC, trimmed, lower case."""
    return unicodedata.normalize("NFKC", email).strip().lower()


def hash_ip(ip: str) -> str:
    """A keyed hash of the client IP: enough to group abuse, useless to identify a person."""
    if not ip:
        return ""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()[:32]


def sign(
    campaign: Campaign, request: SignatureRequest, letter: LetterDraft | None = None
) -> Signature:
    """Record a pending signature (and its letter) and queue its confirmation email, in one
    transaction. Nothing is delivered until the signer confirms.

    Signing again with the same address returns the existing signature and, while it is
    still pending, re-sends the confirmation (capped); the caller answers both the same way
    so nobody can learn whether an address has signed. A letter written by someone who has
    signed already (from the same ZIP code) is attached and needs one more confirming click.
    """
    if not campaign.is_open():
        raise CampaignClosed()
    email = normalize_email(request.email)
    signature = Signature(
        campaign_id=campaign.id,
        name=text.one_line(request.name),
        email=email,
        email_domain=email.rpartition("@")[2],
        zip=request.place.zip,
        state=request.place.state,
        district=request.place.district,
        consent_updates=request.consent_updates,
        show_publicly=request.show_publicly,
        ip_hash=hash_ip(request.ip),
        review_reason=request.review_reason,
        confirmations_sent=1,
    )
    db.session.add(signature)
    try:
        db.session.flush()
    except IntegrityError:
        # The same address signed already (perhaps a moment ago, in a concurrent request).
        db.session.rollback()
        return _signed_again(campaign, email, request, letter)
    if letter is not None:
        attach_letter(signature, letter)
    _queue_confirmation(signature, first=True)
    db.session.commit()
    return signature


def _signed_again(
    campaign: Campaign, email: str, request: SignatureRequest, letter: LetterDraft | None
) -> Signature:
    signature = db.session.scalar(
        sa.select(Signature).where(Signature.campaign_id == campaign.id, Signature.email == email)
    )
    if signature is None:
        # Withdrawn between our insert and this read, which freed the address: sign afresh.
        return sign(campaign, request, letter)
    if _takes_letter(signature, request, letter):
        return _add_letter(signature, request, letter)
    limit = current_app.config["CONFIRMATION_RESEND_LIMIT"]
    if signature.status == SignatureStatus.PENDING and signature.confirmations_sent < limit:
        # The guard in the UPDATE keeps concurrent re-sends within the cap.
        resent = db.session.execute(
            sa.update(Signature)
            .where(Signature.id == signature.id, Signature.confirmations_sent < limit)
            .values(confirmations_sent=Signature.confirmations_sent + 1)
            .returning(Signature.confirmations_sent)
        ).scalar()
        if resent is not None:
            signature.confirmations_sent = resent
            _queue_confirmation(signature)
    db.session.commit()
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
    attach_letter(signature, letter)
    if signature.status == SignatureStatus.PENDING:
        # Not counted yet: the district the writer picked is more precise than the ZIP's.
        signature.state, signature.district = request.place.state, request.place.district
    signature.confirmations_sent += 1
    _queue_confirmation(signature)
    try:
        db.session.commit()
    except IntegrityError:
        # The same person sent a letter a moment ago, in a concurrent request.
        db.session.rollback()
    return signature


def _queue_confirmation(signature: Signature, first: bool = False) -> None:
    outbox.enqueue(
        DeliveryKind.CONFIRMATION,
        f"confirmation:{signature.id}:{signature.confirmations_sent}",
        signature.email or "",
        key_is_new=first,
        campaign_id=signature.campaign_id,
        signature_id=signature.id,
    )


def signature_from_token(purpose: str, token: str, max_age: int | None = None) -> Signature:
    """The signature a confirm or withdraw link points at, or InvalidToken."""
    return _follow(purpose, token, max_age)[0]


def _follow(purpose: str, token: str, max_age: int | None) -> tuple[Signature, tokens.Link]:
    link = tokens.read_token(purpose, token, max_age)
    signature = db.session.get(Signature, link.signature_id)
    if signature is None or tokens.email_fingerprint(signature.email) != link.fingerprint:
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
    # A conditional UPDATE makes two simultaneous clicks confirm (and queue letters) once.
    changed = db.session.execute(
        sa.update(Signature)
        .where(Signature.id == signature.id, Signature.status == SignatureStatus.PENDING)
        .values(status=SignatureStatus.CONFIRMED, confirmed_at=utcnow())
    ).rowcount
    if changed:
        db.session.refresh(signature)
    letter = signature.letter
    # Only the link sent for this letter sends it: an older link (or someone who wrote a
    # letter with another person's address) cannot.
    if signature.status == SignatureStatus.CONFIRMED and letter and link.letter_id == letter.id:
        # Locked, so the counting job either counted this signature before (and the late
        # letter is added here) or counts it after, letter included; never neither or both.
        counted = db.session.scalar(
            sa.select(Signature.counted).where(Signature.id == signature.id).with_for_update()
        )
        if queue_letter(letter) and counted:
            count_late_letter(signature.campaign_id)
    try:
        db.session.commit()
    except IntegrityError:
        # A simultaneous click queued the same deliveries first: the outcome is the same.
        db.session.rollback()
    return signature


def withdraw(token: str) -> Campaign:
    """Withdraw a signature: erase the signer's personal data and stop unsent mail.

    State and district stay (they identify nobody) so counts can be reduced correctly.
    """
    signature = signature_from_token(tokens.WITHDRAW, token)
    campaign = signature.campaign
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
    db.session.execute(
        sa.update(Delivery)
        .where(
            Delivery.signature_id == signature.id,
            Delivery.status.in_((DeliveryStatus.QUEUED, DeliveryStatus.HELD)),
        )
        .values(status=DeliveryStatus.CANCELLED)
    )
    # The signer's own address goes from every email sent to them, whatever its state;
    # a letter's row holds the representative's address, which stays.
    db.session.execute(
        sa.update(Delivery)
        .where(Delivery.signature_id == signature.id, Delivery.kind != DeliveryKind.LETTER)
        .values(to_email="")
    )
    db.session.commit()
    return campaign


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
