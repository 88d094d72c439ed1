"""API benchmark over 1,000,000 confirmed signatures:

1. The keyed signatures list streams in constant memory: one process walks every page
   (`limit=10000`, following `next` links) and reads each body as a client would; its
   peak RSS is compared with a process that reads one page of 1,000 rows. Each
   measurement runs in its own process (its peak RSS, VmHWM, is its own), as bench/export.py does.
2. p99 of the public campaign JSON (`/api/v1/campaigns/<slug>`) at 32 clients under
   gunicorn, on the same footing as the campaign page in bench/pages.py (same server,
   settings and wrk script), with the page measured beside it.

    .venv/bin/python -m bench.api        (BENCH_SIGNATURES, BENCH_SECONDS as for bench.pages)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import sqlalchemy as sa

from app.extensions import db
from app.models import Campaign, Organizer, Role, Scope
from app.services.api import keys
from app.services.signing.counting import recount
from bench.data import bench_app, build, load_confirmed_signatures
from bench.web import (
    CHORUS_PORT,
    bench_database,
    get_env,
    gunicorn,
    line,
    machine,
    peak_rss_kb,
    server_env,
    wrk,
)

SECONDS = int(os.environ.get("BENCH_SECONDS") or 20)
SIGNATURES = int(os.environ.get("BENCH_SIGNATURES") or 1_000_000)
CLIENTS = 32
PAGE = 10_000


def measure(rows: int, database_url: str, secret: str) -> dict:
    """Walk the signatures list up to `rows` rows in this process; its figures."""
    app = bench_app(database_url)
    with app.app_context():
        slug = db.session.scalar(sa.select(Campaign.slug).order_by(Campaign.id))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    url = f"/api/v1/campaigns/{slug}/signatures?limit={min(rows, PAGE)}"
    started = time.monotonic()
    seen = size = pages = 0
    while url and seen < rows:
        response = client.get(url, headers=headers, buffered=False)
        assert response.status_code == 200 and response.is_streamed
        tail = b""  # the client keeps nothing but the end, where the links are
        for chunk in response.iter_encoded():
            seen += chunk.count(b'"identifiers"')
            size += len(chunk)
            tail = (tail + chunk)[-4096:]
        response.close()
        pages += 1
        links = json.loads(tail[tail.rindex(b'"_links": ') + 10 : -1])
        url = links.get("next", {}).get("href", "").removeprefix(app.config["BASE_URL"])
    return {
        "rows": seen,
        "pages": pages,
        "megabytes": round(size / 1e6, 1),
        "seconds": round(time.monotonic() - started, 2),
        "peak_rss_mb": round(peak_rss_kb() / 1024, 1),
    }


def prepare(database_url: str) -> tuple[str, str]:
    """The campaign and its signatures, counted; an admin's read key. (slug, key)"""
    app, slug = build(database_url)
    seconds = load_confirmed_signatures(app, slug, SIGNATURES)
    with app.app_context():
        recount()
        admin = Organizer(email="bench@example.org", password_hash="x", role=Role.ADMIN)
        db.session.add(admin)
        db.session.commit()
        _, secret = keys.create_key("bench", [Scope.SUPPORTERS_READ], admin)
        db.engine.dispose()
    print(f"loaded {SIGNATURES:,} signatures in {seconds:.0f} s")
    return slug, secret


def main() -> None:
    print(f"== API: {SIGNATURES:,} confirmed signatures on {machine()}")
    with bench_database() as database_url:
        slug, secret = prepare(database_url)
        runs = {}
        for rows in (1_000, SIGNATURES):
            output = subprocess.run(
                [sys.executable, "-m", "bench.api", "--measure", str(rows), database_url, secret],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            runs[rows] = json.loads(output.strip().splitlines()[-1])
            print(json.dumps(runs[rows]))
        reports = {}
        # Beside bench.pages's port, so the two can run at once.
        port = CHORUS_PORT + 10
        with gunicorn("app:create_app()", port, server_env(database_url), f"/c/{slug}") as base:
            for label, path in [
                ("campaign page", f"/c/{slug}"),
                ("API campaign JSON", f"/api/v1/campaigns/{slug}"),
            ]:
                wrk(f"{base}{path}", CLIENTS, 3, "get.lua", get_env())
                reports[label] = wrk(f"{base}{path}", CLIENTS, SECONDS, "get.lua", get_env())
    small, full = runs[1_000], runs[SIGNATURES]
    assert full["rows"] == SIGNATURES, "every signature must be listed once"
    print(
        f"\nsignatures list: {full['rows']:,} rows in {full['pages']} pages "
        f"({full['megabytes']} MB) in {full['seconds']} s = "
        f"{full['rows'] / full['seconds']:,.0f} rows/s"
    )
    print(
        f"peak RSS: 1,000 rows {small['peak_rss_mb']} MB, {full['rows']:,} rows "
        f"{full['peak_rss_mb']} MB (+{full['peak_rss_mb'] - small['peak_rss_mb']:.1f} MB)"
    )
    for label, report in reports.items():
        print(line(f"{label} ({CLIENTS} clients)", report))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--measure":
        print(json.dumps(measure(int(sys.argv[2]), sys.argv[3], sys.argv[4])))
    else:
        main()
