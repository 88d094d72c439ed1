"""Fixtures for the organizer workspace: accounts of each role and logged-in clients."""

from __future__ import annotations

import pytest

from app import clock
from app.extensions import db
from app.models import Organizer, Role
from app.organizer import LOGGED_IN_AT
from app.services.workspace.accounts import hash_password

PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_organizer(app):
    """Create an account with a role whose password is PASSWORD."""

    def make(role: str = Role.ORGANIZER, email: str | None = None) -> Organizer:
        organizer = Organizer(
            email=email or f"{role}@example.org", password_hash=hash_password(PASSWORD), role=role
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
            session[LOGGED_IN_AT] = clock.timestamp()
        client.organizer = organizer
        return client

    return log_in
