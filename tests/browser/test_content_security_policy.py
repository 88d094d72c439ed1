"""In headless Chromium: the public pages and the organizer workspace run under the
Content-Security-Policy without a violation (the `page` fixture checks the console)."""

from __future__ import annotations

import pytest

from app.models import Role
from app.services.workspace.accounts import create_organizer
from tests.factories import make_campaign, make_signature

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


def test_public_pages_and_the_workspace_meet_no_policy_violation(page, live_server):
    campaign = make_campaign(slug="open-one", collects_letters=True)
    make_signature(campaign)
    create_organizer("admin@example.org", PASSWORD, Role.ADMIN)
    base = live_server.url
    # A page that broke the policy would log a violation; one that injected a script would
    # not run it, so the page's own scripts are checked to have run too.
    page.goto(f"{base}/c/open-one")
    # The page's own scripts run: funnel.js reports the view, live-count.js polls.
    page.wait_for_load_state("networkidle")
    for path in ("/", "/c/open-one/write", "/c/open-one/check-email"):
        assert page.goto(base + path).status == 200, path
    assert page.goto(f"{base}/confirm/bad-token").status == 400

    page.goto(f"{base}/organizer/")
    page.get_by_label("Email").fill("admin@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Campaigns").wait_for()
    campaign_page = f"/organizer/campaigns/{campaign.id}"
    for path in (
        "/organizer/",
        "/organizer/campaigns/new",
        "/organizer/users",
        "/organizer/targets",
        "/organizer/audit",
        campaign_page,
        f"{campaign_page}/moderation",
        f"{campaign_page}/updates",
        f"{campaign_page}/fraud",
        f"{campaign_page}/exports",
    ):
        assert page.goto(base + path).status == 200, path
    page.goto(f"{base}{campaign_page}/edit")
    page.get_by_label("Explainer (Markdown)").fill("## Checked by the policy")
    preview = page.locator("#explainer-preview")
    preview.get_by_role("heading", name="Checked by the policy").wait_for()
    page.goto(f"{base}{campaign_page}/analytics")
    page.wait_for_function("() => window.chorusChart !== undefined")
