"""The tuned statements of app/database.py behave as SQLAlchemy's own execution does."""

import pytest
import sqlalchemy as sa

from app import database
from app.extensions import db
from app.models import Campaign, Signature
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


def test_after_a_database_restart_one_signature_fails_then_signing_recovers(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    with app.app_context():
        slug = make_campaign().slug
        db.session.remove()
        form = {"name": "Ann Lee", "zip": "10001"}
        assert (
            client.post(f"/c/{slug}/sign", data=form | {"email": "a@example.org"}).status_code
            == 302
        )
        # Two connections wait in the pool, both to die with the restart.
        held = [db.engine.connect() for _ in range(2)]
        for connection in held:
            connection.close()
        killer = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        with killer.connect() as connection:
            connection.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :db AND pid <> pg_backend_pid()"
                ),
                {"db": db.engine.url.database},
            )
        killer.dispose()
        statuses = [
            client.post(f"/c/{slug}/sign", data=form | {"email": f"{n}@example.org"}).status_code
            for n in "bcd"
        ]
        assert statuses == [503, 302, 302]
        stored = db.session.scalars(sa.select(Signature.email).order_by(Signature.email)).all()
    assert stored == ["a@example.org", "c@example.org", "d@example.org"]
