"""Reference data imports: which file, of which date, for which period."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.clock import utcnow
from app.extensions import db
from app.i18n import N_


class DatasetKind:
    ZIPS = "zips"
    CONGRESS = "congress"
    OPENSTATES = "openstates"
    # Marked for the catalog; translated where shown.
    LABELS = {
        ZIPS: N_("ZIP-to-district map"),
        CONGRESS: N_("members of Congress"),
        OPENSTATES: N_("state legislators and governors"),
    }


class Dataset(db.Model):
    """One imported dataset and the period it applies to.

    ZIP maps and members of Congress belong to a Congress: routing uses the dataset in
    force on the day a letter is written, so a new Congress's data can be imported ahead
    of its start date. Importing the same kind, Congress and start date again replaces
    that dataset's rows and nothing else's.
    """

    __tablename__ = "datasets"
    __table_args__ = (sa.UniqueConstraint("kind", "congress", "effective_from"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    source: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    # The upstream file's date (a URL's download date), as a plain date string.
    version: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    congress: so.Mapped[int | None] = so.mapped_column()
    effective_from: so.Mapped[date] = so.mapped_column(sa.Date)
    # None: until a newer dataset of its kind takes over (Open States, kept current upstream).
    effective_until: so.Mapped[date | None] = so.mapped_column(sa.Date)
    rows: so.Mapped[int] = so.mapped_column(default=0)
    imported_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    @property
    def label(self) -> str:
        return DatasetKind.LABELS.get(self.kind, self.kind)
