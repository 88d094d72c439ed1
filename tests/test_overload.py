"""Overload: a database that is down, an exhausted pool or a stuck query gives a fast,
friendly 503 with Retry-After; never a traceback, never a hang, nothing half-written."""

import socket
import threading
import time

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Delivery, Signature
from tests.factories import make_campaign

FORM = {"name": "Ann Lee", "email": "ann@example.org", "zip": "10001"}


def _closed_port() -> int:
    """A local port where nothing listens (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _assert_friendly_503(response) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "Traceback" not in page and "psycopg" not in page and "sqlalchemy" not in page


def test_database_down_gives_a_fast_friendly_503_on_every_public_path(app, make_app):
    # (the `app` fixture comes first: its healthy database is the one emptied after the test)
    down = make_app(
        SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/chorus",
        PROPAGATE_EXCEPTIONS=False,  # as in production: errors in error handlers are handled
    )
    client = down.test_client()
    for method, path, data in [
        ("get", "/", None),
        ("get", "/c/some-campaign", None),
        ("post", "/c/some-campaign/sign", FORM),
        ("post", "/c/some-campaign/sign", {}),  # an invalid form shows the page, which needs it
    ]:
        started = time.monotonic()
        response = getattr(client, method)(path, data=data)
        assert time.monotonic() - started < 2, f"{method} {path} did not fail fast"
        _assert_friendly_503(response)
        assert "We are very busy" in response.get_data(as_text=True)

    count = client.get("/c/some-campaign/count.json")
    _assert_friendly_503(count)
    assert count.json["error"] == "We are very busy"


@pytest.mark.postgres
def test_exhausted_pool_answers_503_after_the_pool_timeout_then_recovers(make_app):
    app = make_app(DATABASE_POOL_SIZE=1, DATABASE_POOL_TIMEOUT=1)
    client = app.test_client()
    with app.app_context():
        campaign = make_campaign()
        slug = campaign.slug
        db.session.remove()
        # Every connection the pool may open (pool_size 1 + max_overflow 5) is busy elsewhere.
        held = [db.engine.connect() for _ in range(6)]
        try:
            started = time.monotonic()
            response = client.get(f"/c/{slug}")
            waited = time.monotonic() - started
            _assert_friendly_503(response)
            assert 0.9 < waited < 2.5, "should wait pool_timeout (1 s) and no longer"
        finally:
            for connection in held:
                connection.close()
        assert client.get(f"/c/{slug}").status_code == 200


@pytest.mark.postgres
def test_stuck_query_ends_in_503_and_the_signature_is_not_half_written(make_app):
    app = make_app(DATABASE_STATEMENT_TIMEOUT_MS=300)
    client = app.test_client()
    with app.app_context():
        slug = make_campaign().slug
        # Another session holds the outbox table: the signature's INSERT goes through, then
        # queueing its confirmation email waits on the lock until the statement timeout.
        blocker = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"]).connect()
        blocker.execute(sa.text("LOCK TABLE deliveries IN ACCESS EXCLUSIVE MODE"))
        try:
            started = time.monotonic()
            response = client.post(f"/c/{slug}/sign", data=FORM)
            assert time.monotonic() - started < 2
            _assert_friendly_503(response)
        finally:
            blocker.rollback()
            blocker.close()
        db.session.remove()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 0

        again = client.post(f"/c/{slug}/sign", data=FORM)
        assert again.status_code == 302, "the same signer can simply try again"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 1


@pytest.mark.postgres
def test_statement_timeout_is_set_on_every_web_connection(make_app):
    app = make_app(DATABASE_STATEMENT_TIMEOUT_MS=1500)
    with app.app_context():
        assert db.session.scalar(sa.text("SHOW statement_timeout")) == "1500ms"


def test_requests_during_an_outage_do_not_pile_up(app, make_app):
    """Twenty concurrent page views against a dead database all end promptly."""
    # (the `app` fixture comes first: its healthy database is the one emptied after the test)
    down = make_app(
        SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/chorus"
    )
    statuses: list[int] = []

    def view() -> None:
        statuses.append(down.test_client().get("/c/anything").status_code)

    threads = [threading.Thread(target=view) for _ in range(20)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert time.monotonic() - started < 3
    assert statuses == [503] * 20


@pytest.mark.postgres
def test_after_a_database_restart_at_most_one_request_fails_then_the_pool_recovers(make_app):
    """Pooled connections die with a restart; the first use is a 503, the pool is rebuilt."""
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    with app.app_context():
        slug = make_campaign().slug
        db.session.remove()
        assert client.get(f"/c/{slug}").status_code == 200  # a connection now sits in the pool
        _restart_database(app)
        statuses = [client.get(f"/c/{slug}").status_code for _ in range(3)]
    assert statuses[0] == 503, "the dead connection is discovered by its first use"
    assert statuses[1:] == [200, 200]


@pytest.mark.postgres
def test_after_a_database_restart_one_signature_fails_then_signing_recovers(make_app):
    # Signing runs its statement through the driver (database.execute_alone), not through
    # SQLAlchemy's Connection, so it must discover a dead pool as SQLAlchemy does.
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    with app.app_context():
        slug = make_campaign().slug
        db.session.remove()
        assert client.post(f"/c/{slug}/sign", data=FORM).status_code == 302
        # Two connections wait in the pool, both to die with the restart.
        for connection in [db.engine.connect() for _ in range(2)]:
            connection.close()
        _restart_database(app)
        signers = ["b@example.org", "c@example.org", "d@example.org"]
        statuses = [
            client.post(f"/c/{slug}/sign", data=FORM | {"email": email}).status_code
            for email in signers
        ]
        stored = db.session.scalars(sa.select(Signature.email).order_by(Signature.email)).all()
    assert statuses == [503, 302, 302]
    assert stored == ["ann@example.org", *signers[1:]]


def _restart_database(app) -> None:
    """End every connection to the app's database but the one asking, as a restart does."""
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


def test_a_database_error_leaves_the_statements_values_out_of_its_message(app):
    # Such messages are logged (a 503's warning, a traceback): no name or email may be in them.
    with pytest.raises(sa.exc.DBAPIError) as failed:
        db.session.execute(
            sa.text("SELECT * FROM no_such_table WHERE email = :email"),
            {"email": "ann@example.org"},
        )
    db.session.rollback()
    assert "ann@example.org" not in str(failed.value)
