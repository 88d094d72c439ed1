"""Cost that grows with work: the campaign page (served by the app every time, with no
shared copy in front) and a signature, at 0, 100,000 and 1,000,000 confirmed signatures,
then with 10,000 public letters and 1,000 targets beside them; and what each signature
costs the database.

    .venv/bin/python -m bench.growth        (BENCH_GROWTH_REQUESTS=200 per measurement)

The web process's work is counted in instructions by callgrind at every step, as in
bench/page_instructions.py and bench/sign_instructions.py (BENCH_COUNTED requests each), so
a growth of 10% can be told from the machine's noise: the page as served (its rendered
copy kept), the page rendered anew, and a signature. The PostgreSQL backends' own CPU per
page and per signature is timed in-process (over BENCH_GROWTH_REQUESTS requests) and read
from /proc (pg_stat_statements needs
shared_preload_libraries, which a shared server does not have): a timing, so noisy. Beside
each signature: the statements it sent and the rows it wrote, with their index entries.
"""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import sqlalchemy as sa
from flask import Flask
from werkzeug.test import EnvironBuilder

from bench.sign_cpu import post, signed_requests
from bench.web import bench_database, machine, server_env, verdict

# Chorus reads its settings from the environment when first imported, as under gunicorn:
# its modules are imported in main(), once the bench database exists.

REQUESTS = int(os.environ.get("BENCH_GROWTH_REQUESTS") or 200)
WARM_UP = 50
# (label, signatures to reach, letters, targets)
STEPS = [
    ("0 signatures", 0, 0, 0),
    ("100,000 signatures", 100_000, 0, 0),
    ("1,000,000 signatures", 1_000_000, 0, 0),
    ("+ 10,000 letters, 1,000 targets", 1_000_000, 10_000, 1_000),
]
LABELS = {
    "page_instructions": "page as served, instructions",
    "miss_instructions": "page rendered anew, instructions",
    "sign_instructions": "sign, instructions",
    "page_database_ms": "page, PostgreSQL CPU (timed)",
    "database_ms": "sign, PostgreSQL CPU (timed)",
}
# Growth allowed across the range before a figure is flagged.
ALLOWED_GROWTH = 0.10


def add_letters_and_targets(app: Flask, slug: str, letters: int, targets: int) -> None:
    """Public, approved letters on the first confirmed signatures, and unrelated targets."""
    from app.extensions import db
    from app.models import Campaign, Letter, Moderation, Signature, Target
    from app.services.campaigns import page

    with app.app_context():
        campaign = db.session.scalar(sa.select(Campaign).where(Campaign.slug == slug))
        campaign.collects_comments = True
        signatures = db.session.scalars(
            sa.select(Signature.id).where(Signature.campaign_id == campaign.id).limit(letters)
        ).all()
        db.session.execute(
            sa.insert(Letter),
            [
                {
                    "signature_id": signature_id,
                    "campaign_id": campaign.id,
                    "subject": "Please vote for the bill",
                    "body": "I live in your district and this matters to my family. " * 4,
                    "public_comment": True,
                    "moderation": Moderation.APPROVED,
                }
                for signature_id in signatures
            ],
        )
        db.session.execute(
            sa.insert(Target),
            [
                {"kind": "house", "name": f"Member {i}", "state": "NY", "district": str(i)}
                for i in range(targets)
            ],
        )
        page.refresh(campaign.id)  # as moderation does: the comments show
        db.session.commit()
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def page_requests(slug: str, n: int) -> list[dict]:
    return [
        EnvironBuilder(path=f"/c/{slug}", headers={"X-Forwarded-For": "10.8.0.1"}).get_environ()
        for _ in range(n)
    ]


def serve(app, environs: list[dict], expected: str) -> None:
    """Answer every request in environs; each must answer `expected`."""
    for environ in environs:
        status = post(app, environ)
        if not status.startswith(expected):
            raise RuntimeError(f"answered {status}, expected {expected}")


def backend_cpu_seconds(app: Flask) -> float:
    """CPU seconds used so far by the PostgreSQL backends serving the bench database."""
    from app.extensions import db

    with app.app_context():
        pids = db.session.scalars(
            # Client backends only: autovacuum works on its own schedule, not per request.
            sa.text(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND backend_type = 'client backend'"
            )
        ).all()
        db.session.rollback()
    nanoseconds = 0
    for pid in pids:
        # schedstat's first field is the time on CPU in ns (stat's ticks are 10 ms, too
        # coarse for a fraction of a millisecond per signature).
        try:
            nanoseconds += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
        except OSError:  # ended meanwhile, or PostgreSQL runs elsewhere
            continue
    return nanoseconds / 1e9


def rows_and_index_entries(app: Flask) -> tuple[int, int]:
    """Rows in the tables a signature writes, and the index entries they carry."""
    from app.extensions import db

    with app.app_context():
        rows = entries = 0
        for table in ("signatures", "deliveries"):
            n = db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))
            indexes = db.session.scalar(
                sa.text("SELECT count(*) FROM pg_indexes WHERE tablename = :t"), {"t": table}
            )
            rows += n
            entries += n * indexes
        db.session.rollback()
    return rows, entries


def measure_step(chorus: Flask, probe: Flask, slug: str, step: int) -> dict:
    """The database's CPU per page and per signature, and what a signature writes."""
    from app.extensions import db

    pages = page_requests(slug, REQUESTS + WARM_UP)
    database_before = backend_cpu_seconds(probe)
    serve(chorus, pages, "200")
    page_database_cpu = backend_cpu_seconds(probe) - database_before
    environs = signed_requests(f"/c/{slug}/sign", REQUESTS + WARM_UP, f"growth{step}-")
    statements = []

    class CountingCursor(psycopg.Cursor):
        """Counts what reaches the driver, through SQLAlchemy or around it (the signing
        statement goes to the driver directly: database.execute_alone)."""

        def execute(self, query, *args, **kwargs):
            statements.append(query)
            return super().execute(query, *args, **kwargs)

    def count_on(connection, _record) -> None:
        connection.cursor_factory = CountingCursor

    with chorus.app_context():
        engine = db.engine
    engine.dispose()  # every connection from here on is a new, counting one
    sa.event.listen(engine, "connect", count_on)
    rows_before, entries_before = rows_and_index_entries(probe)
    database_before = backend_cpu_seconds(probe)
    serve(chorus, environs, "302")
    database_cpu = backend_cpu_seconds(probe) - database_before
    rows_after, entries_after = rows_and_index_entries(probe)
    sa.event.remove(engine, "connect", count_on)
    engine.dispose()
    signed = len(environs)
    return {
        "page_database_ms": page_database_cpu * 1000 / len(pages),
        "statements": len(statements) / signed,
        "rows": (rows_after - rows_before) / signed,
        "entries": (entries_after - entries_before) / signed,
        "database_ms": database_cpu * 1000 / signed,
    }


def counted_instructions(database_url: str, slug: str, step: int) -> dict[str, float]:
    """Instructions per page (kept and rendered anew) and per signature, by callgrind."""
    from bench.page_instructions import page_instructions
    from bench.sign_instructions import instructions_per_request

    pages = page_instructions(database_url, slug, ("page", "miss"))
    env = {
        **server_env(database_url, REDIS_URL=""),
        "BENCH_SLUG": slug,
        "BENCH_EMAIL_PREFIX": f"growth{step}-counted-",
    }
    return {
        "page_instructions": pages["page"],
        "miss_instructions": pages["miss"],
        "sign_instructions": instructions_per_request("bench.sign_instructions", "chorus", env),
    }


def main() -> None:
    print(f"== cost that grows with work: {REQUESTS} requests per figure on {machine()}")
    results = {}
    with bench_database() as database_url:
        os.environ.update(server_env(database_url, REDIS_URL="", PAGE_CACHE_SECONDS="0"))
        from app import create_app
        from app.extensions import db
        from app.services.signing.counting import recount
        from bench.data import build, load_confirmed_signatures

        probe, slug = build(database_url)
        chorus = create_app()
        loaded = 0
        for n, (label, signatures, letters, targets) in enumerate(STEPS):
            if signatures > loaded:
                load_confirmed_signatures(probe, slug, signatures - loaded, first=loaded + 1)
                loaded = signatures
                with probe.app_context():
                    recount()
            if letters or targets:
                add_letters_and_targets(probe, slug, letters, targets)
            results[label] = measure_step(chorus, probe, slug, n)
            results[label].update(counted_instructions(database_url, slug, n))
        for app in (chorus, probe):
            with app.app_context():
                db.engine.dispose()
    print(f"{'':<34}{'page: kept':>12}{'anew':>10}{'PostgreSQL':>12}{'sign':>10}{'PostgreSQL':>12}")
    for label, r in results.items():
        print(
            f"{label:<34}{r['page_instructions'] / 1e6:>10.2f} M"
            f"{r['miss_instructions'] / 1e6:>8.2f} M"
            f"{r['page_database_ms']:>9.2f} ms{r['sign_instructions'] / 1e6:>8.2f} M"
            f"{r['database_ms']:>9.2f} ms"
        )
    print("per signature:")
    for label, r in results.items():
        print(
            f"  {label:<32} {r['statements']:.1f} statements, {r['rows']:.1f} rows and "
            f"{r['entries']:.1f} index entries written (partial indexes counted as written)"
        )
    for figure in LABELS:
        values = [r[figure] for r in results.values()]
        growth = values[-1] / values[0] - 1
        spread = max(values) / min(values) - 1
        print(
            f"  {LABELS[figure]}: {growth:+.0%} from first to last, {spread:.0%} between "
            f"extremes (target <= {ALLOWED_GROWTH:.0%}: {verdict(spread <= ALLOWED_GROWTH)})"
        )
    print(
        "  (with no signatures the page lists no recent signers; from 100,000 on it lists "
        "8, and with the letters 20 comments too: the page rendered anew shows more)"
    )


if __name__ == "__main__":
    main()
