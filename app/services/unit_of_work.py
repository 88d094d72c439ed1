"""The unit of work: the one owner of a transaction in services.

A service wraps what it changes in `with unit_of_work():`. The block commits when it ends
and rolls everything back if it raises, so a view never commits or rolls back itself, and
a ChorusError leaves nothing half-written. A unit inside another joins it: only the
outermost one commits, so services can call each other and still land as one transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from app.extensions import db

_DEPTH = "chorus_unit_of_work_depth"


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit what the block did, or roll all of it back if it raises."""
    info = db.session.info
    outermost = not info.get(_DEPTH)
    info[_DEPTH] = info.get(_DEPTH, 0) + 1
    try:
        yield
        if outermost:
            db.session.commit()
    except BaseException:
        if outermost:
            db.session.rollback()
        raise
    finally:
        info[_DEPTH] -= 1
