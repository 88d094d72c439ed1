"""In headless Chromium, a reader whose browser asks for Spanish: reads the campaign in
Spanish, signs, gets the confirmation email in Spanish, confirms, and sees the count
written as Spanish writes it; an English reader of the same address is unaffected, with
the shared page cache on."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Campaign, Signature
from app.services.delivery.sending import drain
from app.services.signing.counting import count_signatures
from tests.helpers import link_token

pytestmark = pytest.mark.browser

SLUG = "third-country-deportations"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = Path("/tmp/shots")
CACHE_SECONDS = 30
SPANISH_TITLE = "Deportaciones a terceros países: los planes para Libia y Ruanda"
ENGLISH_TITLE = "Deportations to third countries"


@pytest.fixture
def app(make_app, frozen_clock):
    """The app with the shared page cache on, on a clock the test moves past it."""
    app = make_app(PAGE_CACHE_SECONDS=CACHE_SECONDS)
    with app.app_context():
        yield app


@pytest.fixture
def campaign_url(app, live_server) -> str:
    assert app.test_cli_runner().invoke(args=["seed"]).exit_code == 0
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.slug == SLUG))
    campaign.signature_count = 1233
    db.session.commit()
    db.session.remove()
    return f"{live_server.url}/c/{SLUG}"


@pytest.fixture
def reader(browser):
    """A fresh browser context whose every request says Accept-Language: <language>."""
    contexts = []

    def open_page(language: str, viewport: dict = DESKTOP):
        context = browser.new_context(
            viewport=viewport, extra_http_headers={"Accept-Language": language}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def _count(page) -> str:
    return page.locator("[data-count]").inner_text()


def test_a_spanish_reader_signs_and_confirms_in_spanish_and_english_is_unaffected(
    reader, campaign_url, outbox, frozen_clock
):
    spanish = reader("es")
    spanish.goto(campaign_url)
    assert spanish.locator("html").get_attribute("lang") == "es"
    assert spanish.locator("h1").inner_text() == SPANISH_TITLE
    assert _count(spanish) == "1.233"
    assert spanish.locator(".goal").inner_text() == "de una meta de 100.000"

    english = reader("en-US,en;q=0.9")
    english.goto(campaign_url)  # the Spanish copy is in the page cache now
    assert english.locator("html").get_attribute("lang") == "en"
    assert english.locator("h1").inner_text().startswith(ENGLISH_TITLE)
    assert _count(english) == "1,233"
    assert "Firme" not in english.content()

    spanish.locator("#name").fill("Ana López")
    spanish.locator("#email").fill("ana@example.org")
    spanish.locator("#zip").fill("10001")
    spanish.get_by_role("button", name="Firmar", exact=True).click()
    spanish.get_by_role("heading", name="Revise su correo electrónico").wait_for()
    assert db.session.scalar(sa.select(Signature.locale)) == "es"

    assert drain() == 1
    [message] = outbox
    assert message.subject == f"Confirme su firma: {SPANISH_TITLE}"
    assert "Hola, Ana:" in message.text and '<html lang="es">' in message.html
    token = link_token(message, "confirm")
    assert f"/es/confirm/{token}" in message.text
    spanish.goto(f"{campaign_url.rsplit('/c/', 1)[0]}/es/confirm/{token}")
    spanish.get_by_role("button", name="Confirmar mi firma").click()
    spanish.get_by_role("heading", name="Gracias, su firma está confirmada").wait_for()
    assert spanish.context.cookies() == [], "the language came from the browser, no cookie"

    count_signatures()
    db.session.remove()
    frozen_clock.advance(CACHE_SECONDS + 1)  # past the page cache's copies of both
    spanish.goto(campaign_url)
    spanish.reload()  # the browser's own copy is asked again (If-None-Match)
    assert _count(spanish) == "1.234"
    assert spanish.locator(".count [data-count-unit]").inner_text() == "firmas"

    english.goto(campaign_url)
    english.reload()
    assert _count(english) == "1,234"
    assert english.locator("h1").inner_text().startswith(ENGLISH_TITLE)

    # Once more within the cache's life: each language still gets its own copy.
    again = reader("en")
    again.goto(campaign_url)
    assert _count(again) == "1,234" and again.locator("html").get_attribute("lang") == "en"
    again_es = reader("es-MX,es;q=0.9")
    again_es.goto(campaign_url)
    assert _count(again_es) == "1.234" and again_es.locator("h1").inner_text() == SPANISH_TITLE


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_spanish_campaign_page_fits_phone_and_desktop(reader, campaign_url, viewport):
    page = reader("es", viewport)
    page.goto(campaign_url)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"campaign-es-{viewport['width']}-top.png"))
    page.screenshot(path=str(SHOTS / f"campaign-es-{viewport['width']}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert page.locator(".notice.translation").count() == 0, "the seed is wholly in Spanish"
    assert "Entregada como petición a cada miembro del Congreso" in page.content()


def test_the_share_button_and_the_embed_speak_spanish(reader, campaign_url):
    page = reader("es", PHONE)
    page.goto(campaign_url)
    page.get_by_role("button", name="Compartir").click()
    status = page.locator("#share-status")
    status.filter(has_text="enlace").wait_for()  # whichever way the copy went
    assert status.inner_text() in ("Enlace copiado.", "Copie el enlace del cuadro de abajo.")
    SHOTS.mkdir(exist_ok=True)
    page.locator(".share").screenshot(path=str(SHOTS / "share-es.png"))
    page.goto(f"{campaign_url}/embed")
    assert page.locator("html").get_attribute("lang") == "es"
    page.get_by_role("button", name="Firmar", exact=True).wait_for()
    page.screenshot(path=str(SHOTS / "embed-es.png"), full_page=True)
