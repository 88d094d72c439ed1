"""The signer's own page while a signature awaits its email confirmation: the address the
link went to (masked), and a way to correct a mistyped one.

Why a sealed token (tokens.seal) and not a signed one: sign answers the same way whether
or not an address had signed, and a signed token's payload is readable, so a signature id
in it would tell. The sealed token carries what the signer typed and, only for the request
that created the signature, its id. A correction made with that id changes the pending
signature's address; one made without it (the address had signed already, perhaps by
someone else, since anyone can type an address) signs afresh with the new address and
leaves the earlier signature alone, so nobody can move a stranger's signature to their own
mailbox and read it there.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Signature, SignatureStatus
from app.services import tokens
from app.services.delivery import outbox
from app.services.errors import AlreadyConfirmed, InvalidToken, NoMoreLinks
from app.services.letters.places import locate_zip
from app.services.signing import signatures
from app.services.text import one_line
from app.services.unit_of_work import unit_of_work

# Long enough to notice a typo and correct it, short enough that a page left open in a
# shared browser soon stops showing the address.
PAGE_MAX_AGE = 2 * 3600


@dataclass(frozen=True)
class Awaiting:
    """What a signer's page knows: the campaign, what they typed, and (only if their
    request created it) their signature."""

    slug: str
    email: str
    name: str
    zip: str
    consent_updates: bool
    show_publicly: bool
    locale: str
    source: str
    signature_id: int | None = None

    @property
    def masked_email(self) -> str:
        return mask_email(self.email)

    def values(self) -> list:
        """The fields in order (dataclasses.astuple deep-copies each: a third of sealing)."""
        return [getattr(self, name) for name in _FIELD_NAMES]


_FIELD_NAMES = tuple(field.name for field in fields(Awaiting))


def mask_email(email: str) -> str:
    """An address with its local part hidden but its domain shown (a typo in the domain is
    the commonest): `j•••@example.com`."""
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}•••@{domain}"


def page_token(
    slug: str,
    email: str,
    request: signatures.SignatureRequest | None = None,
    signed: signatures.Signed | None = None,
) -> str:
    """The sealed token of the signer's page after submitting request, and what it gave
    (both None for a bot's honeypot, which records nothing and whose page changes nothing)."""
    awaiting = Awaiting(
        slug=slug,
        email=signatures.normalize_email(email),
        name=request.name if request else "",
        zip=request.place.zip if request else "",
        consent_updates=request.consent_updates if request else False,
        show_publicly=request.show_publicly if request else False,
        locale=request.locale if request else "",
        source=request.source if request else "",
        signature_id=signed.signature_id if signed and signed.new else None,
    )
    return _seal(awaiting)


def read_page(token: str, slug: str) -> Awaiting:
    """What a signer's page token for campaign slug carries, or InvalidToken (forged,
    altered, too old, or another campaign's)."""
    payload = tokens.unseal(tokens.AWAITING, token, PAGE_MAX_AGE)
    try:
        *fields, signature_id = payload
        awaiting = Awaiting(*fields, signature_id=int(signature_id) or None)
    except (TypeError, ValueError) as error:
        raise InvalidToken() from error
    if awaiting.slug != slug:
        raise InvalidToken()
    return awaiting


def correct_email(token: str, slug: str, email: str, ip: str = "", review_reason: str = "") -> str:
    """Send the confirmation to a corrected address instead; return the page's new token.

    The old address's links stop working (they are tied to the address), and its unsent
    mail is cancelled. A confirmed signature keeps its address (AlreadyConfirmed). ip and
    review_reason are the correcting request's, for a signature made afresh.
    """
    awaiting = read_page(token, slug)
    email = signatures.normalize_email(email)
    if email == awaiting.email:
        return token
    if not awaiting.zip:
        return _token_for(awaiting, email, None)  # a honeypot's page: nothing was recorded
    if awaiting.signature_id is not None and _readdress(awaiting, email):
        return _token_for(awaiting, email, awaiting.signature_id)
    request = _request(awaiting, email, ip, review_reason)
    signed = signatures.submit(awaiting.slug, request)
    return _token_for(awaiting, email, signed.signature_id if signed.new else None)


def _readdress(awaiting: Awaiting, email: str) -> bool:
    """Move the signer's own pending signature to email; False when that address has
    signed this campaign already (this signature is then erased: the caller signs afresh,
    which reminds that address)."""
    signature = db.session.get(Signature, awaiting.signature_id)
    if signature is None or signature.email != awaiting.email:
        raise InvalidToken()  # withdrawn, or corrected already from this page
    if signature.status == SignatureStatus.CONFIRMED:
        raise AlreadyConfirmed()
    if signature.status != SignatureStatus.PENDING:
        raise InvalidToken()
    limit = current_app.config["CONFIRMATION_RESEND_LIMIT"]
    with unit_of_work():
        try:
            with db.session.begin_nested():
                # Guarded like a re-send: the address it had and the cap on links sent.
                sent = db.session.execute(
                    sa.update(Signature)
                    .where(
                        Signature.id == signature.id,
                        Signature.status == SignatureStatus.PENDING,
                        Signature.email == awaiting.email,
                        Signature.confirmations_sent < limit,
                    )
                    .values(
                        email=email,
                        email_domain=email.rpartition("@")[2],
                        confirmations_sent=Signature.confirmations_sent + 1,
                    )
                    .returning(Signature.confirmations_sent)
                ).scalar()
        except IntegrityError:
            signatures.erase(signature)
            return False
        if sent is None:
            raise NoMoreLinks()
        db.session.refresh(signature)
        # The mistyped address is a stranger's: nothing more goes there.
        outbox.forget_signers([signature.id])
        signatures.queue_confirmation(signature)
    return True


def _request(
    awaiting: Awaiting, email: str, ip: str, review_reason: str
) -> signatures.SignatureRequest:
    return signatures.SignatureRequest(
        name=one_line(awaiting.name),
        email=email,
        ip=ip,
        review_reason=review_reason,
        place=locate_zip(awaiting.zip),
        consent_updates=awaiting.consent_updates,
        show_publicly=awaiting.show_publicly,
        locale=awaiting.locale,
        source=awaiting.source,
    )


def _token_for(awaiting: Awaiting, email: str, signature_id: int | None) -> str:
    return _seal(replace(awaiting, email=email, signature_id=signature_id))


def _seal(awaiting: Awaiting) -> str:
    *values, signature_id = awaiting.values()
    # Fixed width, so the token's length cannot tell a new signature from an earlier one.
    return tokens.seal(tokens.AWAITING, [*values, f"{signature_id or 0:020d}"])
