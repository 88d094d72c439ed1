"""Counting the top of a campaign's funnel: page views and sign forms started.

The campaign page is served from shared caches, so the server never sees most views; the
page's script reports them instead (which also leaves out most bots). Each report adds 1
to an in-memory counter that is flushed in batches, never a database write per view.
"""

from app.extensions import limiter
from app.models import Metric
from app.public import bp
from app.services.workspace.analytics import metrics_buffer

EVENTS = {"view": Metric.PAGE_VIEW, "started": Metric.FORM_STARTED}


@bp.post("/c/<slug>/funnel/<event>")
@limiter.limit("60 per minute")
def funnel_event(slug: str, event: str):
    """Count a page view or a sign form started on a campaign page."""
    if event in EVENTS and len(slug) <= 80:
        metrics_buffer().add(slug, EVENTS[event])
    return "", 204
