"""Campaign page benchmark with 1,000,000 confirmed signatures in the database: requests per
second and p99 at 32 concurrent clients, Chorus against the bare one-template baseline.

    .venv/bin/python -m bench.pages         (BENCH_SECONDS=20 per run by default)

Chorus is measured twice: as deployed (visitors without cookies share the page copy each
process keeps for PAGE_CACHE_SECONDS) and rendering every request (PAGE_CACHE_SECONDS=0),
which is what the page costs when the copy has expired or the visitor has a cookie.
"""

from __future__ import annotations

import os
import time

import sqlalchemy as sa

from app.extensions import db
from app.models import Campaign
from app.services.signing.counting import recount
from bench.data import build, load_confirmed_signatures
from bench.web import (
    BASELINE_PORT,
    CHORUS_PORT,
    bench_database,
    get_env,
    gunicorn,
    line,
    machine,
    server_env,
    verdict,
    wrk,
)

SECONDS = int(os.environ.get("BENCH_SECONDS") or 20)
SIGNATURES = int(os.environ.get("BENCH_SIGNATURES") or 1_000_000)
CLIENTS = 32


def main() -> None:
    print(
        f"== campaign page: {SIGNATURES:,} confirmed signatures, {CLIENTS} clients, "
        f"{SECONDS} s per run on {machine()}"
    )
    with bench_database() as database_url:
        app, slug = build(database_url)
        loaded = load_confirmed_signatures(app, slug, SIGNATURES)
        started = time.monotonic()
        with app.app_context():
            recount()
            count = db.session.scalar(sa.select(Campaign.signature_count))
        print(
            f"loaded in {loaded:.0f} s; exact recount in {time.monotonic() - started:.1f} s "
            f"({count:,} counted)"
        )
        reports = {}
        for label, extra in [
            ("Chorus page (as deployed)", {}),
            ("Chorus page (rendered every time)", {"PAGE_CACHE_SECONDS": "0"}),
        ]:
            env = server_env(database_url, **extra)
            with gunicorn("app:create_app()", CHORUS_PORT, env, f"/c/{slug}") as base:
                wrk(f"{base}/c/{slug}", CLIENTS, 3, "get.lua", get_env())
                reports[label] = wrk(f"{base}/c/{slug}", CLIENTS, SECONDS, "get.lua", get_env())
                if not extra:
                    reports["Chorus count.json"] = wrk(
                        f"{base}/c/{slug}/count.json", CLIENTS, SECONDS, "get.lua", get_env()
                    )
        with gunicorn(
            "bench.baseline:app", BASELINE_PORT, server_env(database_url), "/page"
        ) as base:
            wrk(f"{base}/page", CLIENTS, 3, "get.lua", get_env())
            bare = wrk(f"{base}/page", CLIENTS, SECONDS, "get.lua", get_env())
        with app.app_context():
            db.engine.dispose()
    for label, report in reports.items():
        print(line(label, report))
    print(line("bare template baseline", bare))
    deployed = reports["Chorus page (as deployed)"]
    ratio = deployed["rps"] / bare["rps"]
    print(
        f"  as deployed: ratio {ratio:.2f} (target >= 0.8: {verdict(ratio >= 0.8)}); "
        f"p99 {deployed['p99_ms']:.0f} ms (target < 100 ms: {verdict(deployed['p99_ms'] < 100)})"
    )
    # What a reader costs when the process's copy has expired, when they carry a cookie, and
    # what every organizer's preview and language variant costs (issue 19's targets).
    uncached = reports["Chorus page (rendered every time)"]
    ratio = uncached["rps"] / bare["rps"]
    cpu = uncached["server_cpu_ms"]
    print(
        f"  rendered every time: ratio {ratio:.2f} (target >= 0.3: {verdict(ratio >= 0.3)}); "
        f"web CPU {cpu:.2f} ms/req (target <= 1 ms: {verdict(cpu <= 1)}); "
        f"p99 {uncached['p99_ms']:.0f} ms (target < 50 ms: {verdict(uncached['p99_ms'] < 50)})"
    )


if __name__ == "__main__":
    main()
