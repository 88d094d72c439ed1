"""Instructions per campaign page served by the app on every request (PAGE_CACHE_SECONDS=0:
no shared copy in front), whole and piece by piece, against the bare template app; counted
by callgrind as in bench/sign_instructions.py, so the figures repeat however busy the
machine is.

    .venv/bin/python -m bench.page_instructions   (BENCH_COUNTED=100 pages per figure)

"page" is the steady state: one read, and the rendered copy kept for that key
(app/public/page.py). "miss" renders anew on every request, as after every change of what
the page shows. The campaign has BENCH_PAGE_SIGNATURES confirmed, counted signatures
(default 1,000: what the web process does per page does not depend on how many rows
PostgreSQL holds; bench/growth.py shows that), so the page lists its recent signers.
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
# Each counted alone over COUNTED pages. "page", "page_es", "miss", "bare" and "stack" are
# whole requests; the others run inside a pushed request context, whose own cost
# ("context") is taken off them, and "lookup" and "template" also need the page's read
# ("read"), which is taken off them too.
PIECES = {
    "page": "Chorus campaign page, whole request",
    "page_es": "the same page in Spanish (/es/)",
    "miss": "the same, rendered anew every time",
    "bare": "bare template app, whole request",
    "stack": "request through the stack, empty view",
    "context": "request context push and pop",
    "read": "the page's version (1 query of 8 columns)",
    "lookup": "the rendered page's key and look-up",
    "template": "loading the page and rendering it (new key)",
}
WHOLE = ("page", "page_es", "miss", "bare", "stack")
AFTER_READ = ("lookup", "template")


def count_piece(piece: str) -> None:
    """In the child process: warm up, then count COUNTED runs of one piece."""
    import subprocess

    from flask import render_template

    from app import create_app
    from app.extensions import db
    from app.models import Campaign
    from app.public.forms import SignForm
    from app.public.page import campaign_response
    from app.services.campaigns import page

    slug = os.environ["BENCH_SLUG"]
    if piece == "bare":
        from bench.baseline import app
    else:
        app = create_app()

        def bench_empty():
            return "", 200

        app.add_url_rule("/bench-empty", view_func=bench_empty)
    path = {"bare": "/page", "stack": "/bench-empty", "page_es": f"/es/c/{slug}"}.get(
        piece, f"/c/{slug}"
    )
    environ = EnvironBuilder(path=path, headers={"X-Forwarded-For": "10.7.0.1"}).get_environ()

    def run() -> None:
        if piece in WHOLE:
            if piece == "miss":
                app.extensions.pop("chorus_rendered_pages", None)
            status = post(app, dict(environ))
            if not status.startswith("200"):
                raise SystemExit(f"{piece} answered {status}")
            return
        with app.request_context(dict(environ)):
            if piece == "read":
                page.version_of(slug)
            elif piece == "lookup":
                campaign_response(page.version_of(slug))
            elif piece == "template":
                campaign = db.session.get(Campaign, page.version_of(slug).campaign_id)
                context = page.campaign_page(campaign, page.snapshot_of(campaign))
                render_template("campaign.html", **context, form=SignForm(), preview=False)

    for _ in range(WARM_UP):
        run()
    pid = str(os.getpid())
    subprocess.run(["callgrind_control", "--instr=on", pid], check=True, capture_output=True)
    for _ in range(COUNTED):
        run()
    subprocess.run(["callgrind_control", "--instr=off", pid], check=True, capture_output=True)


def page_instructions(database_url: str, slug: str, pieces) -> dict[str, float]:
    """Instructions per request of each piece against the bench database (also used by
    bench/growth.py at each of its steps)."""
    env = {
        **server_env(database_url, REDIS_URL="", PAGE_CACHE_SECONDS="0"),
        "BENCH_SLUG": slug,
    }
    return {name: instructions_per_request("bench.page_instructions", name, env) for name in pieces}


def main() -> None:
    if not shutil.which("valgrind"):
        raise SystemExit("bench.page_instructions needs valgrind: apt-get install valgrind")
    print(f"== instructions per campaign page (callgrind), {COUNTED} per figure, on {machine()}")
    from app.services.signing.counting import recount
    from bench.data import build, load_confirmed_signatures

    with bench_database() as database_url:
        app, slug = build(database_url)
        load_confirmed_signatures(app, slug, SIGNATURES)
        with app.app_context():
            recount()  # counts them and writes the page's snapshot
        counted = page_instructions(database_url, slug, PIECES)
    for name, label in PIECES.items():
        alone = counted[name]
        if name not in WHOLE and name != "context":
            alone -= counted["context"]
        if name in AFTER_READ:
            alone -= counted["read"] - counted["context"]
        print(f"{label:<46} {alone / 1e6:6.2f} M instructions")
    print(
        f"  the page costs {counted['page'] / counted['bare']:.1f}x the bare template app, "
        f"{counted['miss'] / counted['bare']:.1f}x when rendered anew"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1:
        count_piece(sys.argv[1])
    else:
        main()
