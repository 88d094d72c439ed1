"""Campaign analytics: the funnel, signatures and letters over time, by place, deliveries.

The figures are exact GROUP BY queries over the campaign's own rows: these pages are for a
handful of organizers, unlike the public count, which never runs COUNT(*) on a page view.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError

from app import clock
from app.clock import utcnow
from app.extensions import db
from app.models import (
    Campaign,
    CampaignMetric,
    Delivery,
    Letter,
    Metric,
    Signature,
    SignatureStatus,
)
from app.services.signing.counting import LETTER_QUEUED

log = logging.getLogger(__name__)

# A page view adds 1 to a counter in memory; the counters reach the database at most this
# often, in one UPDATE per (campaign, day, metric), so no row is written per view.
FLUSH_SECONDS = 10.0


class MetricsBuffer:
    """In-process counters of funnel events, flushed to campaign_metrics in batches: by the
    event that finds the interval up, or else by a timer, so a process that goes quiet
    does not sit on its counts (and gunicorn.conf.py flushes a worker on its way out)."""

    def __init__(self, app: Flask | None = None, flush_seconds: float = FLUSH_SECONDS) -> None:
        self._app = app  # for the timer's app context; without one, no timer
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, date, str]] = Counter()
        self._flush_seconds = flush_seconds
        self._last_flush = clock.monotonic()
        self._timer: threading.Timer | None = None
        self._closed = False

    def add(self, slug: str, metric: str) -> None:
        """Count one event for the campaign with this slug; flush when the interval is up."""
        with self._lock:
            self._counts[(slug, utcnow().date(), metric)] += 1
            due = clock.monotonic() - self._last_flush >= self._flush_seconds
            if not due:
                self._arm()
        if due:
            self.flush()

    def flush(self) -> int:
        """Write the counts gathered so far to the database; return how many events."""
        with self._lock:
            counts, self._counts = self._counts, Counter()
            self._last_flush = clock.monotonic()
        if counts:
            try:
                _store(counts)
            except Exception:
                # Keep the counts for the next flush rather than lose them with the error.
                with self._lock:
                    self._counts.update(counts)
                raise
        return sum(counts.values())

    def close(self) -> int:
        """Stop the timer and write what is left (a process on its way out)."""
        with self._lock:
            timer = self._timer
            self._closed = True
        if timer is not None:
            timer.cancel()
            # A flush the timer already started holds counts: let it finish, or a process
            # exiting now would take them along.
            timer.join(timeout=30)
        return self.flush()

    def _arm(self) -> None:
        """Start the timer unless it is set already (with the lock held)."""
        if self._timer is None and self._app is not None and not self._closed:
            self._timer = threading.Timer(self._flush_seconds, self._flush_by_timer)
            self._timer.daemon = True
            self._timer.start()

    def _flush_by_timer(self) -> None:
        try:
            with self._app.app_context():
                self.flush()
        except Exception:
            log.warning("could not write funnel counts; kept for the next flush", exc_info=True)
        with self._lock:
            self._timer = None
            if self._counts:  # arrived meanwhile, or put back by a failed write
                self._arm()


def metrics_buffer(app: Flask | None = None) -> MetricsBuffer:
    """This app's buffer (one per app, so tests and processes never share counters)."""
    app = app or current_app._get_current_object()
    if _BUFFER not in app.extensions:
        app.extensions[_BUFFER] = MetricsBuffer(app)
    return app.extensions[_BUFFER]


def flush_before_exit(app: Flask) -> int:
    """Write a process's buffered counts before it exits (gunicorn's worker_exit hook)."""
    buffer = app.extensions.get(_BUFFER)
    if buffer is None:
        return 0
    with app.app_context():
        return buffer.close()


_BUFFER = "chorus_metrics"


def _store(counts: Counter[tuple[str, date, str]]) -> None:
    # Its own connection and transaction: a flush must not commit a request's half-done work.
    with db.engine.begin() as connection:
        slugs = {slug for slug, _, _ in counts}
        ids = dict(
            connection.execute(
                sa.select(Campaign.slug, Campaign.id).where(Campaign.slug.in_(slugs))
            ).all()
        )
        for (slug, day, metric), n in sorted(counts.items()):
            if slug in ids:
                _bump(connection, ids[slug], day, metric, n)


def _bump(connection: sa.Connection, campaign_id: int, day: date, metric: str, n: int) -> None:
    where = (
        CampaignMetric.campaign_id == campaign_id,
        CampaignMetric.day == day,
        CampaignMetric.metric == metric,
    )
    bump = sa.update(CampaignMetric).where(*where).values(count=CampaignMetric.count + n)
    if connection.execute(bump).rowcount:
        return
    try:
        with connection.begin_nested():
            connection.execute(
                sa.insert(CampaignMetric).values(
                    campaign_id=campaign_id, day=day, metric=metric, count=n
                )
            )
    except IntegrityError:
        # Another process created the day's row between our UPDATE and INSERT.
        connection.execute(bump)


@dataclass(frozen=True)
class Funnel:
    page_views: int
    forms_started: int
    signed: int
    confirmed: int


def funnel(campaign: Campaign) -> Funnel:
    """Page views -> sign forms started -> signatures submitted -> confirmed."""
    metrics_buffer().flush()
    metrics = dict(
        db.session.execute(
            sa.select(CampaignMetric.metric, sa.func.sum(CampaignMetric.count))
            .where(CampaignMetric.campaign_id == campaign.id)
            .group_by(CampaignMetric.metric)
        ).all()
    )
    statuses = signature_statuses(campaign)
    return Funnel(
        page_views=int(metrics.get(Metric.PAGE_VIEW) or 0),
        forms_started=int(metrics.get(Metric.FORM_STARTED) or 0),
        signed=sum(statuses.values()),
        confirmed=statuses.get(SignatureStatus.CONFIRMED, 0),
    )


def signature_statuses(campaign: Campaign) -> dict[str, int]:
    """How many of the campaign's signatures are in each status."""
    rows = db.session.execute(
        sa.select(Signature.status, sa.func.count())
        .where(Signature.campaign_id == campaign.id)
        .group_by(Signature.status)
    )
    return {status: n for status, n in rows}


@dataclass(frozen=True)
class Series:
    days: list[str]
    signatures: list[int]
    letters: list[int]


def over_time(campaign: Campaign) -> Series:
    """Confirmed signatures and their letters per day of confirmation (UTC)."""
    day = sa.func.date(Signature.confirmed_at)
    confirmed = (
        Signature.campaign_id == campaign.id,
        Signature.status == SignatureStatus.CONFIRMED,
    )
    signatures = _per_day(sa.select(day, sa.func.count()).where(*confirmed).group_by(day))
    letters = _per_day(
        sa.select(day, sa.func.count())
        .select_from(Letter)
        .join(Signature, Letter.signature_id == Signature.id)
        .where(*confirmed, LETTER_QUEUED)  # counted as the campaign's letter count is
        .group_by(day)
    )
    days = sorted(set(signatures) | set(letters))
    return Series(
        days=days,
        signatures=[signatures.get(d, 0) for d in days],
        letters=[letters.get(d, 0) for d in days],
    )


def _per_day(query: sa.Select) -> dict[str, int]:
    # SQLite returns DATE() as text, PostgreSQL as a date: compare them as ISO strings.
    return {str(d): n for d, n in db.session.execute(query) if d is not None}


def by_state(campaign: Campaign) -> dict[str, int]:
    """Confirmed signatures per state."""
    rows = db.session.execute(
        sa.select(Signature.state, sa.func.count())
        .where(Signature.campaign_id == campaign.id, Signature.status == SignatureStatus.CONFIRMED)
        .group_by(Signature.state)
    )
    return {state or "??": n for state, n in rows}


def by_district(campaign: Campaign) -> list[tuple[str, str, int]]:
    """Confirmed signatures per congressional district, largest first."""
    rows = db.session.execute(
        sa.select(Signature.state, Signature.district, sa.func.count())
        .where(Signature.campaign_id == campaign.id, Signature.status == SignatureStatus.CONFIRMED)
        .group_by(Signature.state, Signature.district)
        .order_by(sa.func.count().desc(), Signature.state, Signature.district)
    )
    return [(state, district, n) for state, district, n in rows]


@dataclass(frozen=True)
class SourceCount:
    source: str  # "" for signatures that came with no source code
    signed: int  # pending or confirmed
    confirmed: int


def by_source(campaign: Campaign) -> list[SourceCount]:
    """Signatures per source code (share links' and embeds' `src`), most signed first."""
    live = Signature.status.in_((SignatureStatus.PENDING, SignatureStatus.CONFIRMED))
    confirmed = sa.func.count().filter(Signature.status == SignatureStatus.CONFIRMED)
    rows = db.session.execute(
        sa.select(Signature.source, sa.func.count(), confirmed)
        .where(Signature.campaign_id == campaign.id, live)
        .group_by(Signature.source)
        .order_by(sa.func.count().desc(), Signature.source)
    )
    return [SourceCount(source, signed, n) for source, signed, n in rows]


def delivery_states(campaign: Campaign) -> dict[str, dict[str, int]]:
    """For each kind of email of this campaign, how many deliveries are in each status."""
    rows = db.session.execute(
        sa.select(Delivery.kind, Delivery.status, sa.func.count())
        .where(Delivery.campaign_id == campaign.id)
        .group_by(Delivery.kind, Delivery.status)
        .order_by(Delivery.kind, Delivery.status)
    )
    states: dict[str, dict[str, int]] = {}
    for kind, status, n in rows:
        states.setdefault(kind, {})[status] = n
    return states
