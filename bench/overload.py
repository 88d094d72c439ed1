"""Overload benchmark: find the concurrency at which signing saturates, then sign with four
times that many clients for 30 s, Chorus and the bare baseline alike.

    .venv/bin/python -m bench.overload       (BENCH_OVERLOAD_SECONDS=30 by default)

Checked: no 5xx other than 503 with Retry-After, no accepted signature lost, and how long
after the flood ends a lone signer is served normally again (target: within 5 s).
"""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.parse
import urllib.request

from app.extensions import db
from bench.data import build, signature_rows
from bench.web import (
    BASELINE_PORT,
    CHORUS_PORT,
    accepted,
    bench_database,
    browser_headers,
    gunicorn,
    line,
    machine,
    server_env,
    sign_env,
    verdict,
    wrk,
)

SECONDS = int(os.environ.get("BENCH_OVERLOAD_SECONDS") or 30)
PROBES = (8, 16, 32, 64)
# A signer is served "normally" again when three signatures in a row succeed this fast.
NORMAL_SECONDS = 0.5


def saturating_concurrency(url: str) -> tuple[int, dict[int, float]]:
    """The fewest clients that get within 5% of the best throughput seen."""
    rates = {c: wrk(url, c, 5, "sign.lua", sign_env(f"probe{c}"))["rps"] for c in PROBES}
    best = max(rates.values())
    return min(c for c, rate in rates.items() if rate >= 0.95 * best), rates


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def seconds_to_recover(url: str, limit: float = 60) -> float:
    """Sign once every 100 ms from the moment the flood ends until signing is normal again."""
    headers = browser_headers(url.split("/c/", 1)[0])
    opener = urllib.request.build_opener(_NoRedirect)
    started = time.monotonic()
    streak_began, streak, n = None, 0, 0
    while time.monotonic() - started < limit:
        n += 1
        body = urllib.parse.urlencode(
            {
                "name": "Probe",
                "email": f"recovery{n}@bench.example",
                "zip": "10001",
            }
        ).encode()
        request = urllib.request.Request(url, data=body, headers=headers)
        sent = time.monotonic()
        try:
            status = opener.open(request, timeout=10).status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = 0
        fast = status in (200, 302) and time.monotonic() - sent < NORMAL_SECONDS
        if fast:
            streak_began = sent if streak == 0 else streak_began
            streak += 1
            if streak == 3:
                return streak_began - started
        else:
            streak = 0
        time.sleep(0.1)
    return float("inf")


def flood(url: str, clients: int, run: str) -> tuple[dict, float]:
    report = wrk(url, clients, SECONDS, "sign.lua", sign_env(run))
    return report, seconds_to_recover(url)


def judge(label: str, report: dict, recovery: float, rows: int | None, clients: int) -> None:
    print(line(label, report))
    bad = {s: n for s, n in report["statuses"].items() if s >= 500 and s != 503}
    print(
        f"  5xx other than 503: {bad or 'none'} ({verdict(not bad)}); "
        f"503 without Retry-After: {report['missing_retry_after']} "
        f"({verdict(report['missing_retry_after'] == 0)}); "
        f"503s: {report['statuses'].get(503, 0)}; client timeouts: "
        f"{report['errors']['timeout']}"
    )
    if rows is not None:
        ok = accepted(report)
        # Requests in flight when wrk stopped (at most one per client) may be stored unseen.
        lost = rows < ok
        print(
            f"  {ok} accepted, {rows} stored (<= {clients} in flight at the end): "
            f"{'LOST SIGNATURES' if lost else 'none lost'} ({verdict(not lost)})"
        )
    print(f"  recovered in {recovery:.1f} s (target <= 5 s: {verdict(recovery <= 5)})")


def main() -> None:
    print(f"== overload: 4x the saturating concurrency for {SECONDS} s on {machine()}")
    with bench_database() as database_url:
        app, slug = build(database_url)
        env = server_env(database_url)
        with gunicorn("app:create_app()", CHORUS_PORT, env, f"/c/{slug}/count.json") as base:
            url = f"{base}/c/{slug}/sign"
            saturating, rates = saturating_concurrency(url)
            clients = 4 * saturating
            probes = ", ".join(f"{c}: {r:.0f}/s" for c, r in rates.items())
            print(
                f"signing throughput by clients ({probes}): saturates at {saturating}; "
                f"flooding with {clients}"
            )
            report, recovery = flood(url, clients, "flood")
        rows = signature_rows(app, "flood-%")
        judge(f"Chorus sign, {clients} clients", report, recovery, rows, clients)
        with gunicorn("bench.baseline:app", BASELINE_PORT, env, "/page") as base:
            bare, bare_recovery = flood(f"{base}/sign", clients, "bare-flood")
        judge(f"bare INSERT baseline, {clients} clients", bare, bare_recovery, None, clients)
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
