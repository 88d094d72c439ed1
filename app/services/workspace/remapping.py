"""A campaign's per-district tallies recomputed under another ZIP-to-district map.

Signatures keep the district they were counted in; this only answers "what would the
counts by district be under that map?", as the UK petitions service does after boundary
changes. A ZIP the other map splits between districts keeps the signer's own district
when it is one of them, and is otherwise counted as undecided: nobody chose for them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.models import Campaign, Dataset, Signature, SignatureStatus, ZipDistrict

UNDECIDED = "?"


@dataclass(frozen=True)
class DistrictFigures:
    state: str
    district: str
    counted: int
    remapped: int

    @property
    def change(self) -> int:
        return self.remapped - self.counted


def remap_tallies(campaign: Campaign, zip_map: Dataset) -> list[DistrictFigures]:
    """Confirmed signatures by district as counted, beside the same under `zip_map`.

    District UNDECIDED holds signatures the map splits across districts without theirs,
    and "" those whose ZIP code the map does not know.
    """
    signatures = db.session.execute(
        sa.select(Signature.zip, Signature.state, Signature.district).where(
            Signature.campaign_id == campaign.id, Signature.status == SignatureStatus.CONFIRMED
        )
    ).all()
    districts: dict[str, set[tuple[str, str]]] = {}
    for zcta, state, district in db.session.execute(
        sa.select(ZipDistrict.zcta, ZipDistrict.state, ZipDistrict.district).where(
            ZipDistrict.dataset_id == zip_map.id,
            ZipDistrict.zcta.in_(
                sa.select(Signature.zip).where(Signature.campaign_id == campaign.id)
            ),
        )
    ):
        districts.setdefault(zcta, set()).add((state, district))
    counted: Counter[tuple[str, str]] = Counter()
    remapped: Counter[tuple[str, str]] = Counter()
    for zip_code, state, district in signatures:
        counted[(state, district)] += 1
        remapped[_remap(districts.get(zip_code, set()), state, district)] += 1
    return [
        DistrictFigures(state, district, counted[(state, district)], remapped[(state, district)])
        for state, district in sorted(counted.keys() | remapped.keys(), key=_order)
    ]


def _remap(options: set[tuple[str, str]], state: str, district: str) -> tuple[str, str]:
    if len(options) == 1:
        return next(iter(options))
    if (state, district) in options:
        return state, district
    return (state, UNDECIDED if options else "")


def _order(key: tuple[str, str]) -> tuple[str, int, str]:
    state, district = key
    return state, int(district) if district.isdigit() else 999, district
