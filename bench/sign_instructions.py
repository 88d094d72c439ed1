"""Instructions per signature: the in-process CPU comparison of bench/sign_cpu.py, counted
by valgrind's callgrind instead of timed, so it repeats to within about 1% on a shared VM
whose CPU time per request swings by half between runs.

    .venv/bin/python -m bench.sign_instructions   (BENCH_COUNTED=100 signatures per app)

Each app runs in its own Python process under `valgrind --tool=callgrind`, which counts
only while the measured requests run (switched on and off with callgrind_control). What
is counted is the web process's own user-space work, not PostgreSQL's, Redis's or the
kernel's. Chorus runs without a Celery broker: its wake-up is one publish per burst
(CoalescedWakeUp), which callgrind's 50-fold slowdown would turn into one per signature.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile

from bench.data import build
from bench.sign_cpu import WARM_UP, baseline_requests, post, signed_requests
from bench.web import bench_database, machine, server_env

COUNTED = int(os.environ.get("BENCH_COUNTED") or 100)
APPS = {
    "chorus": "Chorus sign",
    "bare": "bare INSERT baseline",
    "checked": "bare INSERT behind the checks",
}
# Chorus's signature in pieces, each counted on its own over the same requests. "stack" is
# a POST through every middleware and hook to a view that only redirects; the others run
# inside a pushed request context, whose own cost ("context") is taken off them.
PIECES = {
    "stack": "request through the stack, empty view",
    "context": "request context push and pop",
    "form": "sign form checked (SignSubmission)",
    "ratelimit": "rate-limit counts (one Redis call)",
    "zip": "ZIP look-up (cached in process)",
    "statement": "the signing statement (signatures.sign)",
    "locale": "the signer's language (request_locale)",
    "page": "the signer's page token (awaiting.page_token)",
}


def count_one(app_name: str) -> None:
    """In the child process: warm up, then count COUNTED signatures."""
    if app_name in PIECES:
        return count_piece(app_name)
    if app_name == "chorus":
        from app import create_app

        app = create_app()
        # Each run its own addresses: bench.growth signs again at every step.
        prefix = os.environ.get("BENCH_EMAIL_PREFIX", "cpu")
        environs = signed_requests(f"/c/{os.environ['BENCH_SLUG']}/sign", WARM_UP + COUNTED, prefix)
    elif app_name == "checked":
        from bench.baseline import checked as app

        environs = signed_requests("/sign", WARM_UP + COUNTED)
    else:
        from bench.baseline import app

        environs = baseline_requests(WARM_UP + COUNTED)
    for environ in environs[:WARM_UP]:
        post(app, environ)
    pid = str(os.getpid())
    subprocess.run(["callgrind_control", "--instr=on", pid], check=True, capture_output=True)
    statuses = [post(app, environ) for environ in environs[WARM_UP:]]
    subprocess.run(["callgrind_control", "--instr=off", pid], check=True, capture_output=True)
    wrong = {status for status in statuses if not status.startswith("302")}
    if wrong:
        raise SystemExit(f"{app_name} answered {wrong}")


def count_piece(piece: str) -> None:
    """In the child process: warm up, then count one piece of COUNTED Chorus signatures."""
    from flask import redirect

    from app import create_app
    from app.extensions import csrf
    from app.i18n import request_locale
    from app.public.forms import SignSubmission
    from app.ratelimits import client_ip, count_submission
    from app.services.letters.places import locate_zip
    from app.services.signing import awaiting, signatures

    app = create_app()

    def bench_empty():
        return redirect("/")

    # CSRF-exempt, as the public blueprint is.
    app.add_url_rule("/bench-empty", view_func=csrf.exempt(bench_empty), methods=["POST"])
    path = "/bench-empty" if piece == "stack" else f"/c/{os.environ['BENCH_SLUG']}/sign"
    environs = signed_requests(path, WARM_UP + COUNTED)

    def run(environ: dict) -> None:
        if piece == "stack":
            post(app, environ)
            return
        with app.request_context(environ):
            if piece == "form":
                SignSubmission()
            elif piece == "ratelimit":
                count_submission(environ["bench.email"])
            elif piece == "zip":
                locate_zip("10001")
            elif piece == "locale":
                request_locale()
            elif piece in ("statement", "page"):
                signature = signatures.SignatureRequest(
                    name="Bench Signer",
                    email=environ["bench.email"],
                    place=locate_zip("10001"),
                    show_publicly=True,
                    ip=client_ip(),
                )
                slug = os.environ["BENCH_SLUG"]
                if piece == "statement":
                    signatures.sign(slug, signature)
                else:
                    awaiting.page_token(
                        slug, signature.email, signature, signatures.Signed(1, True)
                    )

    for i, environ in enumerate(environs):
        environ["bench.email"] = f"piece{i}@bench.example"
    for environ in environs[:WARM_UP]:
        run(environ)
    pid = str(os.getpid())
    subprocess.run(["callgrind_control", "--instr=on", pid], check=True, capture_output=True)
    for environ in environs[WARM_UP:]:
        run(environ)
    subprocess.run(["callgrind_control", "--instr=off", pid], check=True, capture_output=True)


def instructions_per_signature(app_name: str, env: dict[str, str]) -> float:
    return instructions_per_request("bench.sign_instructions", app_name, env)


def instructions_per_request(module: str, app_name: str, env: dict[str, str]) -> float:
    """Run `python -m module app_name` under callgrind; its instructions / COUNTED."""
    with tempfile.TemporaryDirectory() as scratch:
        result = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={scratch}/callgrind.out",
                sys.executable,
                "-m",
                module,
                app_name,
            ],
            env=env,
            capture_output=True,
            text=True,
        )
    collected = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode or not collected:
        raise RuntimeError(f"{app_name} under callgrind failed:\n{result.stderr[-3000:]}")
    return int(collected.group(1)) / COUNTED


def main() -> None:
    if not shutil.which("valgrind"):
        raise SystemExit("bench.sign_instructions needs valgrind: apt-get install valgrind")
    print(f"== instructions per signature (callgrind), {COUNTED} per app, on {machine()}")
    with bench_database() as database_url:
        _, slug = build(database_url)
        # No broker for Chorus (see the docstring); rate limits still count in Redis.
        env = {**server_env(database_url, REDIS_URL=""), "BENCH_SLUG": slug}
        counted = {name: instructions_per_signature(name, env) for name in APPS}
        pieces = {name: instructions_per_signature(name, env) for name in PIECES}
    for name, label in APPS.items():
        print(f"{label:<30} {counted[name] / 1e6:6.2f} M instructions")
    print(
        f"  Chorus {counted['chorus'] / counted['bare']:.1f}x the bare baseline, "
        f"{counted['chorus'] / counted['checked']:.1f}x the same INSERT behind the checks"
    )
    print("Chorus's signature by piece (each counted alone; the view's own glue is the rest):")
    for name, label in PIECES.items():
        alone = pieces[name] - (pieces["context"] if name not in ("stack", "context") else 0)
        print(f"  {label:<42} {alone / 1e6:6.2f} M")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        count_one(sys.argv[1])
    else:
        main()
