"""In headless Chromium: a letter from 94110 reaches Congress through the fake CWC server."""

from __future__ import annotations

import pytest

from app.models import TargetKind
from app.services.delivery.sending import drain
from tests.browser.live import serve
from tests.factories import make_campaign
from tests.helpers import link_token
from tests.shared_data import load_congress, requires_data

pytestmark = [pytest.mark.browser, requires_data]

MINE = "I teach in San Francisco. The families of my students need a fair hearing. Please act."


@pytest.fixture
def cwc_live(make_app, fake_cwc, tmp_path):
    """The app with both chambers sent to the fake CWC, Congress on file, served over HTTP."""
    app = make_app(**fake_cwc.app_settings())
    with app.app_context():
        load_congress(tmp_path, {"94110"})
        campaign = make_campaign(
            collects_letters=True,
            target_kinds=[TargetKind.US_SENATE, TargetKind.US_HOUSE],
            letter_subject="Third-country deportations",
            letter_body="Please make sure anyone facing removal gets notice and a hearing.",
        )
        with serve(app) as server:
            yield server, campaign


def test_a_letter_from_94110_reaches_three_offices_through_cwc_and_the_writer_is_told(
    page, cwc_live, fake_cwc
):
    server, campaign = cwc_live
    mail = server.app.extensions["chorus_mail"].outbox
    page.goto(f"{server.url}/c/{campaign.slug}/write")
    page.get_by_label("ZIP code").fill("94110")
    page.get_by_label("ZIP code").press("Enter")

    recipients = page.locator(".recipients").inner_text()
    assert recipients.count("through Congress's own message system (CWC)") == 3
    page.get_by_role("textbox", name="Your letter").fill(MINE)
    page.get_by_label("Full name").fill("Ann Lee")
    page.get_by_label("Email", exact=True).fill("ann@example.org")
    page.get_by_label("Title", exact=True).select_option("Ms.")
    page.get_by_label("Street address").fill("123 Valencia St")
    page.get_by_label("City", exact=True).fill("San Francisco")
    page.get_by_role("button", name="Sign and send my letter").click()
    page.get_by_role("heading", name="Check your email").wait_for()

    drain()
    assert "Nancy Pelosi, U.S. Representative (CA): through Congress's own" in mail[0].text
    page.goto(f"{server.url}/confirm/{link_token(mail[0], 'confirm')}")
    outcomes = page.locator(".letter-outcomes").inner_text()
    assert outcomes.count("Being delivered to their office through Congress's CWC system") == 3

    drain()
    received = fake_cwc.wait_for(3)
    assert sorted(m.member_office for m in received) == ["HCA11", "SCA01", "SCA03"]
    assert {m.text("Constituent/Address1") for m in received} == {"123 Valencia St"}

    page.reload()
    outcomes = page.locator(".letter-outcomes").inner_text()
    assert outcomes.count("Delivered to their office through Congress's CWC system") == 3
    receipt = mail[-1]
    assert receipt.subject.startswith("What happened to your letter")
    for name in ("Nancy Pelosi", "Alex Padilla", "Adam B. Schiff"):
        assert f"- {name}, " in receipt.text
    assert receipt.text.count("delivered to their office through Congress's CWC system") == 3
