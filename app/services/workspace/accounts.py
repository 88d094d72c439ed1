"""Organizer accounts: creating them, checking and resetting passwords, changing roles."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer

from app import clock
from app.clock import utcnow
from app.extensions import db
from app.i18n import N_
from app.models import Delivery, DeliveryKind, Organizer, Role
from app.services import audit
from app.services.delivery import outbox
from app.services.errors import ChorusError, InvalidToken
from app.services.tokens import keyed_hash
from app.services.unit_of_work import unit_of_work

MIN_PASSWORD_LENGTH = 12
# Reset emails one account may receive an hour, however often someone asks.
RESETS_PER_HOUR = 3

RANK = {Role.VIEWER: 0, Role.ORGANIZER: 1, Role.ADMIN: 2}


class AccountError(ChorusError):
    message = N_("That account could not be saved.")


@cache
def _hasher_with(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def _hasher() -> PasswordHasher:
    """The argon2 hasher at the app's cost (ARGON2_*: production cost, cheap under tests)."""
    config = current_app.config
    return _hasher_with(
        config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"], config["ARGON2_PARALLELISM"]
    )


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    # Verified when the email is unknown, so a wrong email costs as long as a wrong password.
    return hasher.hash("not a real password")


def hash_password(password: str) -> str:
    """An argon2 hash of the password at the app's cost."""
    return _hasher().hash(password)


def has_role(organizer: Organizer, needed: str) -> bool:
    """Whether the organizer's role is at least `needed` (viewer < organizer < admin)."""
    return RANK.get(organizer.role, -1) >= RANK[needed]


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_organizer(email: str) -> Organizer | None:
    return db.session.scalar(sa.select(Organizer).where(Organizer.email == normalize_email(email)))


def create_organizer(
    email: str, password: str, role: str, created_by: Organizer | None = None
) -> Organizer:
    """Create an account with an argon2 hash of its password."""
    with unit_of_work():
        email = normalize_email(email)
        if role not in Role.ALL:
            raise AccountError(
                N_("Unknown role %(role)r; choose one of %(roles)s."),
                role=role,
                roles=", ".join(Role.ALL),
            )
        _check_length(password)
        if db.session.scalar(sa.select(Organizer.id).where(Organizer.email == email)) is not None:
            raise AccountError(N_("An account for %(email)s exists already."), email=email)
        organizer = Organizer(email=email, password_hash=hash_password(password), role=role)
        db.session.add(organizer)
        db.session.flush()
        audit.record(created_by, "organizer.create", organizer, email=email, role=role)
        return organizer


def authenticate(email: str, password: str) -> Organizer | None:
    """The active organizer with this email and password, or None."""
    with unit_of_work():
        organizer = db.session.scalar(
            sa.select(Organizer).where(Organizer.email == normalize_email(email))
        )
        if organizer is None:
            _verify(_dummy_hash(_hasher()), password)
            return None
        if not _verify(organizer.password_hash, password) or not organizer.active:
            return None
        if _hasher().check_needs_rehash(organizer.password_hash):
            organizer.password_hash = hash_password(password)
        organizer.last_login_at = utcnow()
        return organizer


def organizer_for_session(session_id: str, logged_in_at: float | None) -> Organizer | None:
    """The organizer a session acts for, or None once it has ended: logged out or disabled
    since (the epoch in its id moved on), or logged in longer ago than SESSION_LIFETIME,
    however busy it has been (a busy stolen cookie must expire too)."""
    organizer_id, _, epoch = session_id.partition(":")
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    if not (organizer_id.isdigit() and epoch.isdigit() and logged_in_at is not None):
        return None
    if clock.timestamp() - logged_in_at > lifetime:
        return None
    organizer = db.session.get(Organizer, int(organizer_id))
    if organizer is None or organizer.session_epoch != int(epoch):
        return None
    return organizer


def end_sessions(organizer: Organizer) -> None:
    """End every session of the account, on every device."""
    with unit_of_work():
        organizer.session_epoch += 1


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def set_role(organizer: Organizer, role: str, active: bool, changed_by: Organizer) -> None:
    """Change an account's role or disable it; nobody can demote or disable themselves."""
    with unit_of_work():
        if role not in Role.ALL:
            raise AccountError(N_("Unknown role %(role)r."), role=role)
        if organizer.id == changed_by.id and (role != organizer.role or not active):
            raise AccountError(N_("You cannot change your own role or disable your own account."))
        audit.record(
            changed_by,
            "organizer.update",
            organizer,
            role=[organizer.role, role],
            active=[organizer.active, active],
        )
        if organizer.active and not active:
            end_sessions(organizer)
        organizer.role = role
        organizer.active = active


def _check_length(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            N_("The password must have at least %(min)s characters."), min=MIN_PASSWORD_LENGTH
        )


def set_password(organizer: Organizer, password: str, changed_by: Organizer | None = None) -> None:
    """Give the account a new password and end its sessions everywhere (an old cookie or
    an open reset link stops working with the old password)."""
    with unit_of_work():
        _check_length(password)
        organizer.password_hash = hash_password(password)
        end_sessions(organizer)
        audit.record(changed_by, "organizer.password", organizer)


def password_matches(organizer: Organizer, password: str) -> bool:
    return _verify(organizer.password_hash, password)


def change_password(organizer: Organizer, current: str, new: str) -> None:
    """A logged-in organizer's own change: only with the password they have now."""
    if not password_matches(organizer, current):
        raise AccountError(N_("Your current password is not right."))
    set_password(organizer, new, changed_by=organizer)


def request_password_reset(email: str) -> None:
    """Email a reset link to an active account with this address, through the outbox.

    Says nothing either way, so the form never tells who has an account; at most
    RESETS_PER_HOUR emails an hour reach one account however often it is asked.
    """
    with unit_of_work():
        organizer = find_organizer(email)
        if organizer is None or not organizer.active:
            return
        since = utcnow() - timedelta(hours=1)
        recent = db.session.scalar(
            sa.select(sa.func.count()).where(
                Delivery.kind == DeliveryKind.PASSWORD_RESET,
                Delivery.recipient == organizer.email,
                Delivery.created_at >= since,
            )
        )
        if recent >= RESETS_PER_HOUR:
            return
        outbox.enqueue(
            DeliveryKind.PASSWORD_RESET,
            f"password_reset:{organizer.id}:{clock.timestamp()}",
            organizer.email,
        )


def reset_token(organizer: Organizer) -> str:
    """A link token for one reset: tied to the current password hash, so it works once."""
    return _reset_serializer().dumps([organizer.id, _hash_fingerprint(organizer)])


def organizer_for_reset(token: str) -> Organizer:
    """The account a reset link is for, or InvalidToken when expired, used or forged."""
    try:
        organizer_id, fingerprint = _reset_serializer().loads(
            token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"]
        )
    except (BadSignature, ValueError, TypeError) as error:
        raise InvalidToken(
            N_("This reset link has expired or was used. Ask for a new one.")
        ) from error
    organizer = db.session.get(Organizer, organizer_id) if isinstance(organizer_id, int) else None
    if organizer is None or not organizer.active or fingerprint != _hash_fingerprint(organizer):
        raise InvalidToken(N_("This reset link has expired or was used. Ask for a new one."))
    return organizer


def reset_password(token: str, password: str) -> Organizer:
    """Set a new password from a reset link; the link stops working once it is used."""
    organizer = organizer_for_reset(token)
    set_password(organizer, password)
    return organizer


class _ClockSigner(TimestampSigner):
    # Links age by Chorus's clock, which tests can move on.
    def get_timestamp(self) -> int:
        return int(clock.timestamp())


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt="chorus.password-reset", signer=_ClockSigner
    )


def _hash_fingerprint(organizer: Organizer) -> str:
    return keyed_hash(organizer.password_hash, 16)


def all_organizers() -> list[Organizer]:
    return list(db.session.scalars(sa.select(Organizer).order_by(Organizer.email)))
