"""Sessions are opened only for requests that carry the session cookie (app/sessions.py)."""

import pytest
from flask import session
from flask.sessions import SecureCookieSessionInterface


@pytest.fixture
def no_signing_serializer(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the session cookie's serializer was built")

    monkeypatch.setattr(SecureCookieSessionInterface, "get_signing_serializer", refuse)


def test_a_request_without_the_session_cookie_opens_no_signed_session(
    client, no_signing_serializer
):
    answer = client.get("/")
    assert answer.status_code == 200
    assert "Set-Cookie" not in answer.headers


def test_a_session_cookie_is_still_read_and_verified(client):
    with client.session_transaction() as stored:
        stored["seen"] = "yes"
    with client:
        client.get("/")
        assert session["seen"] == "yes"
    client.set_cookie("session", "forged-value")
    with client:
        client.get("/")
        assert "seen" not in session
