"""The public datasets in ../shared/data, for tests that use real representative data.

Tests read the files where they are (never copied into the repository) and are skipped
with a reason when the folder is absent.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from app.extensions import db
from app.services.targets.importers.congress import import_congress
from app.services.targets.importers.zips import import_zips

# Beside the project; SHARED_DATA names it elsewhere (a git worktree one level deeper).
DATA = Path(
    os.environ.get("SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"
)
ZCCD = DATA / "us-zipcodes-congress" / "zccd.csv"
CONGRESS_YAML = DATA / "congress-legislators" / "legislators-current.yaml"
CONGRESS_CSV = DATA / "congress-legislators" / "legislators-current.csv"
OFFICES_YAML = DATA / "congress-legislators" / "legislators-district-offices.yaml"
OFFICES_CSV = DATA / "congress-legislators" / "legislators-district-offices.csv"
OPENSTATES = DATA / "openstates-people"

requires_data = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"needs the public datasets in {DATA} (see its README)"
)


def zccd_excerpt(directory: Path, zips: set[str]) -> Path:
    """A copy of zccd.csv with only these ZIP codes' rows (the full file is 42,033 rows)."""
    path = directory / "zccd.csv"
    with ZCCD.open(newline="") as source, path.open("w", newline="") as out:
        reader = csv.DictReader(source)
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames)
        writer.writeheader()
        writer.writerows(row for row in reader if row["zcta"] in zips)
    return path


def load_congress(directory: Path, zips: set[str]) -> None:
    """Import every member of Congress and the given ZIP codes' districts, committed."""
    import_zips(str(zccd_excerpt(directory, zips)))
    import_congress(str(CONGRESS_CSV))
    db.session.commit()
