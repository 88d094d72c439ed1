"""CWC benchmark against the fake CWC server; prints messages per second.

    .venv/bin/python bench/cwc.py [--messages 2000] [--outbox 3000]

1. Build: CwcMessage.to_xml() and schema validation, one thread.
2. Post: build, validate and post each message to the fake server (which validates it
   again), with one thread and with two, as one and two outbox workers would.
3. Outbox: confirmed letters to three offices each (94110's: HCA11, SCA01, SCA03) as CWC
   rows in a fresh PostgreSQL database (BENCH_DATABASE_URL's server), drained by one and
   by two `flask deliver --watch` worker processes: claim, compose from the letter, validate,
   post, record, and queue each letter's receipt once its last office settles (the
   receipts go to the memory mail backend). The rate counts CWC messages until all are sent.

The fake runs in this process on 127.0.0.1, so the figures measure the adapter, the outbox
and the local HTTP round trip, not CWC.

Figures (2 cores, 2000 messages of ~3 KB, two runs, before the outbox part): build +
validate 1,450-1,600/s; build + validate + post 305-383/s with one thread, 826-959/s with
two. Two threads more than double one: each post waits on a fresh local connection (urllib
closes it), and the second thread fills that wait.

Through the outbox (1,000 direct and 1,500 outbox messages, PostgreSQL; measured while the
machine ran other test suites, load average 15-19 on its 2 cores, so read them as a floor):
build + validate 1,953/s, post 418/s (1 thread) and 779/s (2); outbox 26/s with one worker
and 16/s with two (20/s and 21/s in an earlier run at load 11-14). A profile of one worker
shows the time in PostgreSQL round trips (about 8 statements per message: claim, compose's
loads, record, the receipt check), not in CWC or XML; under that load a second worker only
adds contention.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from app import create_app  # noqa: E402
from app.clock import utcnow  # noqa: E402
from app.cwc import CwcClient, CwcMessage, delivery_agent, delivery_id, validate  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    Campaign,
    Delivery,
    DeliveryChannel,
    DeliveryKind,
    DeliveryStatus,
    Letter,
    Signature,
)
from bench.delivery import _config, start, stop  # noqa: E402
from bench.web import bench_database  # noqa: E402
from tests.fakes.cwc import API_KEY, FakeCwc, cwc_settings  # noqa: E402

OFFICES = ("HCA11", "SCA01", "SCA03")

AGENT = delivery_agent(cwc_settings("http://unused"))
BODY = "Dear Senator,\n\n" + "Please protect the river we all drink from. " * 40 + "\n\nAna"


def build(n: int) -> CwcMessage:
    return CwcMessage(
        delivery_id=delivery_id("https://bench.chorus.test", n),
        delivery_date=date.today(),
        agent=AGENT,
        campaign_id="bench-campaign",
        member_office=("HCA11", "SCA01", "SCA03")[n % 3],
        prefix="Ms.",
        first_name="Ana",
        last_name=f"Reyes {n}",
        address="3200 24th Street",
        city="San Francisco",
        state="CA",
        zip_code="94110",
        email=f"ana{n}@example.org",
        subject="Protect the Clean Water Act",
        topics=("Environmental Protection",),
        body=BODY,
    )


def build_all(count: int) -> float:
    """Messages built and validated per second, one thread."""
    started = time.perf_counter()
    for n in range(count):
        validate(build(n).to_xml())
    return count / (time.perf_counter() - started)


def post_all(fake: FakeCwc, count: int, threads: int) -> float:
    """Messages built, validated and posted per second with this many threads."""
    client = CwcClient(fake.url, API_KEY)

    def send(n: int) -> None:
        xml = build(n).to_xml()
        validate(xml)
        client.post(xml)

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(send, range(count)))
    return count / (time.perf_counter() - started)


def insert_letters(app, letters: int) -> None:
    """Confirmed letters to the three offices, queued as CWC rows (as confirming does)."""
    with app.app_context():
        db.session.execute(sa.text("TRUNCATE deliveries, letters, signatures, campaigns CASCADE"))
        campaign = Campaign(slug="bench-cwc", title="Bench", status="open")
        db.session.add(campaign)
        db.session.flush()
        now = utcnow()
        signatures = db.session.scalars(
            sa.insert(Signature).returning(Signature.id),
            [
                {
                    "campaign_id": campaign.id,
                    "name": f"Ana Reyes{i}",
                    "email": f"ana{i}@example.org",
                    "email_domain": "example.org",
                    "zip": "94110",
                    "state": "CA",
                    "district": "11",
                    "status": "confirmed",
                    "confirmed_at": now,
                    "created_at": now,
                }
                for i in range(letters)
            ],
        ).all()
        letter_ids = db.session.scalars(
            sa.insert(Letter).returning(Letter.id),
            [
                {
                    "signature_id": signature_id,
                    "campaign_id": campaign.id,
                    "subject": "Protect the Clean Water Act",
                    "body": BODY,
                    "prefix": "Ms.",
                    "street_address": "3200 24th Street",
                    "city": "San Francisco",
                }
                for signature_id in signatures
            ],
        ).all()
        db.session.execute(
            sa.insert(Delivery),
            [
                {
                    "kind": DeliveryKind.LETTER,
                    "dedupe_key": f"letter:{letter_id}:{office}",
                    "channel": DeliveryChannel.CWC,
                    "recipient": office,
                    "campaign_id": campaign.id,
                    "signature_id": signature_id,
                    "letter_id": letter_id,
                    "status": DeliveryStatus.QUEUED,
                    "next_attempt_at": now,
                }
                for signature_id, letter_id in zip(signatures, letter_ids, strict=True)
                for office in OFFICES
            ],
        )
        db.session.commit()


def cwc_unsent(app) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count()).where(
                Delivery.channel == DeliveryChannel.CWC, Delivery.status != DeliveryStatus.SENT
            )
        )


def outbox_rate(app, database_url: str, fake: FakeCwc, workers: int, messages: int) -> float:
    """CWC messages per second through the outbox with this many worker processes."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-secret",
        "BASE_URL": "http://chorus.bench",
        "MAIL_BACKEND": "memory",
        "WORKER_POLL_SECONDS": "1",
        "DIGEST_HOUR_UTC": "24",
        "PYTHONUNBUFFERED": "1",
        "REDIS_URL": "",
        **{name: str(value) for name, value in fake.app_settings().items()},
    }
    before = len(fake.accepted())
    command = [sys.executable, "-m", "flask", "--app", "app", "deliver", "--watch"]
    processes = [start(command, env, "delivering every") for _ in range(workers)]
    try:
        insert_letters(app, messages // len(OFFICES))
        started = time.monotonic()
        while cwc_unsent(app):
            time.sleep(0.05)
        elapsed = time.monotonic() - started
    finally:
        stop(processes)
    sent = messages // len(OFFICES) * len(OFFICES)
    ids = [m.delivery_id for m in fake.accepted()[before:]]
    assert len(ids) == sent == len(set(ids)), f"{len(ids)} posted for {sent} rows"
    return sent / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--outbox", type=int, default=3000)
    args = parser.parse_args()

    print(f"build + validate, 1 thread: {build_all(args.messages):8.0f} messages/s")
    fake = FakeCwc().start()
    try:
        for threads in (1, 2):
            rate = post_all(fake, args.messages, threads)
            print(f"build + validate + post, {threads} thread(s): {rate:8.0f} messages/s")
        accepted = len(fake.accepted())
        assert accepted == 2 * args.messages, f"the fake accepted {accepted}"
        with bench_database() as database_url:
            app = create_app(_config(database_url))
            with app.app_context():
                db.create_all()
            for workers in (1, 2):
                rate = outbox_rate(app, database_url, fake, workers, args.outbox)
                print(f"through the outbox, {workers} worker(s): {rate:8.0f} CWC messages/s")
            with app.app_context():
                db.engine.dispose()
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
