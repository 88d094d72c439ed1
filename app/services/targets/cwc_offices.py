"""Which CWC office, if any, receives a target's letters, and why not when none does."""

from __future__ import annotations

from dataclasses import dataclass

from app.cwc import house_office, senate_office
from app.i18n import N_
from app.models import Target, TargetKind

# Territories whose delegate is not in CWC's published office list. American Samoa's code is
# disputed among public clients (HAQ00 in one, absent from EFF's list): hold, do not guess.
NO_CWC_OFFICE = {"AS": N_("American Samoa's delegate has no confirmed CWC office")}


@dataclass(frozen=True)
class CwcOffice:
    """A target's CWC office code, or None with the reason its letters are held instead
    (in English, marked for the catalog: a writer's page or email translates it)."""

    code: str | None
    reason: str = ""


def cwc_office(target: Target) -> CwcOffice:
    """The CWC office for a member of Congress: H+state+district, S+state+0+class."""
    if target.kind not in (TargetKind.US_HOUSE, TargetKind.US_SENATE):
        return CwcOffice(None, N_("not a member of Congress"))
    if not target.active:
        return CwcOffice(None, f"{target.name} no longer holds this seat")
    if target.kind == TargetKind.US_SENATE:
        if target.senate_class is None:
            return CwcOffice(None, N_("Senate class unknown: re-import the members file"))
        return CwcOffice(senate_office(target.state, target.senate_class))
    if target.state in NO_CWC_OFFICE:
        return CwcOffice(None, NO_CWC_OFFICE[target.state])
    if len(target.state) != 2 or not target.district.isdigit():
        # Added by hand (a district office, say) rather than from the members file.
        return CwcOffice(None, N_("its state and district are not on file"))
    return CwcOffice(house_office(target.state, int(target.district)))
