"""Where a ZIP code is: its state and congressional district(s)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import zipcodes
from flask import current_app

from app import clock
from app.extensions import db
from app.models import DatasetKind, ZipDistrict
from app.services.errors import UnknownZip
from app.services.targets.datasets import in_force

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
    # The ZIP-to-district map that placed it (None when no map in force knew the ZIP).
    dataset_id: int | None = None

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


def locate_zip(value: str, now: datetime | None = None) -> Place:
    """Look a ZIP code up in the ZIP-to-district map in force at `now`, falling back to
    its state.

    Answers are kept in this process for ZIP_CACHE_SECONDS: a map is reference data that
    changes only when it is re-imported, and every signature looks its ZIP up.
    """
    zip_code = normalize_zip(value)
    dataset_id = _map_in_force((now or clock.utcnow()).date().isoformat())
    cache = _zip_cache()
    cached = cache.get((dataset_id, zip_code))
    if cached is not None and cached[0] > clock.monotonic():
        return cached[1]
    place = _lookup(zip_code, dataset_id)
    if len(cache) >= ZIP_CACHE_ENTRIES:
        cache.clear()
    cache[(dataset_id, zip_code)] = (clock.monotonic() + ZIP_CACHE_SECONDS, place)
    return place


def _map_in_force(day: str) -> int | None:
    """The id of the map in force on a day, cached like the look-ups (one query a day)."""
    cache = _zip_cache()
    cached = cache.get(("map", day))
    if cached is not None and cached[0] > clock.monotonic():
        return cached[1]
    dataset = in_force(DatasetKind.ZIPS, datetime.fromisoformat(day))
    dataset_id = dataset.id if dataset is not None else None
    cache[("map", day)] = (clock.monotonic() + ZIP_CACHE_SECONDS, dataset_id)
    return dataset_id


def forget_cached_zips() -> None:
    """Drop this process's cached look-ups (after the ZIP table was re-imported)."""
    _zip_cache().clear()


def _zip_cache() -> dict[tuple[int | str | None, str], tuple[float, Place | int | None]]:
    return current_app.extensions.setdefault("chorus_zip_cache", {})


def _lookup(zip_code: str, dataset_id: int | None) -> Place:
    rows = db.session.execute(
        sa.select(ZipDistrict.state, ZipDistrict.district)
        .where(ZipDistrict.zcta == zip_code, ZipDistrict.dataset_id == dataset_id)
        .order_by(ZipDistrict.state, ZipDistrict.district)
    ).all()
    if rows:
        districts = tuple((r.state, r.district) for r in rows)
        return Place(zip_code, districts, from_zcta=True, dataset_id=dataset_id)
    matches = zipcodes.matching(zip_code)
    if not matches:
        raise UnknownZip()
    return Place(zip_code, ((matches[0]["state"], ""),), from_zcta=False)
