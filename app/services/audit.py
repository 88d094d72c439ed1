"""The audit log: who changed what, recorded in the same unit of work as the change."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Organizer


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


def recent_events(limit: int = 200) -> list[AuditEvent]:
    """The latest audit events, newest first."""
    return list(
        db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit))
    )
