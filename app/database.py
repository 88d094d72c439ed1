"""Where PostgreSQL and SQLite differ, in one place: each tuned statement or lock sits
behind a function named for what it does, so services read as their documented flow and
never ask which database they run on. SQLite serialises writers by itself, so most of
these are PostgreSQL's concurrency and speed, and plain SQL on SQLite.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def _postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


def insert(model):
    """The database's own INSERT construct (PostgreSQL's or SQLite's), for ON CONFLICT."""
    return (postgresql if _postgresql() else sqlite).insert(model)


def skip_locked(select: sa.Select) -> sa.Select:
    """Lock the rows select finds, skipping rows another transaction holds: many workers
    claim disjoint rows at once (PostgreSQL; SQLite has one writer at a time anyway)."""
    return select.with_for_update(skip_locked=True) if _postgresql() else select


def commit_without_waiting_for_disk() -> None:
    """Commit without waiting for PostgreSQL to flush the WAL to disk.

    For writes a crash may lose because they are repeated anyway (a delivery's outcome:
    the row is merely sent again); waiting would cap a worker at the disk's fsync rate.
    """
    if _postgresql():
        db.session.execute(sa.text("SET LOCAL synchronous_commit TO OFF"))
    db.session.commit()


def try_lock(key: int) -> bool:
    """Take a lock on key for this transaction unless someone holds it; whether we have it."""
    if not _postgresql():
        return True
    return bool(
        db.session.execute(sa.text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}).scalar()
    )


def lock(key: int) -> None:
    """Take a lock on key for this transaction, waiting for whoever holds it."""
    if _postgresql():
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def writes_in_one_statement() -> bool:
    """Whether INSERTs into several tables can be one statement (PostgreSQL's
    data-modifying CTEs); SQLite runs them one after another in a transaction."""
    return _postgresql()


def read_without_transaction() -> None:
    """Let the session's next reads run in autocommit, if it has not begun a transaction:
    for a request that reads one row, no BEGIN before it and no ROLLBACK after it (two
    round trips of three). A unit of work later in the request still commits as usual."""
    if not db.session().in_transaction():
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def execute_alone(statement: sa.Executable, params: dict):
    """Run one statement as its own transaction (autocommit: no BEGIN or COMMIT round
    trip) and return the first column of its first row, or None."""
    # End what the caller read (a ZIP look-up), so a thread never holds two connections;
    # usually the request has no session yet, and none is made just to ask.
    if db.session.registry.has() and db.session().in_transaction():
        db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return connection.execute(statement, params).scalar()
