"""The workspace on a phone (390 px): every page fits the screen, the nav wraps, wide
tables scroll inside their box; screenshots land in /tmp/shots for people to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.extensions import db
from app.models import Moderation, Role
from app.services import audit
from app.services.workspace.accounts import create_organizer
from tests.factories import make_campaign, make_signature, make_target
from tests.organizer.conftest import PASSWORD
from tests.organizer.helpers import make_letter

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp/shots")


def test_workspace_pages_fit_a_phone(page, live_server):
    admin = create_organizer("admin@example.org", PASSWORD, Role.ADMIN)
    campaign = make_campaign(collects_comments=True, collects_letters=True, title="Clean water")
    for district in ("2", "10", "1"):
        make_target(kind="us_house", state="AK", district=district, name=f"Rep {district}")
    letter = make_letter(
        make_signature(campaign, state="IL", district="5"),
        public_comment=True,
        moderation=Moderation.PENDING,
        body="Please keep the river clean; my children swim there every summer.",
    )
    audit.record(admin, "campaign.status", campaign, status=["draft", "open"])
    db.session.commit()
    base = live_server.url
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/organizer/login")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Workspace").wait_for()
    SHOTS.mkdir(exist_ok=True)
    for name, path in [
        ("dashboard", "/organizer/"),
        ("campaign", f"/organizer/campaigns/{campaign.id}"),
        ("moderation", f"/organizer/campaigns/{campaign.id}/moderation"),
        ("analytics", f"/organizer/campaigns/{campaign.id}/analytics"),
        ("targets", "/organizer/targets?state=AK"),
        ("audit", "/organizer/audit"),
        ("users", "/organizer/users"),
        ("password", "/organizer/password"),
        ("preview", f"/organizer/campaigns/{campaign.id}/preview"),
    ]:
        page.goto(f"{base}{path}")
        page.screenshot(path=str(SHOTS / f"workspace-{name}-390.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (name, width)
    page.goto(f"{base}/organizer/campaigns/{campaign.id}/moderation")
    page.get_by_label(letter.subject, exact=False).check()
    page.get_by_role("button", name="Reject letter…").click()
    page.get_by_text("never sent").wait_for()
    page.screenshot(path=str(SHOTS / "workspace-reject-confirm-390.png"), full_page=True)
