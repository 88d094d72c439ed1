"""Migrations: `flask db upgrade` on an empty database builds exactly the models' schema."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from app import (
    ROOT,
    models,  # noqa: F401  (registers every table on db.metadata)
)
from app.extensions import db
from tests.conftest import POSTGRES_URL, _create_postgres_database, _drop_postgres_database

FLASK = Path(sys.executable).with_name("flask")


def _flask_db(database_url: str, *args: str) -> subprocess.CompletedProcess:
    """Run `flask --app app db ARGS` as an operator would, against database_url."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "migration-test"}
    result = subprocess.run(
        [str(FLASK), "--app", "app", "db", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result


def _heads() -> list[str]:
    config = AlembicConfig()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_heads()


def _differences(database_url: str) -> list:
    """What autogenerate would change to make the database match the models (none, we hope)."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, db.metadata)
    finally:
        engine.dispose()


def _tables(database_url: str) -> set[str]:
    engine = sa.create_engine(database_url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _current_revision(database_url: str) -> str:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def test_there_is_exactly_one_head():
    assert len(_heads()) == 1, f"several migration heads: {_heads()}"


def test_upgrade_on_empty_sqlite_matches_the_models_and_downgrades_to_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    _flask_db(url, "upgrade")
    assert _current_revision(url) == _heads()[0]
    assert _differences(url) == []
    assert {t.name for t in db.metadata.sorted_tables} <= _tables(url)

    _flask_db(url, "downgrade", "base")
    assert _tables(url) <= {"alembic_version"}
    assert _current_revision(url) is None


@pytest.mark.postgres
def test_upgrade_on_empty_postgresql_matches_the_models():
    url = _create_postgres_database(POSTGRES_URL)
    try:
        _flask_db(url, "upgrade")
        assert _current_revision(url) == _heads()[0]
        assert _differences(url) == []
    finally:
        _drop_postgres_database(url)


def _outbox_rows(database_url: str, columns: str) -> list[tuple]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return [
                tuple(row)
                for row in connection.execute(sa.text(f"SELECT {columns} FROM deliveries"))
            ]
    finally:
        engine.dispose()


def _check_0010_keeps_the_outbox(url: str) -> None:
    """0010 renames to_email to recipient and adds channel; rows survive both ways."""
    _flask_db(url, "upgrade", "0009")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO deliveries (kind, dedupe_key, to_email, status, attempts,"
                    " next_attempt_at, last_error, provider_message_id, created_at, updated_at)"
                    " VALUES ('confirmation', 'confirmation:1:1', 'ann@example.org', 'queued', 0,"
                    " :now, '', '', :now, :now)"
                ),
                {"now": "2026-12-01 10:00:00"},
            )
    finally:
        engine.dispose()

    _flask_db(url, "upgrade", "0010")
    assert _outbox_rows(url, "dedupe_key, channel, recipient") == [
        ("confirmation:1:1", "email", "ann@example.org")
    ]
    _flask_db(url, "downgrade", "0009")
    assert _outbox_rows(url, "dedupe_key, to_email") == [("confirmation:1:1", "ann@example.org")]


def test_0010_keeps_every_delivery_upgrading_and_downgrading_on_sqlite(tmp_path):
    _check_0010_keeps_the_outbox(f"sqlite:///{tmp_path / 'outbox.sqlite3'}")


@pytest.mark.postgres
def test_0010_keeps_every_delivery_upgrading_and_downgrading_on_postgresql():
    url = _create_postgres_database(POSTGRES_URL)
    try:
        _check_0010_keeps_the_outbox(url)
    finally:
        _drop_postgres_database(url)
