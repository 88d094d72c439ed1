"""An organizer edits a campaign's text in Spanish with its preview; kept in the revisions,
audited, and cleaned like the English text."""

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, CampaignStatus, Role
from app.services.campaigns.revisions import changes
from tests.factories import make_campaign
from tests.helpers import csrf_token


def _campaign(**fields):
    return make_campaign(
        title="Stop removals",
        summary="English summary.",
        petition="We ask Congress to act.",
        thresholds=[{"count": 10, "label": "Delivered"}, {"count": 100, "label": "In person"}],
        sources=[
            {"title": "Order", "publisher": "Court", "note": "Our copy had no date."},
            {"title": "Report", "publisher": "Wire"},
        ],
        **fields,
    )


def _post(client, campaign, **fields):
    path = f"/organizer/campaigns/{campaign.id}/text/es"
    data = {"csrf_token": csrf_token(client, path), **fields}
    return client.post(path, data=data)


def test_an_organizer_writes_the_spanish_text_and_readers_of_spanish_see_it(login, client):
    organizer = login(Role.ORGANIZER)
    campaign = _campaign(status=CampaignStatus.DRAFT)
    form = organizer.get(f"/organizer/campaigns/{campaign.id}/text/es").get_data(as_text=True)
    assert "In Español: Stop removals" in form and "English: Our copy had no date." in form
    assert f'href="/es/organizer/campaigns/{campaign.id}/preview"' in form
    response = _post(
        organizer,
        campaign,
        title="Detengan\u200b las expulsiones\n",
        summary="Resumen.\r\n",
        petition="Pedimos al **Congreso** que actúe.",
        explainer="## Qué\n\nUn hecho [1].",
        **{
            "milestone_labels-0": "Entregada",
            "milestone_labels-1": "",
            "source_notes-0": "Sin fecha.",
        },
        **{"source_notes-1": ""},
    )
    assert response.status_code == 302
    db.session.refresh(campaign)
    assert campaign.translations["es"] == {
        "title": "Detengan las expulsiones",
        "summary": "Resumen.",
        "petition": "Pedimos al **Congreso** que actúe.",
        "explainer": "## Qué\n\nUn hecho [1].",
        "milestone_labels": {"10": "Entregada"},
        "source_notes": {"1": "Sin fecha."},
    }
    assert campaign.title == "Stop removals", "the English text is untouched"
    saved = organizer.get(f"/organizer/campaigns/{campaign.id}/text/es").get_data(as_text=True)
    assert "Pedimos al <strong>Congreso</strong> que actúe." in saved, "the petition's preview"

    preview = organizer.get(f"/es/organizer/campaigns/{campaign.id}/preview").get_data(as_text=True)
    assert "<title>Detengan las expulsiones" in preview and '<html lang="es">' in preview
    assert "Entregada" in preview and "Sin fecha." in preview
    assert "se muestran en inglés" in preview, "the second milestone's label is still English"
    english = organizer.get(f"/organizer/campaigns/{campaign.id}/preview").get_data(as_text=True)
    assert "Stop removals" in english and "Detengan" not in english

    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "campaign.translate")
    )
    assert event.organizer_id == organizer.organizer.id and event.detail["locale"] == "es"
    assert event.detail["fields"] == [
        "explainer", "milestone_labels", "petition", "source_notes", "summary", "title"
    ]  # fmt: skip


def test_the_live_preview_of_the_spanish_form_shows_the_typed_markdown(login):
    organizer = login(Role.ORGANIZER)
    campaign = _campaign(translations={"es": {"explainer": "## Qué pasó\n\nAlgo [1]."}})
    form = organizer.get(f"/organizer/campaigns/{campaign.id}/text/es").get_data(as_text=True)
    assert 'id="explainer-preview"' in form and "<h2" in form and "Qué pasó</h2>" in form
    assert 'data-preview-url="/organizer/preview"' in form


def test_a_public_campaign_s_spanish_change_needs_a_reason_and_is_kept_as_a_revision(login):
    organizer = login(Role.ORGANIZER)
    campaign = _campaign(translations={"es": {"title": "Viejo título"}})
    refused = _post(organizer, campaign, title="Nuevo título")
    assert "Say in one line why the public text changed." in refused.get_data(as_text=True)
    db.session.refresh(campaign)
    assert campaign.translations["es"]["title"] == "Viejo título"

    _post(organizer, campaign, title="Nuevo título", **{"source_notes-0": "Sin fecha."},
          reason="Título más claro.")  # fmt: skip
    latest = changes(campaign)[0]
    assert latest.revision.reason == "Título más claro."
    assert latest.revision.author_id == organizer.organizer.id
    shown = {(f.language, f.label): f.lines for f in latest.fields}
    assert shown[("Español", "Title")] == [
        [("removed", "Viejo"), ("added", "Nuevo"), ("same", "título")]
    ]
    assert shown[("Español", "Source notes")] == [[("added", "[1] Sin fecha.")]]
    page = organizer.get(f"/es/c/{campaign.slug}/changes").get_data(as_text=True)
    assert "Título más claro." in page and "Sin fecha." in page


def test_emptying_every_spanish_field_shows_english_again(login):
    organizer = login(Role.ORGANIZER)
    campaign = _campaign(
        status=CampaignStatus.DRAFT, translations={"es": {"title": "Título"}, "xx": {}}
    )
    _post(organizer, campaign, title="   ")
    db.session.refresh(campaign)
    assert "es" not in campaign.translations


def test_only_configured_languages_have_a_text_form(login):
    organizer = login(Role.ORGANIZER)
    campaign = _campaign()
    assert organizer.get(f"/organizer/campaigns/{campaign.id}/text/fr").status_code == 404
    assert organizer.get(f"/organizer/campaigns/{campaign.id}/text/en").status_code == 404


def test_a_viewer_may_not_edit_the_spanish_text(login):
    campaign = _campaign()
    assert login(Role.VIEWER).get(f"/organizer/campaigns/{campaign.id}/text/es").status_code == 403
