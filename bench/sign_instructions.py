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


def count_one(app_name: str) -> None:
    """In the child process: warm up, then count COUNTED signatures."""
    if app_name == "chorus":
        from app import create_app

        app = create_app()
        environs = signed_requests(f"/c/{os.environ['BENCH_SLUG']}/sign", WARM_UP + COUNTED)
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


def instructions_per_signature(app_name: str, env: dict[str, str]) -> float:
    with tempfile.TemporaryDirectory() as scratch:
        result = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={scratch}/callgrind.out",
                sys.executable,
                "-m",
                "bench.sign_instructions",
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
    for name, label in APPS.items():
        print(f"{label:<30} {counted[name] / 1e6:6.2f} M instructions")
    print(
        f"  Chorus {counted['chorus'] / counted['bare']:.1f}x the bare baseline, "
        f"{counted['chorus'] / counted['checked']:.1f}x the same INSERT behind the checks"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1:
        count_one(sys.argv[1])
    else:
        main()
