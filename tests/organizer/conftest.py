"""Fixtures for the organizer workspace: accounts of each role and logged-in clients."""

from __future__ import annotations

import time
from functools import cache

import pytest
from argon2 import PasswordHasher

from app.extensions import db
from app.models import Organizer, Role
from app.organizer import LOGGED_IN_AT

PASSWORD = "correct horse battery staple"


@cache
def _password_hash() -> str:
    # Hashed once per run: argon2 is slow on purpose, and most tests only need an account.
    return PasswordHasher().hash(PASSWORD)


@pytest.fixture
def make_organizer(app):
    """Create an account with a role whose password is PASSWORD."""

    def make(role: str = Role.ORGANIZER, email: str | None = None) -> Organizer:
        organizer = Organizer(
            email=email or f"{role}@example.org", password_hash=_password_hash(), role=role
        )
        db.session.add(organizer)
        db.session.commit()
        return organizer

    return make


@pytest.fixture
def login(app, make_organizer):
    """A test client (of `app`, or of on_app) logged in as a new account with a role."""

    def log_in(role: str = Role.ORGANIZER, on_app=None):
        organizer = make_organizer(role)
        client = (on_app or app).test_client()
        with client.session_transaction() as session:
            session["_user_id"] = organizer.get_id()
            session["_fresh"] = True
            session[LOGGED_IN_AT] = time.time()
        client.organizer = organizer
        return client

    return log_in
