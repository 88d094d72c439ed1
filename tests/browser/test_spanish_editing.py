"""In headless Chromium: an organizer edits a campaign's Spanish text beside the English,
watches the live preview, saves, and previews the whole page in Spanish."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Campaign, Role
from app.services.workspace.accounts import create_organizer

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
SHOTS = Path("/tmp/shots")
SLUG = "third-country-deportations"


def test_an_organizer_edits_the_spanish_text_with_its_preview(app, page, live_server):
    assert app.test_cli_runner().invoke(args=["seed"]).exit_code == 0
    create_organizer("org@example.org", PASSWORD, Role.ORGANIZER)
    campaign_id = db.session.scalar(sa.select(Campaign.id).where(Campaign.slug == SLUG))
    db.session.remove()

    page.goto(f"{live_server.url}/organizer/")
    page.get_by_label("Email").fill("org@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/organizer/campaigns/{campaign_id}")
    page.get_by_role("link", name="Español").click()
    page.get_by_role("heading", name="In Español:").wait_for()
    assert page.get_by_label("Title", exact=True).input_value().startswith("Deportaciones")
    assert "English: Delivered as a petition" in page.content()

    explainer = page.get_by_label("Explainer (Markdown)")
    explainer.fill("## Lo esencial\n\nUn juez dictaminó que debe haber aviso previo [4].")
    preview = page.locator("#explainer-preview")
    preview.get_by_role("heading", name="Lo esencial").wait_for()
    assert preview.locator("sup.cite a").get_attribute("href") == "#source-4"
    SHOTS.mkdir(exist_ok=True)
    page.locator("#explainer").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "organizer-spanish-text-1280.png"))
    page.screenshot(path=str(SHOTS / "organizer-spanish-text-1280-full.png"), full_page=True)

    page.get_by_label("Why the public text changed").fill("Explicación en español más corta.")
    page.get_by_role("button", name="Save the text in Español").click()
    page.get_by_text("The campaign's text in Español is saved.").wait_for()

    page.get_by_role("link", name="Preview the whole page in Español").click()
    page.get_by_role("heading", name="Lo esencial").wait_for()
    assert page.locator("html").get_attribute("lang") == "es"
    page.screenshot(path=str(SHOTS / "organizer-spanish-preview-1280.png"))
