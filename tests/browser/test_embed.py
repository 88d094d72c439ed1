"""In headless Chromium: a partner's page on another site embeds the sign form; the
signature made through it shows in analytics under the embed's source code."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app import clock
from app.extensions import db
from app.models import Organizer, Role
from app.organizer import LOGGED_IN_AT
from app.services.workspace import analytics
from tests.factories import make_campaign

pytestmark = pytest.mark.browser


@pytest.fixture
def partner_site(live_server):
    """A partner's page on `localhost` (another site than Chorus's 127.0.0.1) whose iframe
    holds the embed snippet's URL; its address."""
    pages: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path, b"")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield pages, f"http://localhost:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_signing_through_the_embed_on_a_partner_site_is_counted_under_its_source(
    app, live_server, partner_site, page
):
    campaign = make_campaign(slug="clean-water", title="Clean water now")
    pages, partner_url = partner_site
    pages["/action"] = (
        "<!doctype html><html lang=en><title>Partner</title><h1>Our action</h1>"
        f'<iframe src="{live_server.url}/c/clean-water/embed?src=partner-x" '
        'title="Sign: Clean water now" width="600" height="800"></iframe>'
    ).encode()

    page.goto(f"{partner_url}/action")
    frame = page.frame_locator("iframe")
    frame.get_by_label("Full name").fill("Ann Lee")
    frame.get_by_label("Email", exact=True).fill("ann@example.org")
    frame.get_by_label("ZIP code").fill("10001")
    frame.get_by_role("button", name="Sign").click()
    frame.get_by_role("heading", name="Check your email").wait_for()

    (row,) = analytics.by_source(campaign)
    assert (row.source, row.signed) == ("partner-x", 1)
    admin = Organizer(email="admin@example.org", password_hash="x", role=Role.ADMIN)
    db.session.add(admin)
    db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
        session[LOGGED_IN_AT] = clock.timestamp()
    html = client.get(f"/organizer/campaigns/{campaign.id}/analytics").get_data(as_text=True)
    assert "<td>partner-x</td><td>1</td><td>0</td>" in html
