"""Upserting imported officials into Target rows, keyed by the dataset's own ids."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Target
from app.services.targets.importers import ImportSummary

# The columns an import owns; everything else (digest preference, organizer-set email) stays.
IMPORTED_FIELDS = (
    "kind",
    "name",
    "title",
    "state",
    "district",
    "senate_class",
    "party",
    "email",
    "phone",
    "contact_form_url",
    "website",
    "photo_url",
    "active",
    # Only imports that carry district offices (congress with its offices file) own these.
    "offices",
)
_CHUNK = 500
_LENGTHS = {
    column.name: column.type.length
    for column in Target.__table__.columns
    if isinstance(column.type, sa.String) and column.type.length
}


def overlong_field(record: dict[str, Any]) -> str | None:
    """The first field too long for its column (PostgreSQL would refuse the row), or None."""
    for name, value in record.items():
        if isinstance(value, str) and len(value) > _LENGTHS.get(name, len(value)):
            return f"{name} is longer than {_LENGTHS[name]} characters: {value[:60]!r}"
    return None


def carry_over_organizer_settings(records: list[dict[str, Any]], dataset_id: int) -> None:
    """Give members new to a dataset the address and digest choice an organizer set for
    their row in an earlier Congress: re-election should not send their letters nowhere."""
    earlier = db.session.execute(
        sa.select(Target.bioguide_id, Target.email, Target.wants_digest)
        .where(
            Target.bioguide_id.in_([record["bioguide_id"] for record in records]),
            Target.dataset_id != dataset_id,
            Target.email_set_by_organizer,
        )
        .order_by(Target.dataset_id)
    ).all()
    settings = {bioguide: (email, digest) for bioguide, email, digest in earlier}
    for record in records:
        email, digest = settings.get(record["bioguide_id"], (None, False))
        record["email_set_by_organizer"] = email is not None
        record["email"] = record["email"] if email is None else email
        record["wants_digest"] = digest


def upsert_targets(
    records: Iterable[dict[str, Any]], key: str, scope: sa.ColumnElement[bool]
) -> ImportSummary:
    """Add new officials, update changed ones, and mark those no longer listed inactive.

    `key` is the id column ("bioguide_id" or "ocd_id"); `scope` selects the existing rows
    this import speaks for, so a departed official is one in scope but not in the records.
    An address an organizer set is kept. Writes in bulk, in the caller's transaction.
    """
    key_column = getattr(Target, key)
    columns = [Target.id, key_column, Target.email_set_by_organizer]
    columns += [getattr(Target, name) for name in IMPORTED_FIELDS]
    existing = {
        row._mapping[key_column]: row._mapping
        for row in db.session.execute(sa.select(*columns).where(key_column.is_not(None), scope))
    }
    summary = ImportSummary()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    seen: set[str] = set()
    for record in records:
        seen.add(record[key])
        row = existing.get(record[key])
        if row is None:
            inserts.append(record)
            continue
        values = {name: record[name] for name in IMPORTED_FIELDS if name in record}
        if row["email_set_by_organizer"]:
            values["email"] = row["email"]
        changed = {name: value for name, value in values.items() if row[name] != value}
        if changed:
            updates.append({"id": row["id"], **changed})
        else:
            summary.unchanged += 1
    _insert_new(inserts)
    _update_changed(updates)
    departed = [row["id"] for k, row in existing.items() if k not in seen and row["active"]]
    for start in range(0, len(departed), _CHUNK):
        db.session.execute(
            sa.update(Target)
            .where(Target.id.in_(departed[start : start + _CHUNK]))
            .values(active=False)
        )
    summary.added, summary.updated, summary.deactivated = len(inserts), len(updates), len(departed)
    return summary


def _insert_new(inserts: list[dict[str, Any]]) -> None:
    if inserts:
        db.session.execute(sa.insert(Target), inserts)


def _update_changed(updates: list[dict[str, Any]]) -> None:
    # Bulk UPDATE by primary key groups rows by the set of columns they change.
    if updates:
        db.session.execute(sa.update(Target), updates)
