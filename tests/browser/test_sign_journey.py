"""In headless Chromium: sign with the keyboard, confirm from the email, see the count go up."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Campaign
from app.services.delivery.sending import drain
from app.services.signing.counting import count_signatures
from tests.factories import make_signature
from tests.helpers import link_token

pytestmark = pytest.mark.browser

SLUG = "third-country-deportations"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = Path("/tmp/shots")

# WCAG contrast of an element's text against the first opaque background behind it.
CONTRAST_JS = """
el => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = c => {
    const [r, g, b] = rgb(c).slice(0, 3).map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  let node = el, bg = "rgb(255, 255, 255)";
  while (node && node.nodeType === 1) {
    const c = getComputedStyle(node).backgroundColor;
    if (c && !c.startsWith("rgba(0, 0, 0, 0)") && c !== "transparent") { bg = c; break; }
    node = node.parentElement;
  }
  const [a, b] = [lum(getComputedStyle(el).color), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}
"""


@pytest.fixture
def campaign_url(app, live_server) -> str:
    assert app.test_cli_runner().invoke(args=["seed"]).exit_code == 0
    return f"{live_server.url}/c/{SLUG}"


def _tab_to(page, element_id: str, presses: int = 15) -> None:
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def _shoot(page, name: str) -> None:
    """Save a screenshot for people to look at, and check the page fits the screen."""
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{page.viewport_size['width']}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def _fill_and_sign(page, campaign_url: str, name: str, email: str) -> None:
    page.goto(campaign_url)
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("ZIP code").fill("10001")
    page.get_by_role("button", name="Sign").click()


def _focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.tagName")


def test_sign_by_keyboard_confirm_by_email_and_see_the_count_go_up(page, campaign_url, outbox):
    page.set_viewport_size(PHONE)
    page.goto(campaign_url)
    assert page.locator("[data-count]").inner_text() == "0"

    _tab_to(page, "name")
    page.keyboard.type("Ann Lee")
    page.keyboard.press("Tab")
    assert _focused(page) == "email"
    page.keyboard.type("ann@example.org")
    page.keyboard.press("Tab")
    assert _focused(page) == "zip"
    page.keyboard.type("10001")
    _tab_to(page, "show_publicly", presses=3)
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Sign"
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Check your email").wait_for()
    _shoot(page, "check-email")

    assert drain() == 1
    [message] = outbox
    assert message.to == "Ann Lee <ann@example.org>"
    page.goto(f"{campaign_url.rsplit('/c/', 1)[0]}/confirm/{link_token(message, 'confirm')}")
    page.get_by_role("button", name="Confirm my signature").click()
    page.get_by_role("heading", name="Thank you, your signature is confirmed").wait_for()
    _shoot(page, "confirmed")
    assert page.get_by_label("Link to share").input_value() == f"{campaign_url}?src=share"
    assert page.context.cookies() == [], "a citizen gets no cookie"

    count_signatures()
    db.session.remove()
    page.goto(campaign_url)
    # Without a cookie the browser may keep the page for one count interval: a reload asks
    # again (If-None-Match), and the new count has changed its ETag.
    page.reload()
    assert page.locator("[data-count]").inner_text() == "1"
    assert page.locator(".recent li").all_inner_texts() == ["Ann, NY"]


def test_without_javascript_one_press_signs(browser, campaign_url, outbox):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    _fill_and_sign(page, campaign_url, "Ann Lee", "ann@example.org")
    page.get_by_role("heading", name="Check your email").wait_for()
    assert drain() == 1
    assert context.cookies() == []
    context.close()


def test_an_open_campaign_page_shows_new_signatures_without_a_reload(page, campaign_url):
    page.goto(campaign_url)
    assert page.locator("[data-count]").inner_text() == "0"
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.slug == SLUG))
    for _ in range(2):
        make_signature(campaign)
    count_signatures()
    db.session.remove()
    # The script polls count.json; a tab coming back into view asks at once. (Predicates are
    # functions: a bare expression would be eval'd in the page, which its CSP forbids.)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_function("() => document.querySelector('[data-count]').textContent === '2'")
    assert page.locator(".progress-block .count").inner_text().startswith("2 signatures")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_campaign_page_is_readable_labelled_and_shareable(page, campaign_url, viewport):
    page.set_viewport_size(viewport)
    page.goto(campaign_url)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"campaign-{viewport['width']}-top.png"))
    _shoot(page, "campaign")

    inputs = page.locator("form input:not([type=hidden]):not([tabindex='-1'])")
    assert inputs.count() == 5
    for i in range(inputs.count()):
        input_id = inputs.nth(i).get_attribute("id")
        label = page.locator(f"label[for='{input_id}']")
        assert label.is_visible(), f"#{input_id} has no visible label"
        assert label.inner_text().strip()

    levels = [
        int(tag[1])
        for tag in page.locator("h1, h2, h3, h4, h5, h6").evaluate_all(
            "els => els.map(e => e.tagName)"
        )
    ]
    assert levels[0] == 1 and levels.count(1) == 1
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, f"heading jumps from h{before} to h{after}: {levels}"

    for selector in (
        "h1",
        ".summary",
        ".updated",
        "label[for=name]",
        ".hint",
        "button",
        ".explainer p",
        ".sources li",
        ".site-footer p",
        ".goal",
    ):
        ratio = page.locator(selector).first.evaluate(CONTRAST_JS)
        assert ratio >= 4.5, f"{selector} contrast {ratio:.2f} is below WCAG AA"

    og = {
        prop: page.locator(f"meta[property='og:{prop}']").get_attribute("content")
        for prop in ("title", "description", "url", "type", "site_name")
    }
    assert og["title"].startswith("Deportations to third countries")
    assert og["description"].startswith(
        "A spring 2025 news report (a rewritten version of a CNN story) said the U.S. was exploring"
    )
    assert og["url"] == campaign_url
    assert og["type"] == "website"


def test_after_a_refused_form_focus_is_on_the_error_summary(page, campaign_url):
    page.set_viewport_size(PHONE)
    page.goto(campaign_url)
    page.get_by_label("Full name").fill("Ann Lee")
    page.get_by_role("button", name="Sign").click()
    page.locator(".error-summary").wait_for()
    assert page.evaluate("document.activeElement.className") == "error-summary"
    _shoot(page, "sign-error")
    sizes = page.eval_on_selector_all(
        "input[type=checkbox]", "els => els.map(e => [e.offsetWidth, e.offsetHeight])"
    )
    assert len(sizes) >= 2 and len(set(map(tuple, sizes))) == 1, sizes


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_mistyped_address_is_shown_masked_corrected_and_the_confirmed_page_says_what_next(
    page, campaign_url, outbox, viewport
):
    page.set_viewport_size(viewport)
    _fill_and_sign(page, campaign_url, "June Park", "june@exmaple.com")
    page.get_by_role("heading", name="Wrong address?").wait_for()
    assert page.locator(".address").inner_text() == "j•••@exmaple.com"
    _shoot(page, "check-email-masked")

    page.get_by_label("Email", exact=True).fill("june@example.com")
    # A locator waits across the navigation (a polled script would die with the old page).
    page.get_by_role("button", name="Send the link to this address").click()
    page.locator(".address", has_text="j•••@example.com").wait_for()
    drain()
    assert [m.to for m in outbox] == ["June Park <june@example.com>"]
    page.goto(f"{campaign_url.rsplit('/c/', 1)[0]}/confirm/{link_token(outbox[0], 'confirm')}")
    page.get_by_role("button", name="Confirm my signature").click()
    page.get_by_role("heading", name="What you can do next").wait_for()
    assert page.locator("[data-count]").inner_text() == "1"
    write = page.get_by_role("link", name="Write to your representatives")
    assert write.get_attribute("href").endswith("/write?zip=10001")
    _shoot(page, "confirmed-next-steps")
    assert page.context.cookies() == []


def test_a_digest_with_new_constituent_signatures_renders(page, app, outbox):
    from datetime import date

    from app import clock
    from app.models import TargetKind
    from app.services.delivery.digests import queue_digests
    from app.services.delivery.sending import send_all_due
    from tests.factories import make_campaign, make_target

    clock.freeze()
    try:
        office = make_target(
            kind=TargetKind.US_HOUSE,
            name="Rep. Jerrold Nadler",
            title="U.S. Representative",
            state="NY",
            district="12",
            email="office@house.example",
            wants_digest=True,
        )
        for title, n in (("Deportations to third countries", 14), ("Keep the clinic open", 3)):
            campaign = make_campaign(title=title, petition="Statement.")
            campaign.fixed_targets = [office]
            db.session.commit()
            for _ in range(n):
                make_signature(campaign, state="NY", district="12")
        clock.advance(60)
        queue_digests(date(2026, 12, 5))
        send_all_due()
    finally:
        clock.reset()
    [digest] = [m for m in outbox if m.category == "digest"]
    assert digest.subject == "17 new signatures from constituents: December 5, 2026"
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        page.set_content(digest.html)
        _shoot(page, "digest-signatures")
