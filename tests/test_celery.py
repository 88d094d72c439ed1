"""Celery on the local Redis (db 3, a queue per test run) with real worker processes."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from app.extensions import db
from app.models import Delivery, DeliveryKind, DeliveryStatus
from app.services.delivery import outbox
from tests.factories import make_campaign, make_signature
from tests.fakes import FakeSendGrid, Reply
from tests.helpers import sign_via_form

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/3"
QUEUE = f"chorus-test-{uuid.uuid4().hex[:8]}"

# Redis is one server for every xdist worker: its tests run on one worker, in turn.
pytestmark = [pytest.mark.redis, pytest.mark.xdist_group("redis")]


@pytest.fixture(scope="module")
def broker():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    yield client
    client.delete(QUEUE)


@pytest.fixture(scope="module")
def module_fake():
    fake = FakeSendGrid().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def celery_worker(broker, module_fake, database_url, _schema, tmp_path_factory):
    """One `celery -A app.tasks worker -B` process (beat embedded) for this module."""
    schedule = tmp_path_factory.mktemp("beat") / "schedule"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "CELERY_QUEUE": QUEUE,
        "SECRET_KEY": "test-secret-key",
        "BASE_URL": "http://chorus.test",
        "MAIL_BACKEND": "sendgrid",
        "SENDGRID_API_KEY": module_fake.api_key,
        "SENDGRID_API_HOST": module_fake.url,
        "MAIL_SEND_TIMEOUT": "2",
        "DELIVERY_SWEEP_SECONDS": "1",
        "DELIVERY_BACKOFF_SECONDS": "1",
        "DIGEST_HOUR_UTC": "24",
    }
    concurrency = "2" if database_url.startswith("postgresql") else "1"
    command = [sys.executable, "-m", "celery", "-A", "app.tasks", "worker", "-B", "-s"]
    command += [str(schedule), "-c", concurrency, "-l", "info", "--without-gossip"]
    command += ["--without-mingle", "--without-heartbeat"]
    worker = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(worker.stdout), daemon=True).start()
    deadline = time.monotonic() + 30
    while not any(" ready." in line for line in lines):
        assert worker.poll() is None and time.monotonic() < deadline, "".join(lines)
        time.sleep(0.1)
    yield lines
    worker.terminate()
    worker.wait(timeout=20)


def celery_app(make_app, **overrides):
    return make_app(REDIS_URL=REDIS_URL, CELERY_QUEUE=QUEUE, **overrides)


def wait_for(condition, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def status_of(delivery_id: int) -> str:
    db.session.expire_all()
    return db.session.scalar(sa.select(Delivery.status).where(Delivery.id == delivery_id))


def test_a_rolled_back_outbox_row_enqueues_nothing(make_app, broker):
    broker.delete(QUEUE)
    app = celery_app(make_app)
    with app.app_context():
        signature = make_signature(make_campaign(), confirmed=False)
        outbox.enqueue(DeliveryKind.CONFIRMATION, "c:1", signature.email)
        db.session.flush()
        db.session.rollback()
        time.sleep(0.2)  # four times the wake-up's window (0.05 s)
        assert broker.llen(QUEUE) == 0  # rolled back: nothing to send, nothing said


def test_a_deliver_task_is_enqueued_after_commit_once_per_burst(make_app, broker):
    broker.delete(QUEUE)
    # A window wide enough that a busy machine still makes the five commits inside it.
    app = celery_app(make_app, CELERY_WAKE_UP_SECONDS=1.0)
    with app.app_context():
        signature = make_signature(make_campaign(), confirmed=False)
        for n in range(5):  # a burst of commits is told to the workers once
            outbox.enqueue(DeliveryKind.CONFIRMATION, f"c:{n}", signature.email)
            db.session.commit()
        assert wait_for(lambda: broker.llen(QUEUE) == 1, timeout=10)
        time.sleep(0.2)  # room for a second task, which must not come
        assert broker.llen(QUEUE) == 1
        outbox.enqueue(DeliveryKind.CONFIRMATION, "c:later", signature.email)
        db.session.commit()
        assert wait_for(lambda: broker.llen(QUEUE) == 2, timeout=10), "a later commit is told too"
    broker.delete(QUEUE)


def test_a_broker_that_is_down_does_not_stop_signing(make_app):
    def seconds_to_sign(app, email: str) -> float:
        started = time.monotonic()
        response = sign_via_form(app.test_client(), slug, email=email)
        assert response.status_code == 302
        return time.monotonic() - started

    without_broker = make_app()
    with without_broker.app_context():
        slug = make_campaign().slug
        baseline = seconds_to_sign(without_broker, "first@example.org")
    down = make_app(REDIS_URL="redis://127.0.0.1:1/3", CELERY_QUEUE=QUEUE)
    with down.app_context():
        # Compared with the same request on the same (possibly busy) machine: the broker's
        # absence must not add a connect timeout to a signature.
        assert seconds_to_sign(down, "second@example.org") - baseline < 1.0
        statuses = db.session.scalars(sa.select(Delivery.status)).all()
        assert statuses == [DeliveryStatus.QUEUED, DeliveryStatus.QUEUED]


def test_a_celery_worker_sends_the_confirmation_of_a_new_signature(
    make_app, celery_worker, module_fake
):
    app = celery_app(make_app)
    with app.app_context():
        campaign = make_campaign()
        started = time.monotonic()
        sign_via_form(app.test_client(), campaign.slug, email="celery@example.org")
        [delivery_id] = db.session.scalars(sa.select(Delivery.id))
        assert wait_for(lambda: status_of(delivery_id) == DeliveryStatus.SENT), "".join(
            celery_worker[-30:]
        )
        print(f"sign -> provider through Celery: {time.monotonic() - started:.2f}s")
        [request] = [r for r in module_fake.accepted() if "celery@example.org" in r.recipients]
        assert request.delivery_ids == [delivery_id]


def test_beat_sweep_sends_what_a_lost_task_missed_and_retries_when_due(
    make_app, celery_worker, module_fake
):
    app = make_app()  # no REDIS_URL: the commit tells no worker, as if the task was lost
    module_fake.reply(Reply(500))
    earlier = len(module_fake.received)
    with app.app_context():
        signature = make_signature(make_campaign(), confirmed=False)
        row = outbox.enqueue(
            DeliveryKind.CONFIRMATION,
            f"confirmation:{signature.id}:1",
            signature.email,
            signature_id=signature.id,
        )
        db.session.commit()
        assert wait_for(lambda: status_of(row.id) == DeliveryStatus.SENT, 20), "".join(
            celery_worker[-30:]
        )
        db.session.refresh(row)
        assert row.attempts == 2 and row.last_error == ""
        tries = [r.status for r in module_fake.received[earlier:] if row.id in r.delivery_ids]
        assert tries == [500, 202]
