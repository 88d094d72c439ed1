"""Members of Congress from unitedstates/congress-legislators (legislators-current.yaml or .csv)."""

from __future__ import annotations

import csv
import re
import time
from datetime import date
from pathlib import Path
from typing import Any

from app.models import DatasetKind, Target, TargetKind
from app.services.targets.datasets import record_dataset
from app.services.targets.importers import (
    ImportSummary,
    MalformedData,
    local_copy,
    numbered_list_items,
)
from app.services.targets.importers.district_offices import read_offices
from app.services.targets.importers.targets import (
    carry_over_organizer_settings,
    overlong_field,
    upsert_targets,
)

UPSTREAM_URL = "https://unitedstates.github.io/congress-legislators/legislators-current.yaml"

KINDS = {"sen": TargetKind.US_SENATE, "rep": TargetKind.US_HOUSE}
# Non-voting members of the House: DC and the territories' delegates, Puerto Rico's commissioner.
HOUSE_TITLES = {
    "DC": "Delegate",
    "AS": "Delegate",
    "GU": "Delegate",
    "MP": "Delegate",
    "VI": "Delegate",
    "PR": "Resident Commissioner",
}
_STATE = re.compile(r"^[A-Z]{2}$")
_CSV_COLUMNS = {"bioguide_id", "full_name", "type", "state", "district", "party"}


def import_congress(
    source: str,
    offices: str | None = None,
    congress: int | None = None,
    effective: date | None = None,
) -> ImportSummary:
    """Upsert the members of one Congress from a path or URL; the caller commits.

    The members are the dataset for `congress` from `effective` (see record_dataset); other
    Congresses' members stay as they are. With `offices` (the district-offices file), each
    member's offices are replaced by the file's; without it, those on file stay.
    """
    started = time.perf_counter()
    with local_copy(source) as path:
        records = _read_csv(path) if path.suffix.lower() == ".csv" else _read_yaml(path)
        dataset = record_dataset(DatasetKind.CONGRESS, source, path, congress, effective)
    for record in records:
        record["dataset_id"] = dataset.id
    carry_over_organizer_settings(records, dataset.id)
    if offices is not None:
        by_member = read_offices(offices, {record["bioguide_id"] for record in records})
        for record in records:
            record["offices"] = by_member.get(record["bioguide_id"], [])
    summary = upsert_targets(
        records,
        key="bioguide_id",
        scope=Target.kind.in_((TargetKind.US_SENATE, TargetKind.US_HOUSE))
        & (Target.dataset_id == dataset.id),
    )
    dataset.rows = len(records)
    if offices is not None:
        summary.offices = sum(len(record["offices"]) for record in records)
    summary.seconds = time.perf_counter() - started
    return summary


def _read_yaml(path: Path) -> list[dict[str, Any]]:
    records, lines = [], []
    for person, line in numbered_list_items(path, "legislators"):
        if not isinstance(person, dict) or not person.get("terms"):
            raise MalformedData(path, line, "legislator without terms")
        term = person["terms"][-1]
        name = person.get("name") or {}
        full_name = name.get("official_full") or " ".join(
            part for part in (name.get("first"), name.get("last")) if part
        )
        fields = {
            "bioguide_id": (person.get("id") or {}).get("bioguide"),
            "name": full_name,
            "type": term.get("type"),
            "state": term.get("state"),
            "district": term.get("district"),
            "senate_class": term.get("class"),
            "party": term.get("party"),
            "phone": term.get("phone"),
            "contact_form_url": term.get("contact_form"),
            "website": term.get("url"),
        }
        records.append(_record(fields, path, line))
        lines.append(line)
    _check_unique(records, path, lines)
    return records


def _read_csv(path: Path) -> list[dict[str, Any]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = _CSV_COLUMNS - set(reader.fieldnames or ())
        if missing:
            raise MalformedData(path, 1, f"missing columns {sorted(missing)}")
        records, lines = [], []
        for row in reader:
            if None in row:
                raise MalformedData(path, reader.line_num, "more fields than the header names")
            fields = {
                "bioguide_id": row["bioguide_id"],
                # Newly sworn-in members can lack full_name until upstream fills it in.
                "name": row["full_name"]
                or " ".join(p for p in (row.get("first_name"), row.get("last_name")) if p),
                "type": row["type"],
                "state": row["state"],
                "district": row["district"],
                "senate_class": row.get("senate_class"),
                "party": row["party"],
                "phone": row.get("phone"),
                "contact_form_url": row.get("contact_form"),
                "website": row.get("url"),
            }
            records.append(_record(fields, path, reader.line_num))
            lines.append(reader.line_num)
    _check_unique(records, path, lines)
    return records


def _record(fields: dict[str, Any], path: Path, line: int | None) -> dict[str, Any]:
    """A Target row from one legislator's fields, or MalformedData naming what is wrong."""
    kind = KINDS.get(fields["type"] or "")
    state = fields["state"] or ""
    district = "" if fields["district"] is None else str(fields["district"]).strip()
    if not fields["bioguide_id"]:
        raise MalformedData(path, line, "legislator without a bioguide id")
    if not fields["name"]:
        raise MalformedData(path, line, f"{fields['bioguide_id']}: no name")
    if kind is None:
        raise MalformedData(path, line, f"{fields['bioguide_id']}: type must be sen or rep")
    if not _STATE.match(state):
        raise MalformedData(path, line, f"{fields['bioguide_id']}: bad state {state!r}")
    if kind == TargetKind.US_HOUSE and not district.isdigit():
        raise MalformedData(path, line, f"{fields['bioguide_id']}: bad district {district!r}")
    senate_class = "" if fields["senate_class"] is None else str(fields["senate_class"]).strip()
    if kind == TargetKind.US_SENATE and senate_class not in {"1", "2", "3"}:
        raise MalformedData(
            path, line, f"{fields['bioguide_id']}: bad senate class {senate_class!r}"
        )
    if kind == TargetKind.US_SENATE:
        title, district = "U.S. Senator", ""
    else:
        title, district = HOUSE_TITLES.get(state, "U.S. Representative"), str(int(district))
    record = {
        "bioguide_id": fields["bioguide_id"],
        "kind": kind,
        "name": fields["name"],
        "title": title,
        "state": state,
        "district": district,
        "senate_class": int(senate_class) if kind == TargetKind.US_SENATE else None,
        "party": fields["party"] or "",
        # congress-legislators publishes no email addresses; never guess one.
        "email": "",
        "phone": fields["phone"] or "",
        "contact_form_url": fields["contact_form_url"] or "",
        "website": fields["website"] or "",
        "photo_url": "",
        "active": True,
    }
    problem = overlong_field(record)
    if problem:
        raise MalformedData(path, line, f"{fields['bioguide_id']}: {problem}")
    return record


def _check_unique(records: list[dict[str, Any]], path: Path, lines: list[int | None]) -> None:
    seen: set[str] = set()
    for index, record in enumerate(records):
        if record["bioguide_id"] in seen:
            line = lines[index] if index < len(lines) else None
            raise MalformedData(path, line, f"{record['bioguide_id']} is listed twice")
        seen.add(record["bioguide_id"])
