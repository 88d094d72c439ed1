"""The campaign page, rendered once per change of what it shows and kept in each process.

Why: rendered every time, the page cost about 7 ms of template work (some 55 translated
strings, the sign form's widgets, the sources list), paid by every reader with a cookie,
every language, the organizer's preview and every miss of the shared caches. Yet between
two changes of its inputs it is the same bytes. So a render is looked up by everything it
is rendered from (its key: the campaign row's version and counts, its page snapshot's
version, whether it is open now and the site's profile, at its place: path, language,
preview or not; services.campaigns.page.PageVersion) and rendered only when that key is
new: the campaign and its snapshot are then loaded and the template runs. Invalidation is
by key, never by time: any change of an input is a new key, whose page replaces the
place's old one (a withdrawn signer's name is not kept in memory beside the page that no
longer shows it once the page is next asked for), and the least recently used places
leave when there are more than PAGES.

Only a fresh GET form is kept: a page showing a submitted form's errors, or a flash
message (which rendering consumes), is rendered as before.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from operator import attrgetter

from flask import Response, current_app, render_template, request, session
from werkzeug.http import generate_etag

from app.extensions import db
from app.i18n import request_locale
from app.models import Campaign
from app.public.forms import SignForm
from app.services.campaigns import page
from app.services.workspace.organization import OrganizationInput, shown_profile

# Rendered pages kept per process: campaigns times languages, and previews.
PAGES = 256
_CACHE = "chorus_rendered_pages"
# Who runs the site, named in every page's footer.
_PROFILE_FIELDS = attrgetter(*OrganizationInput.__dataclass_fields__)


class RenderedPages:
    """A bounded LRU of rendered pages, one per place (path, language, preview or not):
    place -> (key, body, ETag). Places are hashed; keys are only compared. A new key for a
    place replaces its old page, so a viral campaign's changing count never crowds other
    pages out."""

    def __init__(self, entries: int):
        self.entries = entries
        self._pages: OrderedDict[tuple, tuple[tuple, bytes, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, place: tuple, key: tuple, render: Callable[[], str]) -> tuple[bytes, str]:
        """The page rendered for key at place: kept, or rendered now (body, ETag)."""
        with self._lock:
            found = self._pages.get(place)
            if found is not None and found[0] == key:
                self._pages.move_to_end(place)
                return found[1], found[2]
        body = render().encode()
        etag = generate_etag(body)
        with self._lock:
            self._pages[place] = (key, body, etag)
            self._pages.move_to_end(place)
            while len(self._pages) > self.entries:
                self._pages.popitem(last=False)
        return body, etag


def campaign_response(version: page.PageVersion, *, preview: bool = False) -> Response:
    """The campaign page with a fresh sign form (200), rendered only if its key is new."""
    if version.snapshot_version is None:  # written now, so that the key names it
        version = page.version_of_campaign(db.session.get(Campaign, version.campaign_id))

    def render() -> str:
        campaign = db.session.get(Campaign, version.campaign_id)
        return render_template(
            "campaign.html",
            **page.campaign_page(campaign, page.snapshot_of(campaign)),
            form=SignForm(meta={"csrf": False}) if preview else SignForm(),
            preview=preview,
        )

    if "_flashes" in session:
        return Response(render(), mimetype="text/html")
    pages = current_app.extensions.get(_CACHE)
    if pages is None:
        pages = current_app.extensions.setdefault(_CACHE, RenderedPages(PAGES))
    place = (request.script_root, request.path, request_locale(), preview)
    body, etag = pages.get(place, (version, _PROFILE_FIELDS(shown_profile())), render)
    response = Response(body, mimetype="text/html")
    response.set_etag(etag)
    return response
