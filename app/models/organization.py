"""Who runs this Chorus site: one row, set by admins, shown on every page and email."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.clock import utcnow
from app.extensions import db


class Organization(db.Model):
    __tablename__ = "organization"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    # A postal address: the CAN-SPAM Act asks for one in every commercial email, and
    # signers deserve one to write to.
    contact_address: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    contact_email: so.Mapped[str] = so.mapped_column(sa.String(254), default="")
    website: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    privacy_contact: so.Mapped[str] = so.mapped_column(sa.String(254), default="")
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)
