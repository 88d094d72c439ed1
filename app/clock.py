"""The one source of "now": naive UTC datetimes, the same on SQLite and PostgreSQL.

Everything in Chorus that asks the time asks here, so tests can stop the clock and move
it on (`freeze`, `advance`, `reset`; the `frozen_clock` fixture) instead of sleeping.
The frozen time lives in this module, so `from app.clock import utcnow` sees it too.
"""

import time
from datetime import UTC, datetime, timedelta

_frozen: datetime | None = None
_frozen_monotonic = 0.0


def utcnow() -> datetime:
    """Return the current time as a naive UTC datetime (how every timestamp is stored)."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC).replace(tzinfo=None)


def timestamp() -> float:
    """Seconds since the epoch, for values kept outside the database (a session cookie)."""
    if _frozen is not None:
        return _frozen.replace(tzinfo=UTC).timestamp()
    return time.time()


def monotonic() -> float:
    """Seconds on a clock that never goes back, for ages and intervals in memory."""
    if _frozen is not None:
        return _frozen_monotonic
    return time.monotonic()


def freeze(at: datetime | None = None) -> datetime:
    """Stop the clock at `at` (naive UTC; default now) until reset(); return that time."""
    global _frozen, _frozen_monotonic
    _frozen_monotonic = monotonic()
    _frozen = at or utcnow()
    return _frozen


def advance(seconds: float) -> datetime:
    """Move the stopped clock on by this many seconds; return the new now."""
    global _frozen, _frozen_monotonic
    if _frozen is None:
        raise RuntimeError("advance() moves a frozen clock: call freeze() first")
    _frozen += timedelta(seconds=seconds)
    _frozen_monotonic += seconds
    return _frozen


def reset() -> None:
    """Let the clock run with real time again."""
    global _frozen
    _frozen = None
