"""Analytics: exact figures over time, by state and district, the funnel and deliveries."""

import re
import threading
import time
from datetime import datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import CampaignMetric, DeliveryStatus, Metric, Role, SignatureStatus
from app.services.letters.writing import queue_letter
from app.services.signing.counting import count_signatures, exact_counts
from app.services.workspace import analytics
from app.services.workspace.analytics import MetricsBuffer, flush_before_exit, metrics_buffer
from app.worker import run_periodic_jobs
from tests.factories import make_campaign, make_signature, make_target
from tests.helpers import wait_until
from tests.organizer.helpers import make_delivery, make_letter


def _figure(page: str, element_id: str) -> str:
    return re.search(rf'id="{element_id}">([^<]*)<', page).group(1)


def test_analytics_figures_match_the_database(login):
    client = login(Role.VIEWER)
    campaign = make_campaign()
    other = make_campaign()
    target = make_target(email="rep@example.gov")
    day1, day2 = datetime(2026, 1, 5, 12), datetime(2026, 1, 7, 9)
    for _ in range(3):
        make_signature(campaign, state="CA", district="11", confirmed_at=day1)
    for _ in range(2):
        signature = make_signature(campaign, state="TX", district="7", confirmed_at=day2)
        make_delivery(make_letter(signature), target, DeliveryStatus.SENT)
    make_signature(campaign, confirmed=False, state="NY")
    make_signature(campaign, status=SignatureStatus.WITHDRAWN, state="NY")
    make_signature(other, state="WA", confirmed_at=day1)

    page = client.get(f"/organizer/campaigns/{campaign.id}/analytics").get_data(as_text=True)
    table = re.search(r'id="over-time-table">(.*?)</table>', page, re.S).group(1)
    rows = re.findall(r"<tr><td>([\d-]+)</td><td>(\d+)</td><td>(\d+)</td></tr>", table)
    assert rows == [("2026-01-05", "3", "0"), ("2026-01-07", "2", "2")]
    assert 'title="CA: 3"' in page and 'title="TX: 2"' in page
    assert 'title="WA: 0"' in page and 'title="NY: 0"' in page
    assert "<td>CA-11</td><td>3</td>" in page and "<td>TX-7</td><td>2</td>" in page
    assert _figure(page, "funnel-signed") == "7"
    assert _figure(page, "funnel-confirmed") == "5"
    assert "<td>Letters to officials</td><td>sent</td><td>2</td>" in page
    series = re.search(r'id="series-data">(.*?)</script>', page).group(1)
    assert '"signatures": [3, 2]' in series


def test_page_views_and_form_starts_are_counted_in_memory_then_flushed(app, client):
    campaign = make_campaign()
    for _ in range(5):
        assert client.post(f"/c/{campaign.slug}/funnel/view").status_code == 204
    client.post(f"/c/{campaign.slug}/funnel/started")
    client.post(f"/c/{campaign.slug}/funnel/bogus")
    client.post("/c/no-such-campaign/funnel/view")
    # Nothing reaches the database per view: the counts wait in this process.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CampaignMetric)) == 0
    assert metrics_buffer(app).flush() == 7
    rows = dict(db.session.execute(sa.select(CampaignMetric.metric, CampaignMetric.count)).all())
    assert rows == {Metric.PAGE_VIEW: 5, Metric.FORM_STARTED: 1}
    client.post(f"/c/{campaign.slug}/funnel/view")
    metrics_buffer(app).flush()
    assert (
        db.session.scalar(
            sa.select(CampaignMetric.count).where(CampaignMetric.metric == Metric.PAGE_VIEW)
        )
        == 6
    )  # the same day's row is bumped, not duplicated


def test_buffer_flushes_by_itself_once_its_interval_is_up(app):
    campaign = make_campaign()
    buffer = MetricsBuffer(flush_seconds=0)
    buffer.add(campaign.slug, Metric.PAGE_VIEW)
    assert db.session.scalar(sa.select(CampaignMetric.count)) == 1


def test_funnel_on_the_analytics_page_includes_unflushed_views(login):
    client = login(Role.VIEWER)
    campaign = make_campaign()
    for _ in range(3):
        client.post(f"/c/{campaign.slug}/funnel/view")
    page = client.get(f"/organizer/campaigns/{campaign.id}/analytics").get_data(as_text=True)
    assert _figure(page, "funnel-views") == "3"
    assert _figure(page, "funnel-started") == "0"


def test_counts_survive_a_failed_flush(app, monkeypatch):
    campaign = make_campaign()
    buffer = MetricsBuffer()
    buffer.add(campaign.slug, Metric.PAGE_VIEW)

    def database_down(counts):
        raise OSError("database unavailable")

    monkeypatch.setattr("app.services.workspace.analytics._store", database_down)
    with pytest.raises(OSError):
        buffer.flush()
    monkeypatch.undo()
    assert buffer.flush() == 1
    assert db.session.scalar(sa.select(CampaignMetric.count)) == 1


def test_the_background_round_writes_counts_an_idle_process_still_holds(app, client):
    campaign = make_campaign()
    client.post(f"/c/{campaign.slug}/funnel/view")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CampaignMetric)) == 0
    run_periodic_jobs(app)
    assert db.session.scalar(sa.select(CampaignMetric.count)) == 1


def test_a_process_that_goes_quiet_writes_its_counts_by_itself(make_app):
    app = make_app()
    with app.app_context():
        app.extensions["chorus_metrics"] = MetricsBuffer(app, flush_seconds=0.5)
        campaign = make_campaign()
        assert app.test_client().post(f"/c/{campaign.slug}/funnel/view").status_code == 204
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CampaignMetric)) == 0
        # No further views arrive: the timer writes the count by itself.
        assert wait_until(lambda: db.session.scalar(sa.select(CampaignMetric.count)) == 1)


def test_a_worker_writes_its_counts_on_its_way_out(app, client):
    campaign = make_campaign()
    client.post(f"/c/{campaign.slug}/funnel/view")
    assert flush_before_exit(app) == 1
    assert db.session.scalar(sa.select(CampaignMetric.count)) == 1


def test_letters_over_time_add_up_to_the_campaigns_letter_count(app):
    # A letter written after its signature was confirmed counts once its own click queues it.
    campaign = make_campaign(collects_letters=True)
    target = make_target(email="rep@example.gov")
    late = make_letter(make_signature(campaign), body="Waits for its writer's click.")
    late.targets = [target]
    db.session.commit()
    count_signatures()
    db.session.refresh(campaign)
    assert exact_counts(campaign) == (campaign.signature_count, campaign.letter_count) == (1, 0)
    assert sum(analytics.over_time(campaign).letters) == 0
    queue_letter(late)
    db.session.commit()
    assert sum(analytics.over_time(campaign).letters) == 1


def test_a_worker_on_its_way_out_waits_for_a_flush_its_timer_started(make_app, monkeypatch):
    app = make_app()
    with app.app_context():
        slug = make_campaign().slug
        store = analytics._store

        writing = threading.Event()

        def slow_store(counts):
            writing.set()
            time.sleep(0.2)
            store(counts)

        monkeypatch.setattr(analytics, "_store", slow_store)
        buffer = app.extensions["chorus_metrics"] = MetricsBuffer(app, flush_seconds=0.1)
        buffer.add(slug, Metric.PAGE_VIEW)  # not due yet: the timer will write it
        assert writing.wait(5)  # the timer has taken the counts and is writing them
        buffer.close()
        assert db.session.scalar(sa.select(CampaignMetric.count)) == 1
