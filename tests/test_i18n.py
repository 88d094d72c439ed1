"""Chorus in Spanish and English: the catalog, the choice of language, the page cache,
emails in the signer's language, and counts written as each language writes them."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.extensions import db
from app.models import Signature
from app.services.delivery.sending import drain
from app.services.signing.counting import count_signatures
from tests.factories import make_campaign, make_signature
from tests.helpers import link_token, sign_via_form

ROOT = Path(__file__).resolve().parent.parent
SPANISH = {"Accept-Language": "es-US,es;q=0.9,en;q=0.5"}
# What citizens read must be in Spanish; the organizer workspace, representatives' private
# pages and emails to staff go through the same catalog but may stay English (an empty
# msgstr falls back to the English). Decided by where the string is (docs/languages.md).
STAFF_TEMPLATES = ("organizer/", "targets/", "email/letter/", "email/digest/",
                   "email/petition_packet/", "email/milestone_notice/", "email/password_reset/",
                   "email/webhook_disabled/")  # fmt: skip
PUBLIC_CODE = ("app/public/", "app/services/letters/", "app/services/signing/",
               "app/services/errors.py", "app/services/tokens.py", "app/errors.py",
               "app/services/campaigns/preview.py", "app/services/delivery/composing.py",
               "app/services/targets/datasets.py", "app/models/target.py")  # fmt: skip
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "N_": None}  # fmt: skip


def public_template_strings() -> set:
    """Every string marked for translation in a template citizens see (pages and emails)."""
    found = set()
    for filename, _line, message, _comments, _context in extract_from_dir(
        ROOT / "templates",
        method_map=[("**.html", "jinja2"), ("**.txt", "jinja2")],
        options_map={"**": {"trimmed": "true"}},
    ):
        if not filename.startswith(STAFF_TEMPLATES):
            found.add(message)
    return found


def public_code_strings() -> set:
    """Every string marked for translation in the code that speaks to citizens."""
    return {
        message
        for filename, _line, message, _comments, _context in extract_from_dir(
            ROOT / "app", method_map=[("**.py", "python")], keywords=KEYWORDS
        )
        if f"app/{filename}".startswith(PUBLIC_CODE)
    }


def untranslated(strings: set) -> list:
    with (ROOT / "app/translations/es/LC_MESSAGES/messages.po").open("rb") as po:
        catalog = read_po(po)
    missing = []
    for message in strings:
        key = message if isinstance(message, str) else message[0]
        entry = catalog.get(key)
        translations = (
            []
            if entry is None
            else ([entry.string] if isinstance(entry.string, str) else list(entry.string))
        )
        if entry is None or entry.fuzzy or not all(translations):
            missing.append(message)
    return missing


def test_every_public_template_string_has_a_spanish_translation():
    strings = public_template_strings()
    assert len(strings) > 150, "the extractor found the templates' strings"
    assert untranslated(strings) == []


def test_every_public_code_string_has_a_spanish_translation():
    strings = public_code_strings()
    assert "Letters to your governor are held: %(reason)s." in strings
    assert "This link has expired. Please sign again to get a new one." in strings
    assert untranslated(strings) == []


def test_accept_language_spanish_reads_the_campaign_in_spanish_and_english_is_unaffected(client):
    campaign = make_campaign(signature_count=1234, goal=10000)
    spanish = client.get(f"/c/{campaign.slug}", headers=SPANISH)
    english = client.get(f"/c/{campaign.slug}", headers={"Accept-Language": "en-US,en"})
    es, en = spanish.get_data(as_text=True), english.get_data(as_text=True)
    assert '<html lang="es">' in es and "Firme la petición" in es
    assert "1.234</strong>" in es and ">firmas</span>" in es and "de una meta de 10.000" in es
    assert '<html lang="en">' in en and "Sign the petition" in en and "Firme" not in en
    assert "1,234</strong>" in en and ">signatures</span>" in en
    assert "Accept-Language" in spanish.headers["Vary"]
    assert "Set-Cookie" not in spanish.headers, "citizens get no cookie for their language"
    assert 'hreflang="es" href="http://localhost/es/c/' in es or 'hreflang="es"' in es


def test_one_signature_is_singular_in_both_languages(client):
    campaign = make_campaign(signature_count=1)
    assert ">firma</span>" in client.get(f"/es/c/{campaign.slug}").get_data(as_text=True)
    assert ">signature</span>" in client.get(f"/c/{campaign.slug}").get_data(as_text=True)


def test_the_url_prefix_wins_over_the_browser_and_keeps_links_in_its_language(client):
    campaign = make_campaign()
    page = client.get(f"/es/c/{campaign.slug}", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert "Firme la petición" in text
    assert f'action="/es/c/{campaign.slug}/sign"' in text
    assert "Accept-Language" not in page.headers.get("Vary", "")
    assert "Sign the petition" in client.get(f"/en/c/{campaign.slug}", headers=SPANISH).get_data(
        as_text=True
    )


def test_the_switcher_remembers_a_choice_in_a_cookie(client):
    campaign = make_campaign()
    chosen = client.get(f"/language/es?next=/c/{campaign.slug}")
    assert chosen.status_code == 302
    assert chosen.headers["Location"] == f"/es/c/{campaign.slug}"
    assert "lang=es" in chosen.headers["Set-Cookie"]
    assert "Firme la petición" in client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    assert client.get("/language/es?next=//evil.example").headers["Location"] == "/es/"


def test_the_page_cache_never_serves_one_language_to_a_reader_of_the_other(make_app):
    app = make_app(PAGE_CACHE_SECONDS=30)
    with app.app_context():
        path = f"/c/{make_campaign(signature_count=4321).slug}"
        first_es = app.test_client().get(path, headers=SPANISH).get_data(as_text=True)
        first_en = app.test_client().get(path).get_data(as_text=True)
        again_es = app.test_client().get(path, headers=SPANISH).get_data(as_text=True)
        again_en = (
            app.test_client().get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
        )
        prefixed = app.test_client().get(f"/es{path}").get_data(as_text=True)
    assert "4.321" in first_es and "4.321" in again_es and "4.321" in prefixed
    assert "4,321" in first_en and "4,321" in again_en
    assert "Firme la petición" not in first_en + again_en


def test_a_spanish_signer_gets_the_confirmation_in_spanish_and_confirms_in_spanish(client, outbox):
    campaign = make_campaign(title="Una campaña")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    assert sign_via_form(client, campaign.slug).status_code == 302
    assert db.session.scalar(sa.select(Signature.locale)) == "es"
    assert drain() == 1
    message = outbox[0]
    assert message.subject.startswith("Confirme su firma:")
    assert "Hola, Ann:" in message.text and "Confirme su firma abriendo este enlace" in message.text
    assert '<html lang="es">' in message.html and "Confirmar mi firma" in message.html
    assert "/es/confirm/" in message.text
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE")  # the link alone says Spanish
    token = link_token(message, "confirm")
    asked = client.get(f"/es/confirm/{token}").get_data(as_text=True)
    assert "Confirme su firma" in asked and f'action="/es/confirm/{token}"' in asked
    confirmed = client.post(f"/es/confirm/{token}")
    assert "Gracias, su firma está confirmada" in confirmed.get_data(as_text=True)
    count_signatures()
    counted = client.get(f"/es/c/{campaign.slug}").get_data(as_text=True)
    assert "<strong data-count>1</strong>" in counted and ">firma</span>" in counted


def test_an_english_signer_still_gets_english_email(client, outbox):
    campaign = make_campaign()
    make_signature(campaign, locale="es")  # another signer's language changes nothing here
    sign_via_form(client, campaign.slug, email="bo@example.org")
    drain()
    assert outbox[0].subject.startswith("Please confirm your signature:")
    assert "/es/" not in outbox[0].text


def test_campaign_text_in_spanish_with_a_note_where_english_shows_through(client):
    campaign = make_campaign(
        title="English title",
        summary="English summary",
        translations={"es": {"title": "Título en español"}},
    )
    text = client.get(f"/es/c/{campaign.slug}").get_data(as_text=True)
    assert "Título en español" in text and "English summary" in text
    assert "se muestran en inglés" in text
    english = client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    assert "English title" in english and "se muestran en inglés" not in english


FULLY_TRANSLATED = {
    "title": "Título",
    "summary": "Resumen",
    "explainer": "## Qué\n\nUn hecho [1].\n",
}


def _campaign_with_milestones_and_notes(**spanish):
    return make_campaign(
        title="English title",
        summary="English summary",
        thresholds=[{"count": 10, "label": "Delivered to Congress"}, {"count": 50, "label": ""}],
        sources=[
            {"title": "A source", "publisher": "P", "note": "Our copy had no date."},
            {"title": "Another", "publisher": "Q"},
        ],
        translations={"es": {**FULLY_TRANSLATED, **spanish}},
    )


def test_milestone_labels_and_source_notes_read_in_spanish_without_a_note(client):
    campaign = _campaign_with_milestones_and_notes(
        milestone_labels={"10": "Entregada al Congreso"},
        source_notes={"1": "Nuestra copia no tenía fecha."},
    )
    text = client.get(f"/es/c/{campaign.slug}").get_data(as_text=True)
    assert "Entregada al Congreso" in text and "Delivered to Congress" not in text
    assert "Nuestra copia no tenía fecha." in text and "Our copy had no date." not in text
    assert "se muestran en inglés" not in text
    english = client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    assert "Delivered to Congress" in english and "Our copy had no date." in english
    assert "Entregada" not in english and "Nuestra copia" not in english


@pytest.mark.parametrize(
    "spanish",
    [
        {"source_notes": {"1": "Nuestra copia no tenía fecha."}},
        {"milestone_labels": {"10": "Entregada al Congreso"}},
    ],
    ids=["label missing", "note missing"],
)
def test_a_missing_milestone_label_or_source_note_shows_in_english_with_the_note(client, spanish):
    campaign = _campaign_with_milestones_and_notes(**spanish)
    text = client.get(f"/es/c/{campaign.slug}").get_data(as_text=True)
    assert "se muestran en inglés" in text
    assert ("Delivered to Congress" in text) != ("Our copy had no date." in text)


def test_a_spanish_supporter_hears_of_a_milestone_with_its_spanish_label(outbox):
    campaign = make_campaign(
        thresholds=[{"count": 1, "label": "Delivered to Congress"}],
        translations={"es": {"title": "Una campaña", "milestone_labels": {"1": "Entregada"}}},
    )
    make_signature(campaign, locale="es", consent_updates=True)
    count_signatures()
    drain()
    [email] = [m for m in outbox if m.category == "milestone"]
    assert email.subject == "1 firma: Una campaña"
    assert "Entregada." in email.text and "Delivered" not in email.text
    assert "Entregada." in email.html


def test_the_embedded_form_and_its_thanks_page_speak_spanish(client):
    campaign = make_campaign(
        title="English title",
        sponsor="Vecinos Unidos",
        translations={"es": {"title": "Título en español", "petition": "Pedimos esto."}},
    )
    form = client.get(f"/es/c/{campaign.slug}/embed").get_data(as_text=True)
    assert '<html lang="es">' in form and "<title>Firme: Título en español" in form
    assert ">Firmar</button>" in form and "Pedimos esto." in form and "English" not in form
    assert "Organizada por Vecinos Unidos." in form
    thanks = client.get(f"/es/c/{campaign.slug}/embed/thanks").get_data(as_text=True)
    assert '<html lang="es">' in thanks and "Ábralo para confirmar su firma en" in thanks
    assert "Título en español</a>" in thanks
    english = client.get(f"/c/{campaign.slug}/embed").get_data(as_text=True)
    assert '<html lang="en">' in english and ">Sign</button>" in english
    assert "English title" in english and "Run by Vecinos Unidos." in english


def test_sharing_speaks_the_readers_language_in_the_link_card_and_the_share_button(make_app):
    app = make_app(PAGE_CACHE_SECONDS=30)
    with app.app_context():
        campaign = make_campaign(title="Una campaña", signature_count=1234)
        path = f"/c/{campaign.slug}"
        spanish = app.test_client().get(path, headers=SPANISH).get_data(as_text=True)
        english_png = app.test_client().get(f"{path}/preview.png").data
        spanish_png = app.test_client().get(f"{path}/preview.png", headers=SPANISH).data
        prefixed_png = app.test_client().get(f"/es{path}/preview.png").data
        again_png = app.test_client().get(f"{path}/preview.png").data
    assert '<meta property="og:image:alt" content="Una campaña: 1.234 firmas">' in spanish
    assert 'data-copied="Enlace copiado."' in spanish
    assert 'data-copy-failed="Copie el enlace del cuadro de abajo."' in spanish
    assert spanish_png != english_png, "the image says firmas, not signatures"
    assert prefixed_png == spanish_png and again_png == english_png
