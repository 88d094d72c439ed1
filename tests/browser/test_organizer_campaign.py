"""In headless Chromium: an organizer creates and opens a campaign, a citizen signs it, and
the signature appears on the campaign's analytics chart."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import DatasetKind, Organizer, Role, ZipDistrict
from app.services.delivery.sending import drain
from app.services.workspace.accounts import create_organizer
from tests.factories import make_dataset
from tests.helpers import link_token

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


@pytest.fixture
def organizer(app) -> Organizer:
    zip_map = make_dataset(DatasetKind.ZIPS).id
    db.session.add(ZipDistrict(zcta="10001", state="NY", district="12", dataset_id=zip_map))
    db.session.commit()
    return create_organizer("org@example.org", PASSWORD, Role.ORGANIZER)


def _chart_total(page) -> int:
    return page.evaluate("window.chorusChart.data.datasets[0].data.reduce((a, b) => a + b, 0)")


def test_create_and_open_a_campaign_then_see_a_signature_on_its_chart(
    page, browser, live_server, organizer, outbox
):
    base = live_server.url
    page.goto(f"{base}/organizer/")
    page.get_by_label("Email").fill("org@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Campaigns").wait_for()

    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Title", exact=True).fill("Protect asylum seekers")
    page.get_by_label("Slug").fill("protect-asylum")
    page.get_by_label("Summary", exact=True).fill("Ask Congress to act.")
    page.get_by_label("Explainer (Markdown)").fill("## Why it matters\n\nA fact [1].")
    preview = page.locator("#explainer-preview")
    preview.get_by_role("heading", name="Why it matters").wait_for()
    assert preview.locator("sup.cite a").get_attribute("href") == "#source-1"
    page.get_by_label("Sources").fill(
        "Court order | U.S. District Court | 2025 | https://example.org"
    )
    page.get_by_label("Signature goal").fill("100")
    page.get_by_role("button", name="Create draft").click()
    page.get_by_text("Campaign created as a draft.").wait_for()
    assert page.locator(".status").first.inner_text() == "draft"

    page.get_by_role("button", name="Open the campaign").click()
    page.get_by_text("Its page becomes public").wait_for()
    page.get_by_role("button", name="Open the campaign").click()
    page.get_by_text("The campaign is now open.").wait_for()
    page.get_by_role("link", name="Analytics").click()
    page.wait_for_function("() => window.chorusChart !== undefined")
    assert _chart_total(page) == 0

    citizen = browser.new_context(viewport={"width": 390, "height": 844})
    signer = citizen.new_page()
    signer.goto(f"{base}/c/protect-asylum")
    signer.get_by_label("Full name").fill("Ann Lee")
    signer.get_by_label("Email", exact=True).fill("ann@example.org")
    signer.get_by_label("ZIP code").fill("10001")
    signer.get_by_role("button", name="Sign").click()
    signer.get_by_role("heading", name="Check your email").wait_for()
    assert drain() == 1
    signer.goto(f"{base}/confirm/{link_token(outbox[0], 'confirm')}")
    signer.get_by_role("button", name="Confirm my signature").click()
    signer.get_by_role("heading", name="Thank you, your signature is confirmed").wait_for()
    citizen.close()

    page.reload()
    page.wait_for_function("() => window.chorusChart !== undefined")
    assert _chart_total(page) == 1
    assert page.locator(".tile[title='NY: 1']").is_visible()
    assert page.locator("#funnel-confirmed").inner_text() == "1"
    assert int(page.locator("#funnel-views").inner_text()) >= 1
    assert int(page.locator("#funnel-started").inner_text()) >= 1
    page.screenshot(path="/tmp/shots/organizer-analytics-after-signature.png", full_page=True)
