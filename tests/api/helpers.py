"""The OpenAPI file as tests read it, and API keys made through the service."""

from __future__ import annotations

import jsonschema
import yaml

from app.api.v1_public import OPENAPI_FILE
from app.extensions import db
from app.models import Organizer, Role
from app.services.api import keys


def openapi() -> dict:
    return yaml.safe_load(OPENAPI_FILE.read_text())


def validate(document: dict, schema: dict, body: object) -> None:
    """Validate a response body against a schema of the OpenAPI file (its $refs resolved)."""
    root = {"components": document["components"], **schema}
    jsonschema.Draft202012Validator(
        root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(body)


def make_key(*scopes: str) -> str:
    """A live key with these scopes, made by a new admin; its secret."""
    admin = Organizer(email=f"admin{len(scopes)}-{id(scopes)}@example.org", password_hash="x")
    admin.role = Role.ADMIN
    db.session.add(admin)
    db.session.commit()
    return keys.create_key("test", list(scopes), admin)[1]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
