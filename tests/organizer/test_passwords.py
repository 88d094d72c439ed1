"""Passwords: changing one's own, resetting a forgotten one by email link, and the CLI."""

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import Delivery, Role
from app.services.delivery.sending import drain
from app.services.workspace.accounts import RESETS_PER_HOUR, authenticate
from tests.helpers import csrf_token
from tests.organizer.conftest import PASSWORD

NEW_PASSWORD = "a brand new long passphrase"


def _reset_link(outbox) -> str:
    drain()
    [message] = [m for m in outbox if "Reset your" in m.subject]
    return re.search(r"http://chorus\.test(/organizer/reset/\S+)", message.text).group(1)


def _ask_for_reset(client, email):
    token = csrf_token(client, "/organizer/reset")
    return client.post("/organizer/reset", data={"email": email, "csrf_token": token})


def _choose(client, path, password):
    return client.post(path, data={"new": password, "csrf_token": csrf_token(client, path)})


def test_an_organizer_changes_their_password_only_with_the_current_one(login):
    client = login(Role.VIEWER)
    email = client.organizer.email
    token = csrf_token(client, "/organizer/password")
    wrong = client.post(
        "/organizer/password",
        data={"current": "not my password", "new": NEW_PASSWORD, "csrf_token": token},
    )
    assert "current password is not right" in wrong.get_data(as_text=True)
    assert authenticate(email, PASSWORD) is not None
    done = client.post(
        "/organizer/password",
        data={"current": PASSWORD, "new": NEW_PASSWORD, "csrf_token": token},
    )
    assert done.status_code == 302
    assert authenticate(email, NEW_PASSWORD) is not None
    assert authenticate(email, PASSWORD) is None
    # Still logged in here, with a fresh session.
    assert client.get("/organizer/").status_code == 200


def test_a_reset_link_arrives_through_the_outbox_and_works_once(client, make_organizer, outbox):
    organizer = make_organizer(Role.ORGANIZER, email="ada@example.org")
    page = _ask_for_reset(client, "Ada@Example.org").get_data(as_text=True)
    assert "If Ada@Example.org belongs to a workspace account" in page
    path = _reset_link(outbox)
    assert _choose(client, path, NEW_PASSWORD).status_code == 302
    assert authenticate(organizer.email, NEW_PASSWORD) is not None
    again = client.__class__(client.application)
    used = again.get(path)
    assert used.status_code == 400 and "expired or was used" in used.get_data(as_text=True)


def test_a_reset_link_expires_after_an_hour(client, make_organizer, outbox, frozen_clock):
    make_organizer(Role.ORGANIZER, email="ada@example.org")
    _ask_for_reset(client, "ada@example.org")
    path = _reset_link(outbox)
    assert client.get(path).status_code == 200
    frozen_clock.advance(3601)
    assert client.get(path).status_code == 400
    assert authenticate("ada@example.org", PASSWORD) is not None


def test_asking_for_a_reset_never_says_whether_an_account_exists(client, make_organizer):
    make_organizer(Role.ORGANIZER, email="ada@example.org")
    known = _ask_for_reset(client, "ada@example.org").get_data(as_text=True)
    unknown = _ask_for_reset(client, "nobody@example.org").get_data(as_text=True)
    assert known.replace("ada@example.org", "X") == unknown.replace("nobody@example.org", "X")
    recipients = db.session.scalars(sa.select(Delivery.recipient)).all()
    assert recipients == ["ada@example.org"]


def test_reset_emails_to_one_account_are_limited(client, make_organizer, frozen_clock):
    make_organizer(Role.ORGANIZER, email="ada@example.org")
    for _ in range(RESETS_PER_HOUR + 3):
        _ask_for_reset(client, "ada@example.org")
        frozen_clock.advance(1)
    assert db.session.scalar(sa.select(sa.func.count(Delivery.id))) == RESETS_PER_HOUR


def test_cli_sets_a_password_and_ends_the_accounts_sessions(runner, make_organizer):
    organizer = make_organizer(Role.ADMIN, email="ada@example.org")
    epoch = organizer.session_epoch
    result = runner.invoke(
        args=["organizer", "set-password", "ADA@example.org", "--password-stdin"],
        input=NEW_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "password set for ada@example.org" in result.output
    assert authenticate("ada@example.org", NEW_PASSWORD) is not None
    db.session.refresh(organizer)
    assert organizer.session_epoch == epoch + 1
    missing = runner.invoke(
        args=["organizer", "set-password", "nobody@example.org", "--password-stdin"],
        input=NEW_PASSWORD + "\n",
    )
    assert missing.exit_code != 0 and "No account for nobody@example.org" in missing.output
