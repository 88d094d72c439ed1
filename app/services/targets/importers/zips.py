"""ZIP code tabulation areas to congressional districts (us-zipcodes-congress zccd.csv)."""

from __future__ import annotations

import csv
import re
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.models import DatasetKind, ZipDistrict
from app.services.letters import places
from app.services.targets.datasets import record_dataset
from app.services.targets.importers import ImportSummary, MalformedData, local_copy

UPSTREAM_URL = (
    "https://raw.githubusercontent.com/OpenSourceActivismTech/us-zipcodes-congress/master/zccd.csv"
)

_COLUMNS = {"state_abbr", "zcta", "cd"}
_ZCTA = re.compile(r"^\d{5}$")
_STATE = re.compile(r"^[A-Z]{2}$")
_DISTRICT = re.compile(r"^\d{1,2}$")


def import_zips(
    source: str, congress: int | None = None, effective: date | None = None
) -> ImportSummary:
    """Replace one Congress's ZIP-to-district map with the file's rows; the caller commits.

    The map is the dataset for `congress` from `effective` (see record_dataset); other
    Congresses' maps stay as they are. Its rows are emptied and refilled in the caller's
    transaction, so readers see the old map or the new one, never a mix.
    """
    started = time.perf_counter()
    with local_copy(source) as path:
        rows = _read(path)
        dataset = record_dataset(DatasetKind.ZIPS, source, path, congress, effective)
    in_map = ZipDistrict.dataset_id == dataset.id
    before = set(
        db.session.execute(
            sa.select(ZipDistrict.zcta, ZipDistrict.state, ZipDistrict.district).where(in_map)
        )
    )
    after = {(row["zcta"], row["state"], row["district"]) for row in rows}
    db.session.execute(sa.delete(ZipDistrict).where(in_map))
    db.session.execute(sa.insert(ZipDistrict), [{**row, "dataset_id": dataset.id} for row in rows])
    dataset.rows = len(rows)
    places.forget_cached_zips()
    # Rows are replaced wholesale; the summary says how the mapping itself changed.
    summary = ImportSummary(
        added=len(after - before), deactivated=len(before - after), unchanged=len(after & before)
    )
    summary.seconds = time.perf_counter() - started
    return summary


def _read(path: Path) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = _COLUMNS - set(reader.fieldnames or ())
        if missing:
            raise MalformedData(path, 1, f"missing columns {sorted(missing)}")
        for row in reader:
            zcta, state, district = row["zcta"] or "", row["state_abbr"] or "", row["cd"] or ""
            if not _ZCTA.match(zcta):
                raise MalformedData(path, reader.line_num, f"bad ZCTA {zcta!r}")
            if not _STATE.match(state):
                raise MalformedData(path, reader.line_num, f"bad state {state!r}")
            if not _DISTRICT.match(district):
                raise MalformedData(path, reader.line_num, f"bad district {district!r}")
            key = (zcta, state, str(int(district)))
            if key in seen:
                raise MalformedData(path, reader.line_num, f"{zcta} {state}-{district} repeated")
            seen.add(key)
            rows.append({"zcta": key[0], "state": key[1], "district": key[2]})
    return rows
