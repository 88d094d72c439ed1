"""Accounts: the CLI, argon2 hashes, login and logout, rate limits, cookies, sessions."""

import sqlalchemy as sa
from argon2 import extract_parameters, profiles

from app.extensions import db
from app.models import AuditEvent, Organizer, Role
from app.services.workspace.accounts import authenticate, create_organizer, set_role
from config import Config
from tests.helpers import csrf_token
from tests.organizer.conftest import PASSWORD


def _log_in(client, email, password, next_path=None):
    query = f"?next={next_path}" if next_path else ""
    token = csrf_token(client, "/organizer/login")
    return client.post(
        f"/organizer/login{query}",
        data={"email": email, "password": password, "csrf_token": token},
    )


def test_cli_creates_an_account_with_an_argon2_hash_from_stdin(runner):
    result = runner.invoke(
        args=["organizer", "create", "Ada@Example.org", "--role", "admin", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "created admin ada@example.org" in result.output
    organizer = db.session.scalar(sa.select(Organizer))
    assert organizer.role == Role.ADMIN
    assert organizer.password_hash.startswith("$argon2id$")
    assert PASSWORD not in organizer.password_hash


def test_production_hashes_passwords_at_the_rfc_9106_low_memory_cost(make_app):
    # Every other test hashes at TestConfig's cheap cost; the real cost is checked here, once.
    app = make_app(
        ARGON2_TIME_COST=Config.ARGON2_TIME_COST,
        ARGON2_MEMORY_COST=Config.ARGON2_MEMORY_COST,
        ARGON2_PARALLELISM=Config.ARGON2_PARALLELISM,
    )
    with app.app_context():
        organizer = create_organizer("ada@example.org", PASSWORD, Role.ADMIN)
        assert extract_parameters(organizer.password_hash) == profiles.RFC_9106_LOW_MEMORY
        assert authenticate("ada@example.org", PASSWORD) == organizer


def test_cli_asks_for_the_password_twice_when_not_on_stdin(runner):
    result = runner.invoke(
        args=["organizer", "create", "bo@example.org", "--role", "viewer"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(Organizer.role)) == Role.VIEWER


def test_cli_refuses_a_short_password_and_an_unknown_role(runner):
    short = runner.invoke(
        args=["organizer", "create", "c@example.org", "--password-stdin"], input="short\n"
    )
    assert short.exit_code != 0
    assert "at least 12 characters" in short.output
    role = runner.invoke(
        args=["organizer", "create", "c@example.org", "--role", "owner", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert role.exit_code != 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organizer)) == 0


def test_login_sets_a_session_that_expires_with_httponly_samesite_cookie(client, make_organizer):
    make_organizer(Role.ORGANIZER, "org@example.org")
    response = _log_in(client, "ORG@example.org", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/organizer/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Expires=" in cookie  # a permanent session: PERMANENT_SESSION_LIFETIME ends it
    assert client.get("/organizer/").status_code == 200


def test_session_cookie_is_secure_when_the_site_is_https(make_app, make_organizer):
    app = make_app(SESSION_COOKIE_SECURE=True)
    with app.app_context():
        make_organizer(Role.ORGANIZER, "org@example.org")
        client = app.test_client()
        response = _log_in(client, "org@example.org", PASSWORD)
        assert "Secure" in response.headers["Set-Cookie"]


def test_wrong_password_and_unknown_email_look_the_same(client, make_organizer):
    make_organizer(Role.ORGANIZER, "org@example.org")
    wrong = _log_in(client, "org@example.org", "not the password at all")
    unknown = _log_in(client, "nobody@example.org", PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "do not match an active account" in response.get_data(as_text=True)
    assert client.get("/organizer/").status_code == 302


def test_disabled_account_cannot_log_in(client, make_organizer):
    organizer = make_organizer(Role.ADMIN, "old@example.org")
    organizer.active = False
    db.session.commit()
    assert _log_in(client, "old@example.org", PASSWORD).status_code == 200
    assert client.get("/organizer/").status_code == 302


def test_login_returns_to_the_workspace_page_asked_for(client, make_organizer):
    make_organizer(Role.ORGANIZER, "org@example.org")
    back = _log_in(client, "org@example.org", PASSWORD, "/organizer/targets")
    assert back.headers["Location"] == "/organizer/targets"


def test_login_never_redirects_off_site(client, make_organizer):
    make_organizer(Role.ORGANIZER, "org@example.org")
    offsite = _log_in(client, "org@example.org", PASSWORD, "https://evil.example/organizer/")
    assert offsite.headers["Location"] == "/organizer/"


def test_login_is_rate_limited(make_app, make_organizer):
    app = make_app(RATELIMIT_LOGIN="3 per minute")
    with app.app_context():
        make_organizer(Role.ORGANIZER, "org@example.org")
        client = app.test_client()
        statuses = [
            _log_in(client, "org@example.org", "wrong password!!").status_code for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]


def test_logout_ends_the_session(login):
    client = login(Role.VIEWER)
    token = csrf_token(client, "/organizer/")
    assert client.post("/organizer/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/organizer/").status_code == 302


def test_admin_creates_and_disables_accounts_and_it_is_audited(login):
    client = login(Role.ADMIN)
    token = csrf_token(client, "/organizer/users")
    created = client.post(
        "/organizer/users",
        data={
            "email": "new@example.org",
            "password": PASSWORD,
            "role": "viewer",
            "csrf_token": token,
        },
    )
    assert created.status_code == 302
    new = db.session.scalar(sa.select(Organizer).where(Organizer.email == "new@example.org"))
    assert new.role == Role.VIEWER
    client.post(f"/organizer/users/{new.id}", data={"role": "organizer", "csrf_token": token})
    db.session.refresh(new)
    assert (new.role, new.active) == (Role.ORGANIZER, False)
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["organizer.create", "organizer.update"]


def test_admin_cannot_demote_themselves(login):
    client = login(Role.ADMIN)
    token = csrf_token(client, "/organizer/users")
    response = client.post(
        f"/organizer/users/{client.organizer.id}",
        data={"role": "viewer", "active": "y", "csrf_token": token},
        follow_redirects=True,
    )
    assert "cannot change your own role" in response.get_data(as_text=True)
    db.session.refresh(client.organizer)
    assert client.organizer.role == Role.ADMIN


def test_a_session_older_than_its_lifetime_is_logged_out(make_app, make_organizer, frozen_clock):
    make_organizer(Role.ORGANIZER, "org@example.org")
    # Requests run outside any app context of this app, so nothing is cached between them.
    client = make_app(PERMANENT_SESSION_LIFETIME=1).test_client()
    _log_in(client, "org@example.org", PASSWORD)
    assert client.get("/organizer/").status_code == 200
    frozen_clock.advance(2.1)
    assert client.get("/organizer/").status_code == 302


# These tests sign in on an app of their own (make_app): the `app` fixture keeps one app
# context for the whole test, so Flask-Login's per-request user would carry over between
# its requests and hide what the session cookie alone allows.
def _cookie_after_login(app, make_organizer, role=Role.ADMIN) -> tuple[Organizer, str]:
    organizer = make_organizer(role, f"{role}-cookie@example.org")
    client = app.test_client()
    assert _log_in(client, organizer.email, PASSWORD).status_code == 302
    return organizer, client.get_cookie("session").value


def _with_cookie(app, cookie: str):
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client


def test_logging_out_ends_a_copy_of_the_session_cookie_too(make_app, make_organizer):
    app = make_app()
    _, cookie = _cookie_after_login(app, make_organizer)
    client = _with_cookie(app, cookie)
    assert client.get("/organizer/users").status_code == 200
    token = csrf_token(client, "/organizer/")
    assert client.post("/organizer/logout", data={"csrf_token": token}).status_code == 302
    assert _with_cookie(app, cookie).get("/organizer/users").status_code == 302


def test_an_account_enabled_again_does_not_revive_its_old_sessions(make_app, make_organizer):
    app = make_app()
    organizer, cookie = _cookie_after_login(app, make_organizer, Role.VIEWER)
    assert _with_cookie(app, cookie).get("/organizer/").status_code == 200
    admin = make_organizer(Role.ADMIN, "boss@example.org")
    set_role(organizer, Role.VIEWER, False, admin)
    set_role(organizer, Role.VIEWER, True, admin)
    assert _with_cookie(app, cookie).get("/organizer/").status_code == 302


def test_a_session_ends_its_lifetime_after_login_however_busy(
    make_app, make_organizer, frozen_clock
):
    app = make_app(PERMANENT_SESSION_LIFETIME=2)
    _, cookie = _cookie_after_login(app, make_organizer)
    client = _with_cookie(app, cookie)
    statuses = []
    for _ in range(4):
        statuses.append(client.get("/organizer/").status_code)
        frozen_clock.advance(0.8)
    assert statuses[0] == 200 and statuses[-1] == 302


def test_failed_logins_for_one_account_back_off_from_any_address(make_app, make_organizer):
    # Each client stands for another IP: the per-IP limit never trips, the account's does.
    app = make_app(RATELIMIT_LOGIN="100 per minute", LOGIN_FAILURES_BEFORE_BACKOFF=3)
    with app.app_context():
        make_organizer(Role.ORGANIZER, "org@example.org")
        statuses = []
        client = app.test_client()
        token = csrf_token(client, "/organizer/login")
        for n in range(5):
            address = {"REMOTE_ADDR": f"198.51.100.{n}"}
            response = client.post(
                "/organizer/login",
                data={"email": "Org@Example.org", "password": "wrong!!", "csrf_token": token},
                environ_base=address,
            )
            statuses.append(response.status_code)
        assert statuses[:3] == [200, 200, 200]
        assert statuses[3:] == [429, 429]
        assert int(response.headers["Retry-After"]) >= 1
        # Even the right password waits out the backoff: a guesser cannot tell it apart.
        right = _log_in(client, "org@example.org", PASSWORD)
        assert right.status_code == 429
        other = _log_in(client, "someone@example.org", "wrong!!")
        assert other.status_code == 200, "another account is not held back"


def test_login_fails_closed_with_a_friendly_503_when_the_limiter_store_is_down(
    make_app, make_organizer
):
    app = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0")
    with app.app_context():
        make_organizer(Role.ORGANIZER, "org@example.org")
        response = _log_in(app.test_client(), "org@example.org", PASSWORD)
        assert response.status_code == 503
        assert "try again" in response.get_data(as_text=True)
