"""Template filters for workspace pages."""

from datetime import datetime

from app.organizer import bp
from app.services.campaigns.editing import to_local


@bp.app_template_filter("local_time")
def local_time(utc: datetime | None, timezone: str) -> str:
    """A stored UTC time as wall-clock time in the campaign's zone, e.g. '2026-03-01 09:00 EST'."""
    if utc is None:
        return "not set"
    local = to_local(utc, timezone)
    return f"{local:%Y-%m-%d %H:%M} ({timezone})"
