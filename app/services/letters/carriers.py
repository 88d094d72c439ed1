"""How a letter reaches each recipient: by email, through Congress's CWC system, or held
for the office's private letters page and printed packet, and why.

One decision, used when a letter is queued and wherever the writer is told what will
happen (the form, the confirmation email, the confirmed page, the receipt).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from app.cwc import cwc_client
from app.i18n import N_
from app.models import DeliveryChannel, Target, TargetKind
from app.services.targets.cwc_offices import CwcOffice, cwc_office

CONGRESS = (TargetKind.US_HOUSE, TargetKind.US_SENATE)


class Way:
    EMAIL = "email"
    DIGEST = "digest"  # held, then sent in the office's daily digest email
    CWC = "cwc"
    HELD = "held"  # for the office's private letters page and printed packet


@dataclass(frozen=True)
class Carrier:
    """How one recipient gets a letter: the way, the recipient in that channel's terms (an
    address, a CWC office code), and, for a held letter, why in plain words."""

    way: str
    recipient: str = ""
    # Why a member of Congress's letter is not sent through CWC ("" for anyone else).
    reason: str = ""

    @property
    def channel(self) -> str:
        return DeliveryChannel.CWC if self.way == Way.CWC else DeliveryChannel.EMAIL

    @property
    def held(self) -> bool:
        return self.way in (Way.DIGEST, Way.HELD)


def carrier(target: Target, has_address: bool = True) -> Carrier:
    """How a letter to this target goes out.

    A member of Congress is written to through CWC when their chamber is switched on here
    and the letter carries the street address CWC requires (has_address); else by email if
    the office has an address, else the letter is held, with the reason.
    """
    reason = ""
    if target.kind in CONGRESS:
        office = cwc_office(target)
        reason = _not_through_cwc(office, has_address)
        if not reason:
            return Carrier(Way.CWC, office.code)
    if target.email:
        return Carrier(Way.DIGEST if target.wants_digest else Way.EMAIL, target.email)
    return Carrier(Way.HELD, reason=reason)


def _not_through_cwc(office: CwcOffice, has_address: bool) -> str:
    """Why a member of Congress's letter cannot go through CWC ("" when it can)."""
    if office.code is None:
        return office.reason
    if cwc_client(current_app.config, office.code) is None:
        return N_("this site does not deliver to Congress through CWC yet")
    if not has_address:
        return N_("we did not have your street address, which Congress requires")
    return ""


def need_address(targets: list[Target] | tuple[Target, ...]) -> bool:
    """Whether a letter to these targets asks for the street address CWC requires."""
    return any(carrier(target).way == Way.CWC for target in targets)
