"""Where a ZIP code is: its state and congressional district(s)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
import zipcodes

from app.extensions import db
from app.models import ZipDistrict
from app.services.errors import UnknownZip

ZIP_PATTERN = re.compile(r"^\s*(\d{5})(?:-?\d{4})?\s*$")


@dataclass(frozen=True)
class Place:
    zip: str
    # (state, district) pairs; district "0" is at-large, "" unknown (ZIP is not a ZCTA).
    districts: tuple[tuple[str, str], ...]
    # False when the ZIP is not a census ZCTA (PO boxes, territories) and only its state is known.
    from_zcta: bool

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(sorted({state for state, _ in self.districts}))

    @property
    def state(self) -> str:
        """The state when the ZIP lies in one, else ""."""
        return self.states[0] if len(self.states) == 1 else ""

    @property
    def district(self) -> str:
        """The district when the ZIP lies in one, else ""."""
        return self.districts[0][1] if len(self.districts) == 1 else ""


def normalize_zip(value: str) -> str:
    """'02139-4307' -> '02139'; raise UnknownZip when it is not a US ZIP code."""
    match = ZIP_PATTERN.match(value or "")
    if not match:
        raise UnknownZip("Please enter a 5-digit US ZIP code.")
    return match.group(1)


def locate_zip(value: str) -> Place:
    """Look a ZIP code up in the imported ZCTA table, falling back to its state."""
    zip_code = normalize_zip(value)
    rows = db.session.execute(
        sa.select(ZipDistrict.state, ZipDistrict.district)
        .where(ZipDistrict.zcta == zip_code)
        .order_by(ZipDistrict.state, ZipDistrict.district)
    ).all()
    if rows:
        return Place(zip_code, tuple((r.state, r.district) for r in rows), from_zcta=True)
    matches = zipcodes.matching(zip_code)
    if not matches:
        raise UnknownZip()
    return Place(zip_code, ((matches[0]["state"], ""),), from_zcta=False)
