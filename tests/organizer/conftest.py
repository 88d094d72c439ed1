"""Fixtures for the organizer workspace: accounts of each role and logged-in clients."""

from __future__ import annotations

import pytest

from app.models import Organizer, Role
from app.services.accounts import create_organizer

PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_organizer(app):
    """Create an account with a role (argon2-hashed PASSWORD)."""

    def make(role: str = Role.ORGANIZER, email: str | None = None) -> Organizer:
        return create_organizer(email or f"{role}@example.org", PASSWORD, role)

    return make


@pytest.fixture
def login(app, make_organizer):
    """A test client (of `app`, or of on_app) logged in as a new account with a role."""

    def log_in(role: str = Role.ORGANIZER, on_app=None):
        organizer = make_organizer(role)
        client = (on_app or app).test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(organizer.id)
            session["_fresh"] = True
        client.organizer = organizer
        return client

    return log_in
