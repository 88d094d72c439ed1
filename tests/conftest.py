"""Fixtures: an app on a throwaway database (SQLite file, or PostgreSQL when
TEST_DATABASE_URL is set), a client, and a CLI runner.

Each test session gets its own PostgreSQL database, so several runs (or developers) can
share one server; tables are emptied after every test.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app import clock, create_app
from app.extensions import db
from app.services.workspace.analytics import flush_before_exit
from config import TestConfig
from tests.fakes.cwc import fake_cwc  # noqa: F401  (shared fixture)
from tests.fakes.sendgrid import fake_sendgrid, sendgrid_app  # noqa: F401  (shared fixtures)
from tests.fakes.webhook_receiver import webhook_receiver  # noqa: F401  (shared fixture)

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
ROOT = Path(__file__).resolve().parent.parent


def _create_postgres_database(base_url: str) -> str:
    """Create a fresh database beside base_url's; return its URL."""
    url = make_url(base_url)
    name = f"chorus_test_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(database_url: str) -> None:
    url = make_url(database_url)
    engine = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A database for this test session: PostgreSQL when configured, else a SQLite file."""
    if POSTGRES_URL:
        url = _create_postgres_database(POSTGRES_URL)
        yield url
        _drop_postgres_database(url)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'chorus.sqlite3'}"


@pytest.fixture(scope="session")
def _schema(database_url):
    app = create_app(_config(database_url))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return database_url


def _config(database_url: str, **overrides) -> type:
    return type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, **overrides})


@pytest.fixture
def make_app(_schema):
    """Build an app on the session's database with config overrides; tables emptied after."""
    apps = []

    def build(**overrides):
        app = create_app(_config(_schema, **overrides))
        apps.append(app)
        return app

    yield build
    for app in apps:
        # No funnel-count timer may outlive its test and write into the next one's tables.
        flush_before_exit(app)
        with app.app_context():
            db.session.remove()
    if apps:
        with apps[0].app_context():
            _empty_tables()
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def _empty_tables() -> None:
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        # Emptying every table takes about half a second here: more than the statement
        # timeout a test may have given this app's connections.
        db.session.execute(sa.text("SET LOCAL statement_timeout = 0"))
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def frozen_clock():
    """Chorus's clock (app/clock.py) stopped at the real now; move it on with
    `frozen_clock.advance(seconds)` instead of sleeping. It runs again after the test."""
    clock.freeze()
    yield clock
    clock.reset()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def outbox(app):
    """Messages sent through the memory backend."""
    return app.extensions["chorus_mail"].outbox


def pytest_sessionstart(session):
    """Compile the translation catalogs, as `make test` does, so plain pytest reads them too."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (ROOT / "app" / "translations").glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as source, po.with_suffix(".mo").open("wb") as target:
            write_mo(target, read_po(source))


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs TEST_DATABASE_URL (PostgreSQL)")
    for item in items:
        if "postgres" in item.keywords and not POSTGRES_URL:
            item.add_marker(skip_pg)
