"""In-process CPU per signature: Chorus's WSGI app against the bare baseline's, one thread,
no HTTP server, against the same PostgreSQL and Redis as the other benchmarks.

    .venv/bin/python -m bench.sign_cpu       (BENCH_SIGNATURES=3000 by default)

The web benchmarks measure throughput with everything sharing the cores; this isolates
what one signature costs the web tier itself, which is what the code can change.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from flask import Flask
from werkzeug.test import EnvironBuilder

from bench.web import bench_database, machine, server_env

SIGNATURES = int(os.environ.get("BENCH_SIGNATURES") or 3000)
WARM_UP = 200


def post(app: Callable, environ: dict) -> str:
    """Call a WSGI app with one request; return its status line."""
    statuses: list[str] = []
    body = app(environ, lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(body)
    getattr(body, "close", lambda: None)()
    return statuses[0]


def cpu_per_request(app: Callable, environs: list[dict], expected: str) -> tuple[float, float]:
    """(CPU ms, wall ms) per request, after a warm-up; every answer must be `expected`."""
    for environ in environs[:WARM_UP]:
        post(app, environ)
    measured = environs[WARM_UP:]
    cpu, wall = time.process_time(), time.perf_counter()
    for environ in measured:
        status = post(app, environ)
        if not status.startswith(expected):
            raise RuntimeError(f"answered {status}, expected {expected}")
    n = len(measured)
    return (time.process_time() - cpu) * 1000 / n, (time.perf_counter() - wall) * 1000 / n


def signed_requests(app: Flask, path: str, n: int) -> list[dict]:
    """Sign POSTs with unique emails and client IPs and a valid CSRF session."""
    client = app.test_client()
    token = client.get("/csrf-token").get_json()["csrf_token"]
    cookie = f"session={client.get_cookie('session').value}"
    environs = []
    for i in range(n):
        environ = EnvironBuilder(
            path=path,
            method="POST",
            data={"name": "Bench Signer", "email": f"cpu{i}@bench.example", "zip": "10001",
                  "show_publicly": "y", "csrf_token": token},
            headers={"X-Forwarded-For": f"10.9.{i // 250}.{i % 250 + 1}", "Cookie": cookie},
        ).get_environ()  # fmt: skip
        environs.append(environ)
    return environs


def baseline_requests(n: int) -> list[dict]:
    return [
        EnvironBuilder(
            path="/sign",
            method="POST",
            data={"name": "Bench Signer", "email": f"cpu{i}@bench.example", "zip": "10001"},
        ).get_environ()
        for i in range(n)
    ]


def main() -> None:
    print(f"== CPU per signature in-process: {SIGNATURES} signatures on {machine()}")
    n = SIGNATURES + WARM_UP
    with bench_database() as database_url:
        # Both apps read their settings from the environment when imported, as under gunicorn.
        os.environ.update(server_env(database_url))
        from app import create_app
        from bench.baseline import app as baseline
        from bench.baseline import checked
        from bench.data import build

        _, slug = build(database_url)
        chorus = create_app()
        chorus_requests = signed_requests(chorus, f"/c/{slug}/sign", n)
        chorus_cpu, chorus_wall = cpu_per_request(chorus, chorus_requests, "302")
        bare_cpu, bare_wall = cpu_per_request(baseline, baseline_requests(n), "302")
        checked_requests = signed_requests(checked, "/sign", n)
        checked_cpu, checked_wall = cpu_per_request(checked, checked_requests, "302")
    print(f"Chorus sign                    CPU {chorus_cpu:.2f} ms   wall {chorus_wall:.2f} ms")
    print(f"bare INSERT baseline           CPU {bare_cpu:.2f} ms   wall {bare_wall:.2f} ms")
    print(f"bare INSERT behind the checks  CPU {checked_cpu:.2f} ms   wall {checked_wall:.2f} ms")
    print("  (the checks: Flask-WTF CSRF and session, SignForm, one Redis rate-limit count)")
    print(f"  Chorus costs {chorus_cpu / bare_cpu:.1f}x the baseline's CPU per signature;")
    print(f"  the stack's own checks cost {checked_cpu / bare_cpu:.1f}x before any Chorus code")


if __name__ == "__main__":
    main()
