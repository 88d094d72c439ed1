"""Delivery benchmark on PostgreSQL through the fake SendGrid server; prints figures.

    .venv/bin/python bench/delivery.py [--singles 2000] [--batched 5000] [--burst 5000]

1. Throughput: deliveries per second for 1, 2 and 4 `flask deliver --watch` worker
   processes, for confirmations sent one per request (signers who wrote a letter) and
   confirmations batched with personalizations (up to DELIVERY_BATCH_SIZE per request).
2. Latency: a burst of signatures through the real sign() service (8 threads, like a
   threaded web server) with Celery workers on Redis; sign-to-provider time per email,
   from sign() returning to the fake SendGrid receiving the request, p50/p95.

It creates its own PostgreSQL database (BENCH_DATABASE_URL's server) and drops it after.
Everything runs on this machine: PostgreSQL, Redis, workers and the fake share its cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.clock import utcnow  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    Campaign,
    CampaignStatus,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Letter,
    Signature,
)
from app.services.letters.places import Place  # noqa: E402
from app.services.signing.signatures import SignatureRequest, sign  # noqa: E402
from bench.web import bench_database  # noqa: E402
from config import Config  # noqa: E402
from tests.fakes import FakeSendGrid  # noqa: E402

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")


def worker_env(database_url: str, fake: FakeSendGrid, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-secret",
        "BASE_URL": "http://chorus.bench",
        "MAIL_BACKEND": "sendgrid",
        "SENDGRID_API_KEY": fake.api_key,
        "SENDGRID_API_HOST": fake.url,
        "WORKER_POLL_SECONDS": "1",
        "DIGEST_HOUR_UTC": "24",
        "PYTHONUNBUFFERED": "1",
        "REDIS_URL": "",
        **extra,
    }


def start(command: list[str], env: dict[str, str], ready: str) -> subprocess.Popen:
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True).start()
    deadline = time.monotonic() + 60
    while not any(ready in line for line in lines):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("worker did not start:\n" + "".join(lines))
        time.sleep(0.05)
    return process


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=60)


def reset(app) -> None:
    with app.app_context():
        db.session.execute(sa.text("TRUNCATE deliveries, letters, signatures, campaigns CASCADE"))
        db.session.commit()


def insert_confirmations(app, n: int, with_letters: bool) -> None:
    """n pending signatures with their confirmation rows, as signing writes them."""
    with app.app_context():
        campaign = Campaign(slug=f"bench-{uuid.uuid4().hex[:6]}", title="Bench", status="open")
        db.session.add(campaign)
        db.session.flush()
        now = utcnow()
        signatures = db.session.execute(
            sa.insert(Signature).returning(Signature.id, Signature.email),
            [
                {
                    "campaign_id": campaign.id,
                    "name": f"Signer {i}",
                    "email": f"signer{i}@example.org",
                    "email_domain": "example.org",
                    "status": "pending",
                    "created_at": now,
                }
                for i in range(n)
            ],
        ).all()
        if with_letters:
            db.session.execute(
                sa.insert(Letter),
                [
                    {"signature_id": s.id, "campaign_id": campaign.id, "subject": "S", "body": "B"}
                    for s in signatures
                ],
            )
        db.session.execute(
            sa.insert(Delivery),
            [
                {
                    "kind": DeliveryKind.CONFIRMATION,
                    "dedupe_key": f"confirmation:{s.id}:1",
                    "recipient": s.email,
                    "campaign_id": campaign.id,
                    "signature_id": s.id,
                    "status": DeliveryStatus.QUEUED,
                    "next_attempt_at": now,
                }
                for s in signatures
            ],
        )
        db.session.commit()


def unsent(app) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count()).where(Delivery.status != DeliveryStatus.SENT)
        )


def throughput(app, database_url: str, workers: int, n: int, batched: bool) -> float:
    """Deliveries per second for `workers` processes draining n due confirmations."""
    reset(app)
    fake = FakeSendGrid().start()
    env = worker_env(database_url, fake)
    command = [sys.executable, "-m", "flask", "--app", "app", "deliver", "--watch"]
    processes = [start(command, env, "delivering every") for _ in range(workers)]
    try:
        insert_confirmations(app, n, with_letters=not batched)
        started = time.monotonic()
        while unsent(app):
            time.sleep(0.05)
        elapsed = time.monotonic() - started
    finally:
        stop(processes)
        fake.stop()
    assert len(fake.sent_delivery_ids()) == n and not fake.duplicates()
    return n / elapsed


def burst_latency(app, database_url: str, n: int, workers: int) -> tuple[float, float, float]:
    """(p50, p95, max) seconds from sign() returning to the provider receiving the email."""
    reset(app)
    fake = FakeSendGrid().start()
    queue = f"chorus-bench-{uuid.uuid4().hex[:6]}"
    env = worker_env(database_url, fake, REDIS_URL=REDIS_URL, CELERY_QUEUE=queue)
    command = [sys.executable, "-m", "celery", "-A", "app.tasks", "worker", "-c", "2"]
    command += ["-Q", queue, "--without-gossip", "--without-mingle", "-l", "info"]
    processes = [start(command, env, " ready.") for _ in range(workers)]
    web = create_app(_config(database_url, REDIS_URL=REDIS_URL, CELERY_QUEUE=queue))
    signed_at: dict[str, float] = {}
    with web.app_context():
        campaign = Campaign(slug="burst", title="Burst", status=CampaignStatus.OPEN)
        db.session.add(campaign)
        db.session.commit()

    def one(i: int) -> None:
        email = f"burst{i}@example.org"
        with web.app_context():
            place = Place(zip="10001", districts=(("NY", "12"),), from_zcta=True)
            sign("burst", SignatureRequest(name=f"Signer {i}", email=email, place=place))
        signed_at[email] = time.time()

    try:
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(one, range(n)))
        sign_seconds = time.monotonic() - started
        deadline = time.monotonic() + 300
        while len(fake.sent_delivery_ids()) < n and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop(processes)
        fake.stop()
    received = {}
    for request in fake.accepted():
        for email in request.recipients:
            received.setdefault(email, request.received_at)
    latencies = sorted(received[email] - signed_at[email] for email in signed_at)
    print(f"  {n} signatures signed in {sign_seconds:.1f}s ({n / sign_seconds:.0f}/s)")
    p50 = statistics.median(latencies)
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    return p50, p95, latencies[-1]


def _config(database_url: str, **overrides) -> type:
    return type(
        "BenchConfig",
        (Config,),
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "bench-secret",
            "MAIL_BACKEND": "memory",
            "EMBEDDED_WORKER": False,
            "REDIS_URL": "",
            **overrides,
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--singles", type=int, default=2000)
    parser.add_argument("--batched", type=int, default=5000)
    parser.add_argument("--burst", type=int, default=5000)
    args = parser.parse_args()

    with bench_database() as database_url:
        app = create_app(_config(database_url))
        with app.app_context():
            db.create_all()
        print(f"machine: {os.cpu_count()} cores; PostgreSQL {make_url(database_url).host}")
        print("deliveries/second through the fake SendGrid (flask deliver --watch workers):")
        for workers in (1, 2, 4):
            singles = throughput(app, database_url, workers, args.singles, batched=False)
            batched = throughput(app, database_url, workers, args.batched, batched=True)
            print(
                f"  {workers} worker(s): {singles:7.0f}/s one per request ({args.singles}), "
                f"{batched:7.0f}/s batched ({args.batched})"
            )
        print(f"burst of {args.burst} signatures, Celery (2 workers x 2 processes) on Redis:")
        p50, p95, worst = burst_latency(app, database_url, args.burst, workers=2)
        print(f"  sign-to-provider latency: p50 {p50:.2f}s, p95 {p95:.2f}s, max {worst:.2f}s")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
