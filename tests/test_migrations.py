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
