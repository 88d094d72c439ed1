"""Members' district offices from congress-legislators (legislators-district-offices.yaml/.csv)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from app.services.targets.importers import MalformedData, local_copy, numbered_list_items

# What someone carrying a printed packet to an office needs (coordinates, fax, hours stay upstream).
OFFICE_FIELDS = ("id", "address", "suite", "building", "city", "state", "zip", "phone")
_CSV_COLUMNS = {"bioguide", "id", "address", "city", "state", "zip", "phone"}


def read_offices(source: str, members: set[str]) -> dict[str, list[dict[str, str]]]:
    """Each member's district offices by bioguide id, from a path or URL.

    An office of someone not in `members` (the members file just read) is malformed:
    the two files must come from the same upstream snapshot.
    """
    offices: dict[str, list[dict[str, str]]] = {}
    seen: set[str] = set()
    with local_copy(source) as path:
        entries = _read_csv(path) if path.suffix.lower() == ".csv" else _read_yaml(path)
        for bioguide, office, line in entries:
            if bioguide not in members:
                problem = f"office {office['id']!r}: {bioguide} is not a member"
                raise MalformedData(path, line, problem)
            if office["id"] in seen:
                raise MalformedData(path, line, f"office {office['id']!r} is listed twice")
            seen.add(office["id"])
            offices.setdefault(bioguide, []).append(office)
    return offices


def _read_yaml(path: Path) -> list[tuple[str, dict[str, str], int | None]]:
    entries = []
    for person, line in numbered_list_items(path, "legislators' offices"):
        if not isinstance(person, dict) or not isinstance(person.get("offices"), list):
            raise MalformedData(path, line, "entry without a list of offices")
        bioguide = (person.get("id") or {}).get("bioguide")
        if not bioguide:
            raise MalformedData(path, line, "entry without a bioguide id")
        for office in person["offices"]:
            if not isinstance(office, dict):
                raise MalformedData(path, line, f"{bioguide}: an office is not a mapping")
            entries.append((bioguide, _office(office, bioguide, path, line), line))
    return entries


def _read_csv(path: Path) -> list[tuple[str, dict[str, str], int | None]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = _CSV_COLUMNS - set(reader.fieldnames or ())
        if missing:
            raise MalformedData(path, 1, f"missing columns {sorted(missing)}")
        entries = []
        for row in reader:
            if None in row:
                raise MalformedData(path, reader.line_num, "more fields than the header names")
            if not row["bioguide"]:
                raise MalformedData(path, reader.line_num, "office without a bioguide id")
            office = _office(row, row["bioguide"], path, reader.line_num)
            entries.append((row["bioguide"], office, reader.line_num))
    return entries


def _office(fields: dict[str, Any], bioguide: str, path: Path, line: int | None) -> dict[str, str]:
    """One office's stored fields as strings ("" when upstream has none)."""
    office = {name: "" if fields.get(name) is None else str(fields[name]) for name in OFFICE_FIELDS}
    if not office["id"]:
        raise MalformedData(path, line, f"{bioguide}: office without an id")
    if not office["city"]:
        raise MalformedData(path, line, f"{bioguide}: office {office['id']!r} has no city")
    return office
