"""The embedded worker: drains the outbox and refreshes counts inside the web process.

Used by `make run` (no broker needed). Production runs Celery workers instead; both call
the same service functions.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

log = logging.getLogger(__name__)


def run_periodic_jobs(app: Flask) -> None:
    """One round of background work: send due mail, fold new signatures into counts."""
    from app.services.counting import count_signatures
    from app.services.delivery import drain

    with app.app_context():
        drain()
        count_signatures()


def _loop(app: Flask, stop: threading.Event) -> None:
    interval = app.config["WORKER_POLL_SECONDS"]
    while not stop.is_set():
        try:
            run_periodic_jobs(app)
        except Exception:  # keep the worker alive; the outbox keeps whatever failed
            log.exception("embedded worker round failed")
        stop.wait(interval)


def start_embedded_worker(app: Flask) -> threading.Event:
    """Start the worker thread; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=_loop, args=(app, stop), name="chorus-worker", daemon=True)
    thread.start()
    return stop


def register_embedded_worker(app: Flask) -> None:
    """Start the worker on the first request, so CLI commands never start one."""
    if not app.config["EMBEDDED_WORKER"]:
        return
    started = threading.Lock()
    state = {"running": False}

    @app.before_request
    def _ensure_worker() -> None:
        if state["running"]:
            return
        with started:
            if not state["running"]:
                start_embedded_worker(app)
                state["running"] = True
                log.info("embedded worker started (every %ss)", app.config["WORKER_POLL_SECONDS"])
