"""Gunicorn settings for `make serve` (production): gthread workers sized from the cores.

Why gthread: a request spends much of its time waiting on PostgreSQL and Redis, so a few
threads per process overlap those waits while one process per core still runs Python in
parallel (one GIL each). Sync workers need a process (and a database connection) per
concurrent request and hold a whole process for a slow client or a keep-alive connection;
gevent would need psycopg and redis patched for cooperative I/O. On 2 cores both measured
about the same for signing, which is CPU-bound there (README, Performance).
"""

import multiprocessing
import os

bind = os.environ.get("BIND") or "127.0.0.1:8000"
worker_class = "gthread"
# One process per core: more processes than cores only trade CPU for context switches and
# cache misses (on 2 cores, 4 processes of 4 threads cost a signature ~50% more CPU than 2).
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count())
threads = int(os.environ.get("WEB_THREADS") or 4)
# Each worker listens on its own SO_REUSEPORT socket, so the kernel spreads new connections
# evenly across workers. With one shared socket, whichever worker wakes first accepts, and
# long-lived keep-alive connections (a CDN's or load balancer's) can all land on one
# process, leaving the other cores idle: measured at 680/s instead of 1,100/s signing.
reuse_port = True
# Each thread holds at most one database connection, so the pool (DATABASE_POOL_SIZE,
# default 10, plus 5 overflow) never makes a thread wait in normal operation; only a stuck
# database does, and then DATABASE_POOL_TIMEOUT turns the wait into a 503.
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "5000")
# A worker silent for this long is restarted; requests are bounded far below it by the
# pool timeout, the statement timeout and connect_timeout.
timeout = 30
graceful_timeout = 20
keepalive = 5
# Connections a worker holds open at once (keep-alive clients included).
worker_connections = 200
accesslog = os.environ.get("ACCESS_LOG") or None
errorlog = "-"
wsgi_app = "app:create_app()"


def worker_exit(server, worker):
    """Write the worker's buffered funnel counts before it goes (a restart or a deploy)."""
    from app.services.workspace.analytics import flush_before_exit

    flush_before_exit(worker.wsgi)
