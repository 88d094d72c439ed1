"""A campaign: the explainer, what it collects, its letter template and targeting rules."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.ext.hybrid import hybrid_method

from app.clock import utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.models.target import Target

campaign_fixed_targets = sa.Table(
    "campaign_fixed_targets",
    db.metadata,
    sa.Column("campaign_id", sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("target_id", sa.ForeignKey("targets.id", ondelete="CASCADE"), primary_key=True),
)


class CampaignStatus:
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    ALL = (DRAFT, OPEN, CLOSED)


class Campaign(db.Model):
    __tablename__ = "campaigns"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    summary: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # The petition statement: what the signers ask, and of whom.
    petition: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    # The organization that runs this campaign; empty means the site's own organization.
    sponsor: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    explainer: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # The public text in other languages than the default (English), where the organizer
    # gave it: {"es": {"title": ..., "summary": ..., "petition": ..., "explainer": ...,
    # "letter_subject": ..., "letter_body": ..., "letter_prompt": ...}}. A field left out
    # is shown in English (campaigns.languages.in_language).
    translations: so.Mapped[dict[str, dict[str, str]]] = so.mapped_column(
        sa.JSON, default=dict, server_default=sa.text("'{}'")
    )
    # Citations: [{"title", "publisher", "date", "url", "note"}], numbered in order from 1.
    sources: so.Mapped[list[dict[str, Any]]] = so.mapped_column(sa.JSON, default=list)
    last_updated: so.Mapped[date | None] = so.mapped_column(sa.Date)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default=CampaignStatus.DRAFT)
    opens_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)
    closes_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)
    timezone: so.Mapped[str] = so.mapped_column(sa.String(64), default="America/New_York")
    goal: so.Mapped[int] = so.mapped_column(default=1000)
    # Milestones kept as data: [{"count": 10000, "label": "..."}].
    thresholds: so.Mapped[list[dict[str, Any]]] = so.mapped_column(sa.JSON, default=list)

    collects_signatures: so.Mapped[bool] = so.mapped_column(default=True)
    collects_letters: so.Mapped[bool] = so.mapped_column(default=False)
    collects_comments: so.Mapped[bool] = so.mapped_column(default=False)
    letter_subject: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    letter_body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    letter_prompt: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Kinds of the signer's own representatives who receive letters (see TargetKind).
    target_kinds: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)

    # Public counts, maintained by services.counting (never COUNT(*) on a page view).
    signature_count: so.Mapped[int] = so.mapped_column(default=0)
    letter_count: so.Mapped[int] = so.mapped_column(default=0)
    counted_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)

    # Days after closing before signers' personal data is erased (None: kept until erased by
    # hand); counts and tallies stay.
    retention_days: so.Mapped[int | None] = so.mapped_column()
    # When an organizer last closed it by hand (a closing time passing is closes_at).
    closed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)
    personal_data_erased_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)

    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)
    # One more at every change of the row through the ORM (_next_row_version), so a page
    # rendered from the row can be named by it; only the counts change by bulk UPDATE.
    row_version: so.Mapped[int] = so.mapped_column(default=1, server_default="1")

    fixed_targets: so.Mapped[list[Target]] = so.relationship(
        secondary=campaign_fixed_targets, order_by="Target.name"
    )
    # Official responses from representatives, shown on the campaign page, newest first.
    published_responses: so.Mapped[list[Response]] = so.relationship(
        primaryjoin="and_(Response.campaign_id == Campaign.id, Response.published)",
        order_by="(Response.created_at.desc(), Response.id.desc())",
        viewonly=True,
    )
    # Awaiting an organizer's approval (RESPONSES_NEED_APPROVAL), or hidden by one.
    unpublished_responses: so.Mapped[list[Response]] = so.relationship(
        primaryjoin="and_(Response.campaign_id == Campaign.id, ~Response.published)",
        order_by="(Response.created_at.desc(), Response.id.desc())",
        viewonly=True,
    )

    @property
    def is_public(self) -> bool:
        return self.status != CampaignStatus.DRAFT

    @hybrid_method
    def is_open(self, now: datetime | None = None) -> bool:
        """Whether the campaign takes signatures and letters right now."""
        return open_now(self.status, self.opens_at, self.closes_at, now)

    @is_open.expression
    def is_open(cls, now: datetime | None = None) -> sa.ColumnElement[bool]:
        """The same rule in SQL, so an INSERT can check it in the statement that writes."""
        if now is None:
            now = utcnow()
        return sa.and_(
            cls.status == CampaignStatus.OPEN,
            sa.or_(cls.opens_at.is_(None), cls.opens_at <= now),
            sa.or_(cls.closes_at.is_(None), cls.closes_at > now),
        )

    @property
    def progress_percent(self) -> int:
        return self.percent_of_goal(self.signature_count)

    def percent_of_goal(self, count: int) -> int:
        """How far count goes towards the goal, in whole percent (at most 100)."""
        if self.goal <= 0:
            return 100
        return min(100, count * 100 // self.goal)


def open_now(
    status: str, opens_at: datetime | None, closes_at: datetime | None, now: datetime | None = None
) -> bool:
    """Campaign.is_open from the three columns it reads (for a row read without the ORM)."""
    now = now or utcnow()
    if status != CampaignStatus.OPEN:
        return False
    if opens_at and now < opens_at:
        return False
    return not (closes_at and now >= closes_at)


@sa.event.listens_for(Campaign, "before_update")
def _next_row_version(mapper, connection, campaign: Campaign) -> None:
    campaign.row_version = Campaign.row_version + 1


class CampaignTally(db.Model):
    """Confirmed signatures per campaign, state and congressional district."""

    __tablename__ = "campaign_tallies"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "state", "district"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    campaign_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    state: so.Mapped[str] = so.mapped_column(sa.String(2), default="")
    district: so.Mapped[str] = so.mapped_column(sa.String(8), default="")
    count: so.Mapped[int] = so.mapped_column(default=0)


class CampaignPage(db.Model):
    """What the campaign page shows besides the campaign's own text and counts: its recent
    public signers, published responses, public comments and milestones reached, kept as
    one JSON document by whoever changes them (services.campaigns.page.refresh), so a
    render reads it by primary key, and a request only its version."""

    __tablename__ = "campaign_pages"

    campaign_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    shown: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
    # One more at every refresh: rendered copies of the page are kept by it.
    version: so.Mapped[int] = so.mapped_column(default=1, server_default="1")
    refreshed_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)


class Response(db.Model):
    """An official response from a representative, shown on the campaign page."""

    __tablename__ = "responses"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    campaign_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    target_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("targets.id"), index=True)
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    author_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    published: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    target: so.Mapped[Target] = so.relationship()


class SupporterUpdate(db.Model):
    """An organizer's message to the confirmed signers of a campaign who opted in."""

    __tablename__ = "supporter_updates"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    campaign_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    subject: so.Mapped[str] = so.mapped_column(sa.String(200))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("organizers.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    queued_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)


class CampaignRevision(db.Model):
    """One change of a campaign's public text: who made it, when, why, and the text after it."""

    __tablename__ = "campaign_revisions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    campaign_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    # Empty when the change came from a content file (`flask seed`), not from an organizer.
    author_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("organizers.id"))
    reason: so.Mapped[str] = so.mapped_column(sa.String(300))
    # The public text after this change: {"title", "summary", "explainer", "letter_subject",
    # "letter_body", "sources"}, so any two revisions can be compared without the campaign.
    text: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


class Milestone(db.Model):
    """A threshold of the campaign's that its count has reached: one row, however often."""

    __tablename__ = "milestones"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "threshold"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    campaign_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="CASCADE")
    )
    threshold: so.Mapped[int] = so.mapped_column()
    label: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    # The public count when the counting job saw it cross the threshold.
    count_at_reach: so.Mapped[int] = so.mapped_column(default=0)
    reached_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
