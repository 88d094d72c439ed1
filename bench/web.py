"""Shared machinery for the web benchmarks: a throwaway PostgreSQL database, gunicorn
servers on loopback (Chorus and the bare baseline, same gunicorn.conf.py), and wrk runs
that report throughput, latency percentiles and every status code seen.
"""

from __future__ import annotations

import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
# Benchmarks only ever talk to this machine.
HOST = "127.0.0.1"
CHORUS_PORT = 5150
BASELINE_PORT = 5151
CHECKED_PORT = 5152  # bench/baseline.py's `checked`, beside the bare one
ADMIN_URL = (
    os.environ.get("BENCH_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1/postgres"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/5"
# Where the bench signers live: real ZCTA -> district rows, as `flask zips import` would load.
CELERY_QUEUE = "chorus-bench"
ZIPS = [("10001", "NY", "12"), ("94110", "CA", "11"), ("60614", "IL", "5"), ("02139", "MA", "7")]


def machine() -> str:
    """One line describing the machine and its load, for the printed figures."""
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{cpu}, {os.cpu_count()} cores, {platform.python_version()}, load avg {load}"


@contextmanager
def bench_database() -> Iterator[str]:
    """Create a fresh database beside ADMIN_URL's, yield its URL, drop it afterwards."""
    url = make_url(ADMIN_URL)
    name = f"chorus_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        _clean_redis()


def _clean_redis() -> None:
    """Remove what the bench servers left in Redis: rate-limit counts and the task queue."""
    client = redis.Redis.from_url(REDIS_URL)
    for pattern in ("LIMITS:LIMITER/chorus-rl*", f"*{CELERY_QUEUE}*"):
        for key in client.scan_iter(match=pattern, count=1000):
            client.delete(key)


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment a production server gets, pointed at the bench database and Redis."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        RATELIMIT_STORAGE_URI=REDIS_URL,
        SECRET_KEY="bench-secret-key",
        MAIL_BACKEND="memory",
        EMBEDDED_WORKER="0",
        # The load generator plays a reverse proxy that sets X-Forwarded-For, so the rate
        # limits see many clients (as in production) rather than one loopback address.
        PROXY_HOPS="1",
        ACCESS_LOG="",
        # Nobody consumes this queue during a bench; it is emptied afterwards.
        CELERY_QUEUE=CELERY_QUEUE,
    )
    env.update(extra)
    return env


@contextmanager
def gunicorn(app_spec: str, port: int, env: dict[str, str], ready_path: str) -> Iterator[str]:
    """Run gunicorn with the repository's gunicorn.conf.py; yield its base URL."""
    base = f"http://{HOST}:{port}"
    command = [GUNICORN, "-c", str(ROOT / "gunicorn.conf.py"), "--bind", f"{HOST}:{port}"]
    with tempfile.TemporaryFile("w+") as log:
        # The log goes to a file: a pipe nobody reads would fill up and stall the server.
        process = subprocess.Popen(
            [*command, app_spec], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_until_up(base + ready_path, process, log)
            yield base
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            _report_errors(log, app_spec)


def _report_errors(log, app_spec: str) -> None:
    """Print the server's logged errors (a few), so a bench run hides no failure."""
    log.seek(0)
    errors = [x for x in log if "Traceback" in x or "ERROR" in x or "WARNING" in x]
    if errors:
        print(f"  {app_spec} logged {len(errors)} warnings/errors, first: {errors[0].strip()}")


def wait_until_up(url: str, process: subprocess.Popen, log, limit: float = 120) -> float:
    """Poll url until it answers 200; return the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited: {log.read()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} not up after {limit} s")


def wrk(
    url: str,
    connections: int,
    seconds: int,
    script: str,
    env: dict[str, str] | None = None,
    threads: int = 2,
) -> dict:
    """Run wrk with a Lua script from bench/wrk that ends by printing a JSON report.

    The report also carries the server's CPU per request (its processes' user + system
    time over the run), so a figure can be traced to the web tier's own work.
    """
    port = urllib.parse.urlsplit(url).port
    cpu_before = server_cpu_seconds(port)
    result = subprocess.run(
        [
            "wrk",
            f"-t{min(threads, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(BENCH / "wrk" / script),
            url,
        ],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    match = re.search(r"^BENCH-JSON (.*)$", result.stdout, re.MULTILINE)
    if not match:
        raise RuntimeError(f"wrk printed no report:\n{result.stdout}\n{result.stderr}")
    report = json.loads(match.group(1))
    report["statuses"] = {int(k): v for k, v in report["statuses"].items()}
    report["server_cpu_ms"] = (server_cpu_seconds(port) - cpu_before) * 1000 / report["requests"]
    return report


def server_cpu_seconds(port: int) -> float:
    """CPU seconds used so far by the processes listening on port (gunicorn and workers)."""
    listening = subprocess.run(
        ["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True, check=True
    ).stdout
    ticks = 0
    for pid in set(re.findall(r"pid=(\d+)", listening)):
        # utime and stime, fields 14 and 15 of /proc/<pid>/stat (after the command's name).
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def line(label: str, report: dict) -> str:
    """One printed line: throughput, latency and anything that was not a success."""
    others = {s: n for s, n in sorted(report["statuses"].items()) if s not in (200, 302)}
    errors = {k: v for k, v in report["errors"].items() if v}
    return (
        f"{label:<34} {report['rps']:>8.0f} req/s   p50 {report['p50_ms']:>6.1f} ms   "
        f"p99 {report['p99_ms']:>7.1f} ms   web CPU {report['server_cpu_ms']:.2f} ms/req"
        + (f"   other statuses {others}" if others else "")
        + (f"   socket errors {errors}" if errors else "")
    )


def sign_env(run: str) -> dict[str, str]:
    """The environment sign.lua needs: a prefix that keeps emails unique across runs."""
    return {"BENCH_RUN": run, "BENCH_WRK_DIR": str(BENCH / "wrk")}


def browser_headers(base: str) -> dict[str, str]:
    """The headers a browser sends with a form posted from base's own pages
    (app/cross_origin.py): the citizens' forms need no cookie and no token."""
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "Sec-Fetch-Site": "same-origin",
        "Origin": base,
    }


def get_env() -> dict[str, str]:
    return {"BENCH_WRK_DIR": str(BENCH / "wrk")}


def accepted(report: dict) -> int:
    """Sign responses that said "accepted" (the redirect to check your email)."""
    return report["statuses"].get(302, 0)


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def peak_rss_kb() -> int:
    """This process's own peak resident size. Not ru_maxrss: Linux carries that across fork
    and exec, so a child started by a large parent reports the parent's size."""
    with open("/proc/self/status") as status:
        peak = next(entry for entry in status if entry.startswith("VmHWM:"))
    return int(peak.split()[1])
