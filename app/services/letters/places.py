"""Where a ZIP code is: its state and congressional district(s)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
import zipcodes
from flask import current_app

from app import clock
from app.extensions import db
from app.models import ZipDistrict
from app.services.errors import UnknownZip

# Every US ZCTA fits (about 34,000); other processes see a re-import within this time.
ZIP_CACHE_SECONDS = 300
ZIP_CACHE_ENTRIES = 50_000
# ASCII digits only: \d alone also takes full-width and Arabic-Indic digits, which no ZIP
# code has and which the zipcodes package cannot take (it brought the worker down).
ZIP_PATTERN = re.compile(r"^\s*([0-9]{5})(?:-?[0-9]{4})?\s*$")


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
    """Look a ZIP code up in the imported ZCTA table, falling back to its state.

    Answers are kept in this process for ZIP_CACHE_SECONDS: the table is reference data that
    changes only when it is re-imported, and every signature looks its ZIP up.
    """
    zip_code = normalize_zip(value)
    cache = _zip_cache()
    cached = cache.get(zip_code)
    if cached is not None and cached[0] > clock.monotonic():
        return cached[1]
    place = _lookup(zip_code)
    if len(cache) >= ZIP_CACHE_ENTRIES:
        cache.clear()
    cache[zip_code] = (clock.monotonic() + ZIP_CACHE_SECONDS, place)
    return place


def forget_cached_zips() -> None:
    """Drop this process's cached look-ups (after the ZIP table was re-imported)."""
    _zip_cache().clear()


def _zip_cache() -> dict[str, tuple[float, Place]]:
    return current_app.extensions.setdefault("chorus_zip_cache", {})


def _lookup(zip_code: str) -> Place:
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
