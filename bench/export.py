"""Export benchmark: stream 1,000,000 signatures as CSV through the organizer's export
route and compare the process's peak memory with a bare baseline process.

    .venv/bin/python -m bench.export            (BENCH_EXPORT_ROWS=1000000 by default)

Each measurement runs in its own Python process, so its peak RSS (VmHWM) is its own:
- baseline: the app created, an organizer logged in, one page served; no export.
- stream:   GET /organizer/campaigns/<id>/exports/signatures.csv, every chunk read and
            counted as a browser download would, the body never kept.
- buffered: for contrast, the same rows fetched with .all() and written to one string,
            which is what an export that does not stream costs.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import sqlalchemy as sa
from argon2 import PasswordHasher

from app import clock
from app.extensions import db
from app.models import Campaign, Organizer, Role, Signature
from app.organizer import LOGGED_IN_AT
from bench.data import bench_app, build, load_confirmed_signatures
from bench.web import bench_database, machine, peak_rss_kb

ROWS = int(os.environ.get("BENCH_EXPORT_ROWS") or 1_000_000)
MODES = ("baseline", "stream", "buffered")


def measure(mode: str, database_url: str) -> dict:
    """Run one measurement in this process and return its figures."""
    app = bench_app(database_url)
    with app.app_context():
        campaign_id = db.session.scalar(sa.select(Campaign.id).order_by(Campaign.id))
        session_id = db.session.scalars(sa.select(Organizer)).first().get_id()
    client = app.test_client()
    # Logged in as the workspace's login does: the id with its session epoch, and the time.
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
        session[LOGGED_IN_AT] = clock.timestamp()
    assert client.get("/organizer/").status_code == 200
    started = time.monotonic()
    lines = size = 0
    if mode == "stream":
        # The download button: a POST with the exports page's CSRF token (each export is logged).
        page = client.get(f"/organizer/campaigns/{campaign_id}/exports").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        response = client.post(
            f"/organizer/campaigns/{campaign_id}/exports/signatures.csv",
            data={"csrf_token": token},
            buffered=False,
        )
        assert response.status_code == 200 and response.is_streamed
        for chunk in response.iter_encoded():
            lines += chunk.count(b"\n")
            size += len(chunk)
        response.close()
    elif mode == "buffered":
        with app.app_context():
            rows = db.session.execute(
                sa.select(Signature.__table__).where(Signature.campaign_id == campaign_id)
            ).all()
            body = "\n".join(",".join(str(v) for v in row) for row in rows)
            lines, size = len(rows), len(body)
    return {
        "mode": mode,
        "seconds": round(time.monotonic() - started, 2),
        "csv_lines": lines,
        "megabytes": round(size / 1e6, 1),
        "peak_rss_mb": round(peak_rss_kb() / 1024, 1),
    }


def prepare(database_url: str) -> None:
    """Schema, the first campaign, ROWS confirmed signatures and one organizer."""
    app, slug = build(database_url)
    seconds = load_confirmed_signatures(app, slug, ROWS)
    print(f"loaded {ROWS:,} signatures in {seconds:.1f}s")
    with app.app_context():
        db.session.add(
            Organizer(
                email="bench@example.org",
                password_hash=PasswordHasher().hash("bench-password-123"),
                role=Role.ORGANIZER,
            )
        )
        db.session.commit()
        db.engine.dispose()


def main() -> None:
    print(f"machine: {machine()}")
    with bench_database() as database_url:
        prepare(database_url)
        results = {}
        for mode in MODES:
            output = subprocess.run(
                [sys.executable, "-m", "bench.export", "--measure", mode, database_url],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            results[mode] = json.loads(output.strip().splitlines()[-1])
            print(json.dumps(results[mode]))
    stream, baseline = results["stream"], results["baseline"]
    assert stream["csv_lines"] == ROWS + 1, "the export must hold every row plus the header"
    extra = stream["peak_rss_mb"] - baseline["peak_rss_mb"]
    print(
        f"\nstreamed {ROWS:,} rows ({stream['megabytes']} MB of CSV) in {stream['seconds']}s "
        f"= {ROWS / stream['seconds']:,.0f} rows/s"
    )
    print(
        f"peak RSS: baseline {baseline['peak_rss_mb']} MB, stream {stream['peak_rss_mb']} MB "
        f"(+{extra:.1f} MB), buffered {results['buffered']['peak_rss_mb']} MB"
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2], sys.argv[3])))
    else:
        main()
