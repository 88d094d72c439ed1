"""Who drains the outbox: the embedded worker thread (`make run`), or Celery workers.

With EMBEDDED_WORKER on, a thread inside the web process sends mail, queues the daily
digests and refreshes counts; a commit that adds deliveries wakes it at once. Otherwise,
with REDIS_URL set, each such commit enqueues a Celery "deliver" task (app/tasks.py). Both
call the same service functions; `flask deliver --watch` runs the same mail round too.
"""

from __future__ import annotations

import logging
import threading

import click
from celery import Celery
from flask import Flask, current_app

from app.clock import utcnow
from app.services.delivery.digests import queue_digests
from app.services.delivery.outbox import on_new_deliveries
from app.services.delivery.sending import Round, send_all_due
from app.services.signing.counting import count_signatures
from app.services.signing.retention import erase_due
from app.services.workspace.analytics import metrics_buffer

log = logging.getLogger(__name__)

TASK_DELIVER = "chorus.deliver"
TASK_SWEEP = "chorus.sweep"
TASK_COUNT = "chorus.count_signatures"
TASK_RECOUNT = "chorus.recount"
TASK_DIGESTS = "chorus.queue_digests"
TASK_ERASE = "chorus.erase_personal_data"


def celery_settings(config) -> dict:
    """Celery settings from the app config, shared by the web process and the workers."""
    return {
        "broker_url": config["REDIS_URL"],
        "task_default_queue": config["CELERY_QUEUE"],
        # Results are never read: the outbox row is the record of what happened.
        "task_ignore_result": True,
        # A lost task costs nothing (the sweep re-enqueues due rows), so tasks are acked on
        # receipt and never redelivered; a broker that is down must not stall a web request.
        "task_acks_late": False,
        "worker_prefetch_multiplier": 1,
        "broker_connection_timeout": 2,
        "broker_connection_retry_on_startup": True,
        "task_publish_retry": False,
        # Publishing fails fast instead of retrying: the sweep covers a task that was lost.
        "broker_transport_options": {
            "socket_timeout": 2,
            "socket_connect_timeout": 2,
            "max_retries": 0,
        },
        "timezone": "UTC",
        "enable_utc": True,
    }


def queue_digests_if_due() -> int:
    """Create today's digests once the configured hour (UTC) has come; idempotent."""
    now = utcnow()
    if now.hour < current_app.config["DIGEST_HOUR_UTC"]:
        return 0
    return queue_digests(now.date())


def mail_round() -> Round:
    """One round of mail work: queue due digests, then send everything due."""
    queue_digests_if_due()
    return send_all_due()


def run_periodic_jobs(app: Flask) -> None:
    """One round of background work: mail, counts, erasures due, and this process's funnel
    counters."""
    with app.app_context():
        mail_round()
        count_signatures()
        erase_due()
        # Written here too, so an idle process does not sit on counts until the next view.
        metrics_buffer(app).flush()


class EmbeddedWorker:
    """The background thread of `make run`: a round every WORKER_POLL_SECONDS, or sooner."""

    def __init__(self, app: Flask):
        self.app = app
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="chorus-worker", daemon=True)

    def start(self) -> EmbeddedWorker:
        self._thread.start()
        return self

    def wake(self) -> None:
        """Run a round now (new mail was committed)."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        interval = self.app.config["WORKER_POLL_SECONDS"]
        while not self._stop.is_set():
            self._wake.clear()
            try:
                run_periodic_jobs(self.app)
            except Exception:  # keep the worker alive; the outbox keeps whatever failed
                log.exception("embedded worker round failed")
            self._wake.wait(interval)


def register_workers(app: Flask) -> None:
    """Set up whoever sends this app's mail, and have new deliveries wake them."""
    if app.config["EMBEDDED_WORKER"]:
        _register_embedded_worker(app)
    elif app.config["REDIS_URL"]:
        producer = Celery("chorus", set_as_current=False)
        producer.conf.update(celery_settings(app.config))
        queue = app.config["CELERY_QUEUE"]
        wake_up = CoalescedWakeUp(
            lambda: producer.send_task(TASK_DELIVER, queue=queue),
            app.config["CELERY_WAKE_UP_SECONDS"],
        )
        on_new_deliveries(app, wake_up)


class CoalescedWakeUp:
    """Publish one "deliver" task for all the commits of a process within `delay` seconds.

    Why: one task drains everything due, so one per burst is enough, and publishing per
    commit cost a signature more CPU than its own two INSERTs. The task is published after
    the commits that asked for it, so its worker sees their rows; a commit that comes after
    a publish starts the next one. If the broker is down the sweep finds the rows.
    """

    def __init__(self, publish, delay: float):
        self._publish = publish
        self._delay = delay
        self._pending = False
        self._lock = threading.Lock()

    def __call__(self) -> None:
        with self._lock:
            if self._pending:
                return
            self._pending = True
        timer = threading.Timer(self._delay, self._fire)
        timer.daemon = True
        timer.start()

    def _fire(self) -> None:
        with self._lock:
            self._pending = False
        try:
            self._publish()
        except Exception:
            log.warning("could not tell the workers about new deliveries", exc_info=True)


def _register_embedded_worker(app: Flask) -> None:
    # Started with the app, so mail waits for no visitor after a restart; but not for a
    # CLI command (`flask outbox`, `flask db upgrade`...), which builds the app too.
    worker = EmbeddedWorker(app)
    on_new_deliveries(app, worker.wake)
    app.extensions["chorus_worker"] = worker
    if _serving():
        worker.start()
        log.info("embedded worker started (every %ss)", app.config["WORKER_POLL_SECONDS"])


def _serving() -> bool:
    """Whether this process serves web requests: `flask run`, or a WSGI server (no CLI)."""
    command = click.get_current_context(silent=True)
    return command is None or command.info_name == "run"
