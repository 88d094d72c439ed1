"""Who receives letters, and which congressional districts each ZIP code lies in."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.clock import utcnow
from app.extensions import db
from app.i18n import N_


class TargetKind:
    US_SENATE = "us_senate"
    US_HOUSE = "us_house"
    STATE_UPPER = "state_upper"
    STATE_LOWER = "state_lower"
    GOVERNOR = "governor"
    CUSTOM = "custom"
    # The kinds a campaign can route to by the signer's address.
    ROUTED = (US_SENATE, US_HOUSE, STATE_UPPER, STATE_LOWER, GOVERNOR)
    # Marked for the catalog; translated where shown.
    LABELS = {
        US_SENATE: N_("U.S. senators"),
        US_HOUSE: N_("U.S. representative"),
        STATE_UPPER: N_("State senator"),
        STATE_LOWER: N_("State representative"),
        GOVERNOR: N_("Governor"),
        CUSTOM: N_("Decision-maker"),
    }


# The titles the importers give, and how a letter addresses their holders.
_HONORIFICS = {
    "U.S. Senator": "Senator",
    "U.S. Representative": "Representative",
    "Delegate": "Delegate",
    "Resident Commissioner": "Resident Commissioner",
    "State Senator": "Senator",
    "State Representative": "Representative",
    "Senator": "Senator",
    "Representative": "Representative",
    "Assembly Member": "Assembly Member",
    "Councilmember": "Councilmember",
    "Governor": N_("Governor"),
}
# Generational suffixes are not surnames: "Senator Warnock", not "Senator Jr.".
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}


class Target(db.Model):
    __tablename__ = "targets"
    __table_args__ = (
        sa.Index("ix_targets_kind_state_district", "kind", "state", "district"),
        # A member of Congress has one row per Congress's dataset (their district may change).
        sa.UniqueConstraint("dataset_id", "bioguide_id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    title: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    state: so.Mapped[str] = so.mapped_column(sa.String(2), default="")
    # State legislative districts can be names ("Berkshire, Hampden, Franklin and Hampshire").
    district: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    party: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    # 1, 2 or 3 for U.S. senators (which seat of the state's two; CWC codes offices by it).
    senate_class: so.Mapped[int | None] = so.mapped_column(default=None)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), default="")
    # An address an organizer set survives re-imports of public data.
    email_set_by_organizer: so.Mapped[bool] = so.mapped_column(default=False)
    phone: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    contact_form_url: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    website: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    photo_url: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    # District offices from congress-legislators: dicts of id, address, suite, building,
    # city, state, zip, phone (strings, "" when upstream has none), in upstream order.
    offices: so.Mapped[list[dict[str, str]]] = so.mapped_column(
        sa.JSON, default=list, server_default="[]"
    )
    bioguide_id: so.Mapped[str | None] = so.mapped_column(sa.String(16), index=True)
    ocd_id: so.Mapped[str | None] = so.mapped_column(sa.String(80), unique=True)
    active: so.Mapped[bool] = so.mapped_column(default=True)
    # The members-of-Congress dataset a member's row belongs to (None for other targets).
    dataset_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("datasets.id"), index=True)
    wants_digest: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def seat(self) -> str:
        """Where they sit, one form everywhere: 'CA-11', 'NY-12', 'MA, 2nd Berkshire', 'CA'
        (statewide, or an at-large House seat)."""
        if not self.state or not self.district or self.district == "0":
            return self.state
        separator = "-" if self.district.isdigit() else ", "
        return f"{self.state}{separator}{self.district}"

    @property
    def salutation(self) -> str:
        """How a letter greets them: by office and surname ('Representative Croke'); a
        decision-maker an organizer added is greeted by name, as entered."""
        office = _HONORIFICS.get(self.title) if self.kind != TargetKind.CUSTOM else None
        if office is None:
            return self.name
        surnames = [w for w in self.name.split() if w.strip(".,").lower() not in _SUFFIXES]
        return f"{office} {surnames[-1]}" if surnames else self.name

    @property
    def initials(self) -> str:
        parts = [p for p in self.name.replace(".", " ").split() if p[:1].isalpha()]
        return "".join(p[0] for p in parts[:1] + parts[-1:]).upper()


class ZipDistrict(db.Model):
    """One (ZCTA, state, congressional district) triple of a map; a ZIP may have several."""

    __tablename__ = "zip_districts"
    __table_args__ = (sa.UniqueConstraint("dataset_id", "zcta", "state", "district"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    dataset_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("datasets.id"))
    zcta: so.Mapped[str] = so.mapped_column(sa.String(5), index=True)
    state: so.Mapped[str] = so.mapped_column(sa.String(2))
    # "0" is at-large, as in the upstream file.
    district: so.Mapped[str] = so.mapped_column(sa.String(4))
