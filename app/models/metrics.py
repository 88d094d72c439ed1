"""Funnel counters per campaign and day: page views and sign forms started."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db


class Metric:
    PAGE_VIEW = "page_view"
    FORM_STARTED = "form_started"
    ALL = (PAGE_VIEW, FORM_STARTED)


class CampaignMetric(db.Model):
    """How many times something happened on a campaign's page on one (UTC) day.

    Rows are bumped by periodic flushes of in-process counters, never once per view.
    """

    __tablename__ = "campaign_metrics"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "day", "metric"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # The unique constraint's index (campaign first) serves lookups by campaign too.
    campaign_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="CASCADE")
    )
    day: so.Mapped[date] = so.mapped_column(sa.Date)
    metric: so.Mapped[str] = so.mapped_column(sa.String(16))
    count: so.Mapped[int] = so.mapped_column(default=0)
