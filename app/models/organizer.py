"""People with accounts: organizers, representatives' access links, and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin

from app.clock import utcnow
from app.extensions import db


class Role:
    ADMIN = "admin"
    ORGANIZER = "organizer"
    VIEWER = "viewer"
    ALL = (ADMIN, ORGANIZER, VIEWER)


class Organizer(UserMixin, db.Model):
    __tablename__ = "organizers"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(200))
    role: so.Mapped[str] = so.mapped_column(sa.String(16), default=Role.VIEWER)
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    last_login_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)
    # In every session's id (get_id): raising it ends every session of the account at once.
    session_epoch: so.Mapped[int] = so.mapped_column(default=0, server_default="0")

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"


class RepresentativeAccess(db.Model):
    """A private link that lets a representative's staff read their letters."""

    __tablename__ = "representative_access"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    target_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("targets.id"), index=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    expires_at: so.Mapped[datetime] = so.mapped_column()
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("organizers.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    last_used_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organizer_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organizers.id"), index=True
    )
    action: so.Mapped[str] = so.mapped_column(sa.String(64))
    subject_type: so.Mapped[str] = so.mapped_column(sa.String(32), default="")
    subject_id: so.Mapped[int | None] = so.mapped_column()
    detail: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)

    organizer: so.Mapped[Organizer | None] = so.relationship()
