"""The audit log: who changed what, recorded in the same unit of work as the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Organizer
from app.services.paging import page_offset


def record(
    organizer: Organizer | None,
    action: str,
    subject: Any = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event to the caller's unit of work: it lands with the change or not at all."""
    event = AuditEvent(
        organizer_id=organizer.id if organizer is not None else None,
        action=action,
        subject_type=type(subject).__name__.lower() if subject is not None else "",
        subject_id=getattr(subject, "id", None),
        detail=detail,
    )
    db.session.add(event)
    return event


@dataclass(frozen=True)
class EventFilters:
    """What an admin narrows the log to; empty values match everything."""

    action: str = ""
    actor: int | None = None
    since: date | None = None
    until: date | None = None  # inclusive: the whole day


def events(filters: EventFilters, page: int, per_page: int) -> tuple[list[AuditEvent], int]:
    """One page of the events matching the filters, newest first, and how many match."""
    conditions = []
    if filters.action:
        conditions.append(AuditEvent.action == filters.action)
    if filters.actor is not None:
        conditions.append(AuditEvent.organizer_id == filters.actor)
    if filters.since:
        conditions.append(AuditEvent.created_at >= datetime.combine(filters.since, time()))
    if filters.until:
        next_day = datetime.combine(filters.until + timedelta(days=1), time())
        conditions.append(AuditEvent.created_at < next_day)
    total = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(*conditions)) or 0
    found = db.session.scalars(
        sa.select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.id.desc())
        .limit(per_page)
        .offset(page_offset(page, per_page))
    )
    return list(found), total


def actions() -> list[str]:
    """Every action recorded so far, for the filter menu."""
    return list(db.session.scalars(sa.select(AuditEvent.action).distinct().order_by("action")))


def readable(detail: dict[str, Any]) -> list[tuple[str, str]]:
    """An event's detail as (label, text) lines: a [before, after] pair reads 'a → b'."""
    lines = []
    for key, value in detail.items():
        if (
            isinstance(value, list)
            and len(value) == 2
            and not all(isinstance(v, int) for v in value)
        ):
            text = f"{_plain(value[0])} → {_plain(value[1])}"
        else:
            text = _plain(value)
        lines.append((key.replace("_", " "), text))
    return lines


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "empty" if value in ("", None) else str(value)
