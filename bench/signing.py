"""Signing benchmark: sustained signatures per second at 16 and 64 concurrent clients,
Chorus against the bare one-INSERT baseline, then a correctness check of what was stored.
For reference it also runs the same INSERT behind the checks the decided stack makes any
sign view do (bench/baseline.py's `checked`), which splits the gap into the stack's share
and Chorus's own.

    .venv/bin/python -m bench.signing   (BENCH_ROUNDS=3 runs of BENCH_SECONDS=8 by default)

Each request signs with a unique email, as a browser sends the form (`Sec-Fetch-Site` and
`Origin`, no cookie), and its own client IP (as a proxy would pass it). During the exact
check a thread confirms pending signatures and runs the counting job, as workers would, so
that the final counts can be checked against an exact recount.
"""

from __future__ import annotations

import http.client
import os
import threading
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.models import Campaign, CampaignTally, Delivery, Signature, SignatureStatus
from app.services.signing.counting import count_signatures, exact_counts
from bench.data import build, signature_rows
from bench.web import (
    BASELINE_PORT,
    CHECKED_PORT,
    CHORUS_PORT,
    HOST,
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

SECONDS = int(os.environ.get("BENCH_SECONDS") or 8)
ROUNDS = int(os.environ.get("BENCH_ROUNDS") or 3)
CONCURRENCY = (16, 64)
# The exact check: this many clients each sign this many times, remembering every answer.
CHECK_CLIENTS, CHECK_EACH = 32, 40


def signed_by_each_answer(base: str, slug: str) -> dict[str, int]:
    """Sign from CHECK_CLIENTS threads at once; return each email's HTTP status."""
    answers: dict[str, int] = {}

    def client(n: int) -> None:
        connection = http.client.HTTPConnection(HOST, int(base.rsplit(":", 1)[1]), timeout=30)
        for i in range(CHECK_EACH):
            email = f"exact-{n}-{i}@bench.example"
            body = urllib.parse.urlencode({"name": "Exact Check", "email": email, "zip": "10001"})
            headers = {**browser_headers(base), "X-Forwarded-For": f"10.200.{n}.{i + 1}"}
            try:
                connection.request("POST", f"/c/{slug}/sign", body, headers)
                response = connection.getresponse()
                response.read()
                answers[email] = response.status
            except OSError:
                answers[email] = 0
                connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CHECK_CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def check_answers(app: Flask, answers: dict[str, int]) -> list[str]:
    """Every 302 has exactly one signature row, and no other answer left one."""
    with app.app_context():
        stored = Counter(
            db.session.scalars(sa.select(Signature.email).where(Signature.email.like("exact-%")))
        )
    problems = [
        f"{email}: answered {status}, {stored[email]} rows"
        for email, status in answers.items()
        if stored[email] != (1 if status == 302 else 0)
    ]
    return problems[:5] + ([f"... {len(problems)} in all"] if len(problems) > 5 else [])


@contextmanager
def confirming_and_counting(app: Flask) -> Iterator[None]:
    """Confirm pending signatures and fold them into the counts every half second."""
    stop = threading.Event()

    def loop() -> None:
        with app.app_context():
            while not stop.wait(0.5):
                db.session.execute(
                    sa.update(Signature)
                    .where(
                        Signature.id.in_(
                            sa.select(Signature.id)
                            .where(Signature.status == SignatureStatus.PENDING)
                            .limit(2000)
                        )
                    )
                    .values(status=SignatureStatus.CONFIRMED, confirmed_at=sa.func.now())
                )
                db.session.commit()
                count_signatures()

    thread = threading.Thread(target=loop, name="bench-confirm-count")
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def check_counts(app: Flask, slug: str) -> list[str]:
    """Problems found comparing the stored counts with an exact recount (none is good)."""
    problems = []
    with app.app_context():
        count_signatures()
        campaign = db.session.scalar(sa.select(Campaign).where(Campaign.slug == slug))
        exact, _ = exact_counts(campaign)
        if campaign.signature_count != exact:
            problems.append(f"campaign count {campaign.signature_count} != exact {exact}")
        tallies = {
            (state, district): n
            for state, district, n in db.session.execute(
                sa.select(CampaignTally.state, CampaignTally.district, CampaignTally.count).where(
                    CampaignTally.campaign_id == campaign.id, CampaignTally.count != 0
                )
            )
        }
        recount = {
            (state, district): n
            for state, district, n in db.session.execute(
                sa.select(Signature.state, Signature.district, sa.func.count())
                .where(
                    Signature.campaign_id == campaign.id,
                    Signature.status == SignatureStatus.CONFIRMED,
                )
                .group_by(Signature.state, Signature.district)
            )
        }
        if tallies != recount:
            problems.append(f"district tallies differ from a recount: {tallies} vs {recount}")
        unmatched = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Signature)
            .where(~sa.exists().where(Delivery.signature_id == Signature.id))
        )
        if unmatched:
            problems.append(f"{unmatched} signatures without their confirmation email")
    return problems


def measure(app: Flask, slug: str, env: dict[str, str]) -> tuple[dict, list[str]]:
    """Serve Chorus and both baselines at once and run ROUNDS rounds at each concurrency,
    taking the three in turn; then the exact check on Chorus. Return the reports by server
    and concurrency (one per round) and the problems found in what Chorus stored."""
    with ExitStack() as servers:
        chorus = servers.enter_context(
            gunicorn("app:create_app()", CHORUS_PORT, env, f"/c/{slug}/count.json")
        )
        bare = servers.enter_context(gunicorn("bench.baseline:app", BASELINE_PORT, env, "/page"))
        checked = servers.enter_context(
            gunicorn("bench.baseline:checked", CHECKED_PORT, env, "/page")
        )
        targets = {
            "chorus": f"{chorus}/c/{slug}/sign",
            "bare": f"{bare}/sign",
            "checked": f"{checked}/sign",
        }
        runs = []  # Chorus's runs: (name, report, clients), for the row check
        for name, url in targets.items():
            warm = wrk(url, 16, 3, "sign.lua", sign_env(f"{name}-warm"))
            runs.append((f"{name}-warm", warm, 16))
        # Taking the servers in turn, round after round, makes a machine that speeds up or
        # slows down during the run (a shared VM does) weigh on all three alike.
        reports = {name: {c: [] for c in CONCURRENCY} for name in targets}
        for c in CONCURRENCY:
            for round_ in range(ROUNDS):
                for name, url in targets.items():
                    run = f"{name}{c}r{round_}"
                    report = wrk(url, c, SECONDS, "sign.lua", sign_env(run))
                    reports[name][c].append(report)
                    runs.append((run, report, c))
        # The exact check runs while signatures are confirmed and counted, as workers would.
        with confirming_and_counting(app):
            answers = signed_by_each_answer(chorus, slug)
    problems = check_answers(app, answers)
    print(
        f"exact check: {len(answers)} signatures from {CHECK_CLIENTS} clients at once, "
        f"answers {dict(Counter(answers.values()))}"
    )
    for run, report, clients in runs:
        if not run.startswith("chorus"):
            continue
        rows = signature_rows(app, f"{run}-%")
        ok = accepted(report)
        # wrk does not count answers still in flight when it stops (one per client at most)
        # or that timed out, though the server may have stored those: never fewer rows.
        if not ok <= rows <= ok + clients + report["errors"]["timeout"]:
            problems.append(f"{run}: {ok} accepted responses but {rows} signature rows")
    problems += check_counts(app, slug)
    return reports, problems


def median_run(reports: list[dict]) -> dict:
    """The round with the median throughput (its latencies are printed with it)."""
    return sorted(reports, key=lambda report: report["rps"])[len(reports) // 2]


def rounds(reports: list[dict]) -> str:
    return "rounds " + ", ".join(f"{report['rps']:.0f}" for report in reports) + "/s"


def main() -> None:
    print(
        f"== signing: {ROUNDS} rounds of {SECONDS} s per server and concurrency, "
        f"servers in turn, on {machine()}"
    )
    with bench_database() as database_url:
        app, slug = build(database_url)
        reports, problems = measure(app, slug, server_env(database_url))
        with app.app_context():
            db.engine.dispose()
    for c in CONCURRENCY:
        chorus, bare, checked = (median_run(reports[name][c]) for name in reports)
        print(line(f"Chorus sign, {c} clients", chorus), "  " + rounds(reports["chorus"][c]))
        print(line(f"bare INSERT baseline, {c} clients", bare), "  " + rounds(reports["bare"][c]))
        ratio = chorus["rps"] / bare["rps"]
        print(
            f"  ratio {ratio:.2f} of the medians (target >= 0.6: {verdict(ratio >= 0.6)}); "
            f"{chorus['rps']:.0f}/s (target >= 300/s: {verdict(chorus['rps'] >= 300)})"
        )
        # Not a target: what the stack's own checks leave of the bare baseline, no Chorus code.
        print(
            line(f"bare INSERT behind the checks, {c}", checked),
            "  " + rounds(reports["checked"][c]),
        )
        print(f"  the checks alone: ratio {checked['rps'] / bare['rps']:.2f} of the medians")
    print(
        "correctness: "
        + (
            "every accepted signature stored exactly once, nothing else stored; "
            "counts equal an exact recount"
            if not problems
            else "; ".join(problems)
        )
    )


if __name__ == "__main__":
    main()
