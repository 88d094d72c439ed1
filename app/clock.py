"""The one source of "now": naive UTC datetimes, the same on SQLite and PostgreSQL."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current time as a naive UTC datetime (how every timestamp is stored)."""
    return datetime.now(UTC).replace(tzinfo=None)
