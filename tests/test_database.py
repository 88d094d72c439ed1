"""The tuned statements of app/database.py behave as SQLAlchemy's own execution does."""

import socket

import pytest
import sqlalchemy as sa

from app import database
from app.extensions import db
from app.models import Campaign
from tests.factories import make_campaign

pytestmark = pytest.mark.postgres


def test_a_statement_run_alone_leaves_its_connection_transactional_for_the_next_user(app):
    with app.app_context():
        campaign_id = make_campaign(goal=100).id
        db.session.remove()
        assert database.execute_alone(sa.text("SELECT :n + 1"), {"n": 41}) == 42
        db.session.execute(sa.update(Campaign).values(goal=5))
        db.session.rollback()
        # Had the pooled connection stayed in autocommit, the update would be kept.
        assert db.session.get(Campaign, campaign_id).goal == 100


def test_a_failed_statement_run_alone_is_sqlalchemys_error_without_its_values(app):
    with app.app_context():
        with pytest.raises(sa.exc.ProgrammingError) as failed:
            database.execute_alone(
                sa.text("SELECT * FROM no_such_table WHERE email = :email"),
                {"email": "ann@example.org"},
            )
        assert "ann@example.org" not in str(failed.value)
        assert database.execute_alone(sa.text("SELECT 1"), {}) == 1


def test_a_database_that_cannot_be_reached_is_sqlalchemys_error_for_reads_and_writes(app, make_app):
    # (`app` first: its healthy database is the one emptied after the test)
    # The views turn SQLAlchemy's OperationalError into a friendly 503 (test_overload);
    # the driver's own error, from a pool that cannot connect, would be a 500.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    down = make_app(SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://postgres@127.0.0.1:{closed}/x")
    with down.app_context():
        with pytest.raises(sa.exc.OperationalError):
            database.execute_alone(sa.text("SELECT 1"), {})
        with pytest.raises(sa.exc.OperationalError):
            database.read_row(sa.text("SELECT 1"), {})
