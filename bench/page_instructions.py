"""Instructions per campaign page rendered on every request (PAGE_CACHE_SECONDS=0), whole
and piece by piece, against the bare template app; counted by callgrind as in
bench/sign_instructions.py, so the figures repeat however busy the machine is.

    .venv/bin/python -m bench.page_instructions   (BENCH_COUNTED=100 pages per figure)

The campaign has BENCH_PAGE_SIGNATURES confirmed signatures (default 1,000: what the web
process does per page does not depend on how many rows PostgreSQL holds; bench/growth.py
shows that), so the page lists its recent signers.
"""

from __future__ import annotations

import os
import shutil
import sys

from werkzeug.test import EnvironBuilder

from bench.sign_cpu import post
from bench.sign_instructions import COUNTED, instructions_per_request
from bench.web import bench_database, machine, server_env

SIGNATURES = int(os.environ.get("BENCH_PAGE_SIGNATURES") or 1000)
WARM_UP = 50
# Each counted alone over COUNTED pages; all but "page", "bare" and "stack" inside a pushed
# request context, whose own cost ("context") is taken off them.
PIECES = {
    "page": "Chorus campaign page, whole request",
    "bare": "bare template app, whole request",
    "stack": "request through the stack, empty view",
    "context": "request context push and pop",
    "campaign": "the campaign's row (public_campaign)",
    "signers": "recent signers query",
    "responses": "published responses query",
    "comments": "public comments query",
    "milestones": "milestones query",
    "template": "rendering campaign.html",
}


def count_piece(piece: str) -> None:
    """In the child process: warm up, then count COUNTED runs of one piece."""
    import subprocess

    from flask import render_template

    from app import create_app
    from app.public.forms import SignForm
    from app.public.routes import public_campaign
    from app.services.campaigns import page

    slug = os.environ["BENCH_SLUG"]
    if piece == "bare":
        from bench.baseline import app
    else:
        app = create_app()

        def bench_empty():
            return "", 200

        app.add_url_rule("/bench-empty", view_func=bench_empty)
    path = {"bare": "/page", "stack": "/bench-empty"}.get(piece, f"/c/{slug}")
    environ = EnvironBuilder(path=path, headers={"X-Forwarded-For": "10.7.0.1"}).get_environ()
    queries = {
        "signers": page.recent_public_signers,
        "responses": page.published_responses,
        "comments": page.public_comments,
        "milestones": page.milestones_of,
    }

    def run() -> None:
        if piece in ("page", "bare", "stack"):
            status = post(app, dict(environ))
            if not status.startswith("200"):
                raise SystemExit(f"{piece} answered {status}")
            return
        with app.request_context(dict(environ)):
            if piece == "campaign":
                public_campaign(slug)
            elif piece in queries:
                queries[piece](public_campaign(slug))
            elif piece == "template":
                context = page.campaign_page(public_campaign(slug))
                render_template("campaign.html", **context, form=SignForm())

    for _ in range(WARM_UP):
        run()
    pid = str(os.getpid())
    subprocess.run(["callgrind_control", "--instr=on", pid], check=True, capture_output=True)
    for _ in range(COUNTED):
        run()
    subprocess.run(["callgrind_control", "--instr=off", pid], check=True, capture_output=True)


def main() -> None:
    if not shutil.which("valgrind"):
        raise SystemExit("bench.page_instructions needs valgrind: apt-get install valgrind")
    print(f"== instructions per campaign page (callgrind), {COUNTED} per figure, on {machine()}")
    from bench.data import build, load_confirmed_signatures

    with bench_database() as database_url:
        app, slug = build(database_url)
        load_confirmed_signatures(app, slug, SIGNATURES)
        env = {
            **server_env(database_url, REDIS_URL="", PAGE_CACHE_SECONDS="0"),
            "BENCH_SLUG": slug,
        }
        counted = {
            name: instructions_per_request("bench.page_instructions", name, env) for name in PIECES
        }
    # The pieces that need the campaign's row also count that query: take it off them.
    shared = {"signers", "responses", "comments", "milestones", "template"}
    for name, label in PIECES.items():
        alone = counted[name]
        if name not in ("page", "bare", "stack", "context"):
            alone -= counted["context"]
        if name in shared:
            alone -= counted["campaign"] - counted["context"]
        if name == "template":
            alone -= sum(counted[q] - counted["campaign"] for q in shared - {"template"})
        print(f"{label:<42} {alone / 1e6:6.2f} M instructions")
    print(f"  the page costs {counted['page'] / counted['bare']:.1f}x the bare template app")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        count_piece(sys.argv[1])
    else:
        main()
