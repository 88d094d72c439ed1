"""Celery on Redis: `celery -A app.tasks worker` and `celery -A app.tasks beat`.

Tasks are thin wrappers around the same service functions the embedded worker calls. They
carry no data and no ETA: a "deliver" task only says "something may be due"; what is due,
and when a retry is due, lives in the outbox (next_attempt_at). So a lost, duplicated or
late task is harmless, and beat's sweep re-enqueues whatever a lost task missed.
"""

from __future__ import annotations

import math
from dataclasses import asdict

from celery import Celery, Task
from celery.schedules import crontab
from celery.signals import worker_process_init

from app import create_app
from app.extensions import db
from app.services.delivery import sending
from app.services.signing import counting, retention
from app.worker import (
    TASK_COUNT,
    TASK_DELIVER,
    TASK_DIGESTS,
    TASK_ERASE,
    TASK_RECOUNT,
    TASK_SWEEP,
    celery_settings,
    queue_digests_if_due,
)

flask_app = create_app()
config = flask_app.config
# Enough parallel "deliver" tasks to keep every worker busy, without flooding the queue.
MAX_FANOUT = 32


class FlaskTask(Task):
    def __call__(self, *args, **kwargs):
        with flask_app.app_context():
            return self.run(*args, **kwargs)


celery = Celery("chorus", task_cls=FlaskTask)
celery.conf.update(
    celery_settings(config),
    beat_schedule={
        "sweep-outbox": {
            "task": TASK_SWEEP,
            "schedule": float(config["DELIVERY_SWEEP_SECONDS"]),
            # A sweep that waited longer than its interval is superseded by the next one.
            "options": {"expires": float(config["DELIVERY_SWEEP_SECONDS"])},
        },
        "count-signatures": {
            "task": TASK_COUNT,
            "schedule": float(config["COUNT_INTERVAL_SECONDS"]),
            "options": {"expires": float(config["COUNT_INTERVAL_SECONDS"])},
        },
        # Hourly, and idempotent: a beat that was down at the digest hour catches up later.
        "queue-digests": {"task": TASK_DIGESTS, "schedule": crontab(minute=0)},
        "recount": {"task": TASK_RECOUNT, "schedule": crontab(minute=30, hour=4)},
        # Retention periods are counted in days: an hourly check erases on time.
        "erase-personal-data": {"task": TASK_ERASE, "schedule": crontab(minute=15)},
    },
)


@worker_process_init.connect
def _fresh_connections(**_) -> None:
    # Pooled connections must not be shared between forked worker processes.
    with flask_app.app_context():
        db.engine.dispose(close=False)


@celery.task(name=TASK_DELIVER)
def deliver() -> dict:
    """Send one batch of due mail; if the batch was full, ask another worker to continue."""
    result = sending.deliver_due()
    if result.claimed >= config["DELIVERY_BATCH_SIZE"] and not result.stopped:
        deliver.apply_async()
    return asdict(result)


@celery.task(name=TASK_SWEEP)
def sweep() -> int:
    """Enqueue enough "deliver" tasks for everything due (retries and anything missed)."""
    due = sending.count_due()
    tasks = min(MAX_FANOUT, math.ceil(due / config["DELIVERY_BATCH_SIZE"]))
    for _ in range(tasks):
        deliver.apply_async()
    return tasks


@celery.task(name=TASK_COUNT)
def count_signatures() -> int:
    """Fold newly confirmed or withdrawn signatures into the public counts."""
    return counting.count_signatures()


@celery.task(name=TASK_RECOUNT)
def recount() -> None:
    """Rebuild every public count exactly (the daily safety net)."""
    counting.recount()


@celery.task(name=TASK_DIGESTS)
def queue_digests() -> int:
    """Create today's digests once their hour has come (they are sent like any delivery)."""
    return queue_digests_if_due()


@celery.task(name=TASK_ERASE)
def erase_personal_data() -> list[str]:
    """Erase the personal data of closed campaigns whose retention period has passed."""
    return retention.erase_due()
