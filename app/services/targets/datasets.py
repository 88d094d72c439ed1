"""Dated reference data: which dataset applies on a day, and what is missing or stale.

A ZIP-to-district map and a list of members of Congress belong to one Congress; each
Congress is sworn in on 3 January of an odd year (the 20th Amendment). Routing asks which
dataset is in force at the moment of writing, so a new Congress's files can be imported
weeks ahead and take over on the day, with no deploy and no job to run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from flask_babel import LazyString, gettext, lazy_gettext

from app.clock import utcnow
from app.extensions import db
from app.i18n import N_
from app.models import Dataset, DatasetKind, TargetKind
from app.services.targets.importers import is_url

# How long before a new Congress the dashboard starts asking for its data.
NOTICE_DAYS = 45
# Which chambers' letters wait when a kind of data is missing for the day.
CHAMBERS = {
    DatasetKind.CONGRESS: (TargetKind.US_SENATE, TargetKind.US_HOUSE),
    DatasetKind.ZIPS: (TargetKind.US_HOUSE,),
}
# The chambers whose letters wait, as the dashboard's warnings name them.
CHAMBER_NAMES = {
    DatasetKind.CONGRESS: N_("U.S. senators and U.S. representative"),
    DatasetKind.ZIPS: N_("U.S. representative"),
}
# Why letters wait, translated where shown (`ordinal`: "120th", "120.º").
MISSING = {
    DatasetKind.CONGRESS: N_("no member data for the %(ordinal)s Congress yet"),
    DatasetKind.ZIPS: N_("no ZIP-to-district map for the %(ordinal)s Congress yet"),
}


def congress_start(number: int) -> date:
    """The day the given Congress is sworn in (the 119th: 3 January 2025)."""
    return date(1787 + 2 * number, 1, 3)


def congress_on(day: date) -> int:
    """The Congress in session on a day."""
    number = (day.year - 1787) // 2
    return number if day >= congress_start(number) else number - 1


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10)
    return f"{number}{suffix or 'th'}"


# English ordinals by their suffix, so each language writes its own ("120.º" in Spanish).
_ORDINALS = {
    "st": N_("%(number)sst"),
    "nd": N_("%(number)snd"),
    "rd": N_("%(number)srd"),
    "th": N_("%(number)sth"),
}


def ordinal_in_language(number: int) -> str:
    """An ordinal as the reader's language writes it: "120th", "120.º"."""
    return gettext(_ORDINALS[ordinal(number)[-2:]], number=number)


def record_dataset(
    kind: str, source: str, path: Path, congress: int | None = None, effective: date | None = None
) -> Dataset:
    """The dataset an import writes into, created or refreshed; in the caller's transaction.

    A ZIP map or member list belongs to a Congress: by default the one in session today,
    or the one `effective` falls in; it applies from `effective` (default: the day that
    Congress is sworn in) until the next Congress is. The same kind, Congress and start day
    is the same dataset, so importing it again replaces its rows and nothing else's.
    """
    today = utcnow().date()
    if kind == DatasetKind.OPENSTATES:
        # Upstream keeps one current roster with end dates of its own: one dataset, refreshed.
        congress, starts, ends = None, today, None
    else:
        congress = congress or congress_on(effective or today)
        starts = effective or congress_start(congress)
        ends = congress_start(congress + 1)
    dataset = db.session.scalar(
        sa.select(Dataset).where(
            Dataset.kind == kind,
            Dataset.congress.is_(None) if congress is None else Dataset.congress == congress,
            sa.true() if congress is None else Dataset.effective_from == starts,
        )
    )
    if dataset is None:
        dataset = Dataset(kind=kind, congress=congress)
        db.session.add(dataset)
    dataset.source, dataset.version = source, _file_date(source, path, today)
    dataset.effective_from, dataset.effective_until = starts, ends
    dataset.imported_at = utcnow()
    db.session.flush()
    return dataset


def _file_date(source: str, path: Path, today: date) -> str:
    """The upstream file's date: a local file's modification day, a download's day."""
    if is_url(source):
        return today.isoformat()
    return datetime.fromtimestamp(path.stat().st_mtime).date().isoformat()


def in_force(kind: str, now: datetime | None = None) -> Dataset | None:
    """The dataset of a kind that applies at `now` (the newest start wins), or None."""
    day = (now or utcnow()).date()
    return db.session.scalar(
        sa.select(Dataset)
        .where(
            Dataset.kind == kind,
            Dataset.effective_from <= day,
            sa.or_(Dataset.effective_until.is_(None), Dataset.effective_until > day),
        )
        .order_by(Dataset.effective_from.desc(), Dataset.id.desc())
        .limit(1)
    )


def held_chambers(now: datetime, missing: set[str]) -> dict[str, LazyString]:
    """For each kind of target whose letters must wait, why (translated when shown):
    `missing` are the dataset kinds with nothing in force at `now`."""
    number = congress_on(now.date())
    held: dict[str, LazyString] = {}
    for kind in (DatasetKind.CONGRESS, DatasetKind.ZIPS):
        if kind in missing:
            for chamber in CHAMBERS[kind]:
                reason = lazy_gettext(
                    MISSING[kind], ordinal=LazyString(ordinal_in_language, number)
                )
                held.setdefault(chamber, reason)
    return held


@dataclass(frozen=True)
class DatasetState:
    """One dataset as the workspace shows it."""

    dataset: Dataset
    age_days: int
    in_force: bool
    ended: bool

    @property
    def name(self) -> str:
        """'members of Congress, 120th Congress'."""
        congress = self.dataset.congress
        return self.dataset.label + (f", {ordinal(congress)} Congress" if congress else "")


@dataclass(frozen=True)
class ReferenceStatus:
    datasets: list[DatasetState]
    warnings: list[str]


def reference_status(now: datetime | None = None) -> ReferenceStatus:
    """Every dataset with its age and period, and what an operator must import."""
    now = now or utcnow()
    today = now.date()
    rows = db.session.scalars(
        sa.select(Dataset).order_by(Dataset.kind, Dataset.effective_from.desc(), Dataset.id.desc())
    ).all()
    current = {kind: in_force(kind, now) for kind in DatasetKind.LABELS}
    states = [
        DatasetState(
            dataset=dataset,
            age_days=(now - dataset.imported_at).days,
            in_force=current[dataset.kind] is dataset,
            ended=dataset.effective_until is not None and dataset.effective_until <= today,
        )
        for dataset in rows
    ]
    return ReferenceStatus(states, _warnings(now, current))


def _warnings(now: datetime, current: dict[str, Dataset | None]) -> list[str]:
    today = now.date()
    number = congress_on(today)
    following = congress_start(number + 1)
    warnings = []
    for kind in (DatasetKind.ZIPS, DatasetKind.CONGRESS):
        words = {
            "data": gettext(DatasetKind.LABELS[kind]),
            "chambers": gettext(CHAMBER_NAMES[kind]),
        }
        if current[kind] is None:
            warnings.append(
                gettext(
                    "No %(data)s imported for the %(ordinal)s Congress, which began on "
                    "%(date)s: new letters to %(chambers)s are held.",
                    ordinal=ordinal_in_language(number),
                    date=f"{congress_start(number):%d %B %Y}",
                    **words,
                )
            )
        elif (following - today).days <= NOTICE_DAYS and in_force(
            kind, datetime.combine(following, datetime.min.time())
        ) is None:
            warnings.append(
                gettext(
                    "No %(data)s imported yet for the %(ordinal)s Congress, sworn in on "
                    "%(date)s (in %(days)s days): from that day new letters to %(chambers)s "
                    "will be held.",
                    ordinal=ordinal_in_language(number + 1),
                    date=f"{following:%d %B %Y}",
                    days=(following - today).days,
                    **words,
                )
            )
    return warnings
