"""State legislators and governors from the openstates/people repository layout.

`data/<state>/legislature/*.yml` and `data/<state>/executive/*.yml`, one person per file.
`data/us/` (members of Congress) is left to the congress-legislators importer, whose
bioguide ids key those targets (and openstates keeps contact-form URLs in their `email`).
"""

from __future__ import annotations

import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import date
from pathlib import Path
from typing import Any

from app.clock import utcnow
from app.models import DatasetKind, Target, TargetKind
from app.services.targets.datasets import record_dataset
from app.services.targets.importers import ImportSummary, MalformedData, load_yaml, local_copy
from app.services.targets.importers.targets import overlong_field, upsert_targets

UPSTREAM_URL = "https://github.com/openstates/people/archive/refs/heads/main.tar.gz"

Track = Callable[[list[Path]], AbstractContextManager[Iterable[Path]]]

CHAMBERS = {
    "upper": TargetKind.STATE_UPPER,
    "lower": TargetKind.STATE_LOWER,
    # One-chamber bodies (Nebraska's Legislature, the DC Council) are routed as the upper one.
    "legislature": TargetKind.STATE_UPPER,
}
LOWER_TITLES = {
    **dict.fromkeys(("CA", "NV", "NY", "NJ", "WI"), "Assembly Member"),
    **dict.fromkeys(("MD", "VA", "WV"), "Delegate"),
    "PR": "Representative",
}
UPPER_TITLES = {"DC": "Councilmember", "PR": "Senator"}
# One name per party on every page: congress-legislators, the other source, says "Democrat".
PARTY_NAMES = {"Democratic": "Democrat"}


def import_openstates(source: str, track: Track = nullcontext) -> ImportSummary:
    """Upsert state legislators and governors from a directory, archive or URL.

    `track` wraps the list of files being read, e.g. in a progress bar. The caller commits.
    """
    started = time.perf_counter()
    with local_copy(source) as path, _data_directory(path) as data:
        files = person_files(data)
        if not files:
            raise MalformedData(data, None, "no data/<state>/legislature or executive files")
        records: dict[str, dict[str, Any]] = {}
        today = utcnow().date()
        with track(files) as items:
            for file in items:
                record = read_person(file, today)
                if record is None:
                    continue
                if record["ocd_id"] in records:
                    raise MalformedData(file, 1, f"{record['ocd_id']} appears in two files")
                records[record["ocd_id"]] = record
        dataset = record_dataset(DatasetKind.OPENSTATES, source, path)
    dataset.rows = len(records)
    states = sorted({record["state"] for record in records.values()})
    summary = upsert_targets(
        records.values(),
        key="ocd_id",
        scope=Target.kind.in_((TargetKind.STATE_UPPER, TargetKind.STATE_LOWER, TargetKind.GOVERNOR))
        & Target.state.in_(states),
    )
    summary.seconds = time.perf_counter() - started
    return summary


def person_files(data: Path) -> list[Path]:
    """Every state's legislature and executive person files, in a stable order."""
    files = []
    for state in sorted(p for p in data.iterdir() if p.is_dir() and p.name != "us"):
        for section in ("legislature", "executive"):
            files.extend(sorted((state / section).glob("*.yml")))
    return files


@contextmanager
def _data_directory(path: Path) -> Iterator[Path]:
    """The `data` directory of a checkout, or of a .tar.gz/.zip archive of the repository."""
    if path.is_dir():
        yield _find_data(path)
        return
    with tempfile.TemporaryDirectory(prefix="chorus-openstates-") as directory:
        root = Path(directory)
        try:
            if zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as archive:
                    archive.extractall(root)
            else:
                with tarfile.open(path) as archive:
                    archive.extractall(root, filter="data")
        except (tarfile.TarError, OSError) as error:
            raise MalformedData(path, None, f"not a directory or archive: {error}") from error
        yield _find_data(root)


def _find_data(root: Path) -> Path:
    for candidate in (root / "data", root, *(p / "data" for p in root.iterdir() if p.is_dir())):
        if candidate.is_dir() and any(candidate.glob("*/legislature")):
            return candidate
    raise MalformedData(root, None, "no data/<state>/legislature directories found")


def read_person(path: Path, today: date) -> dict[str, Any] | None:
    """The Target row for one person file, or None for officials Chorus does not write to.

    Executive files hold many statewide officials; only governors are targets.
    """
    person = load_yaml(path)
    if not isinstance(person, dict):
        raise MalformedData(path, 1, "expected one person (a mapping)")
    ocd_id = person.get("id")
    if not isinstance(ocd_id, str) or not ocd_id.startswith("ocd-person/"):
        raise MalformedData(path, _line_of(path, "id"), "missing or bad ocd-person id")
    if not person.get("name"):
        raise MalformedData(path, _line_of(path, "name"), "person without a name")
    roles = person.get("roles")
    if not isinstance(roles, list) or not all(isinstance(r, dict) for r in roles):
        raise MalformedData(path, _line_of(path, "roles"), "roles must be a list")
    section = path.parent.name
    wanted = CHAMBERS if section == "legislature" else {"governor": TargetKind.GOVERNOR}
    relevant = [role for role in roles if role.get("type") in wanted]
    if not relevant:
        if section == "legislature":
            raise MalformedData(path, _line_of(path, "roles"), "no legislative role")
        return None
    current = [role for role in relevant if _is_current(role, today)]
    role = current[0] if current else max(relevant, key=lambda r: str(r.get("end_date")))
    kind = wanted[role["type"]]
    district = str(role.get("district") or "")
    if kind != TargetKind.GOVERNOR and not district:
        raise MalformedData(path, _line_of(path, "roles"), "legislative role without a district")
    state = path.parent.parent.name.upper()
    record = {
        "ocd_id": ocd_id,
        "kind": kind,
        "name": str(person["name"]),
        "title": _title(kind, state),
        "state": state,
        "district": district,
        "party": _party(person),
        "email": _email(person.get("email")),
        "phone": _phone(person.get("offices")),
        "contact_form_url": _link(person.get("links"), webform=True),
        "website": _link(person.get("links"), webform=False),
        "photo_url": str(person.get("image") or ""),
        # A person whose term has ended stays on file, inactive, until upstream moves them.
        "active": bool(current),
    }
    problem = overlong_field(record)
    if problem:
        raise MalformedData(path, 1, problem)
    return record


def _is_current(role: dict[str, Any], today: date) -> bool:
    end = role.get("end_date")
    return not end or str(end) >= today.isoformat()


def _title(kind: str, state: str) -> str:
    if kind == TargetKind.GOVERNOR:
        return "Governor"
    if kind == TargetKind.STATE_LOWER:
        return LOWER_TITLES.get(state, "State Representative")
    return UPPER_TITLES.get(state, "State Senator")


def _party(person: dict[str, Any]) -> str:
    parties = [p for p in person.get("party") or [] if isinstance(p, dict)]
    current = [p for p in parties if not p.get("end_date")] or parties
    name = str(current[0].get("name", "")) if current else ""
    return PARTY_NAMES.get(name, name)


def _email(value: Any) -> str:
    # Only a plain address is an address; a URL here is a contact form, not a mailbox.
    text = str(value or "").strip()
    return text if "@" in text and "/" not in text and " " not in text else ""


def _phone(offices: Any) -> str:
    voices = [o.get("voice") for o in offices or [] if isinstance(o, dict) and o.get("voice")]
    return str(voices[0]) if voices else ""


def _link(links: Any, webform: bool) -> str:
    """The first contact form (a link noted "webform"), or the first other link."""
    for link in links or []:
        if not isinstance(link, dict) or not link.get("url"):
            continue
        if ("webform" in str(link.get("note", ""))) == webform:
            return str(link["url"])
    return ""


def _line_of(path: Path, key: str) -> int:
    """The line where a top-level key starts, for error messages (1 when it is missing)."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, text in enumerate(handle, 1):
            if text.startswith(f"{key}:"):
                return number
    return 1
