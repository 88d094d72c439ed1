"""Where PostgreSQL and SQLite differ, in one place: each tuned statement or lock sits
behind a function named for what it does, so services read as their documented flow and
never ask which database they run on. SQLite serialises writers by itself, so most of
these are PostgreSQL's concurrency and speed, and plain SQL on SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

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
    trip) and return the first column of its first row, or None.

    For the hottest statements (a signature): it goes to the driver as SQL compiled once,
    on a pooled connection, without SQLAlchemy's per-call execution (a Connection, the
    compiled cache's look-up, parameter processing, a result object), which cost as much
    as everything else the statement needs. Errors are SQLAlchemy's, as everywhere else.
    Used where writes_in_one_statement (the driver's `autocommit` switch is psycopg's).
    """
    # End what the caller read (a ZIP look-up), so a thread never holds two connections.
    if _session_in_transaction():
        db.session.commit()
    row = _first_row_alone(statement, params)
    return None if row is None else row[0]


def read_row(statement: sa.Executable, params: dict) -> tuple | None:
    """The first row of a read that needs no transaction (one row of a few columns a page
    is keyed by), or None. On PostgreSQL it goes to the driver as execute_alone's statement
    does, unless the session is already in a transaction (then it reads there, so a thread
    never holds two connections); the columns must be of types the driver gives as
    SQLAlchemy would (numbers, strings, timestamps)."""
    if _postgresql() and not _session_in_transaction():
        return _first_row_alone(statement, params)
    read_without_transaction()
    return db.session.execute(statement, params).first()


def _session_in_transaction() -> bool:
    # Usually a request has no session yet, and none is made just to ask.
    return db.session.registry.has() and db.session().in_transaction()


def _first_row_alone(statement: sa.Executable, params: dict) -> tuple | None:
    compiled = _compiled(statement, db.engine.dialect)
    driver_error = db.engine.dialect.loaded_dbapi.Error
    try:
        connection = db.engine.raw_connection()
    except driver_error as error:  # the database is down: SQLAlchemy's error, as elsewhere
        raise sa.exc.DBAPIError.instance(None, None, error, driver_error, True) from error
    try:
        return _first_row(connection, compiled, params)
    finally:
        connection.close()


@dataclass(frozen=True)
class _Compiled:
    sql: str
    fixed: dict  # the values the statement carries itself (literals, constants)
    processors: dict  # bound name -> how its type converts a value for the driver


@cache
def _compiled(statement: sa.Executable, dialect: sa.Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)
    processors = {
        name: processor
        for name, bind in compiled.binds.items()
        if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect))
    }
    fixed = {
        name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required
    }
    return _Compiled(compiled.string, fixed, processors)


def _first_row(connection, compiled: _Compiled, params: dict) -> tuple | None:
    values = {**compiled.fixed, **params}
    for name, processor in compiled.processors.items():
        values[name] = processor(values[name])
    driver = connection.driver_connection
    try:
        driver.autocommit = True
        cursor = connection.cursor()
        cursor.execute(compiled.sql, values)
        row = cursor.fetchone()
        cursor.close()
    except db.engine.dialect.loaded_dbapi.Error as error:
        raise _database_error(connection, compiled.sql, error) from error
    finally:
        if connection.is_valid:
            driver.autocommit = False
    return row


def _database_error(connection, sql: str, error: Exception) -> sa.exc.DBAPIError:
    """The driver's error as SQLAlchemy raises it. A lost connection rebuilds the pool, as
    SQLAlchemy does: the database restarted, so every pooled connection is dead too."""
    engine = db.engine
    lost = engine.dialect.is_disconnect(error, connection.driver_connection, None)
    if lost:
        connection.invalidate(error)
        engine.dispose()
    return sa.exc.DBAPIError.instance(
        sql, None, error, engine.dialect.loaded_dbapi.Error, True, connection_invalidated=lost
    )
