"""The campaign page: everything it shows comes from the campaign's row and its page
snapshot, read in one query however many signers, responses and comments it has; and
every change of what it shows reaches the page through the snapshot's writers."""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask import template_rendered
from sqlalchemy import event

from app.clock import utcnow
from app.extensions import db
from app.models import CampaignPage, Moderation, Organizer, Response, Role
from app.public.page import RenderedPages
from app.services import tokens
from app.services.campaigns import editing
from app.services.signing import retention, signatures
from app.services.signing.counting import count_signatures
from app.services.targets.access import post_response
from app.services.workspace import moderation, organization
from tests.factories import make_campaign, make_signature, make_target
from tests.organizer.helpers import make_letter

# The campaign and its page snapshot, in one statement.
CAMPAIGN_PAGE_QUERIES = 1


def _campaign_with(extras: int) -> str:
    """A campaign with this many signers shown, responses and comments; return its slug."""
    campaign = make_campaign(collects_letters=True, collects_comments=True)
    for n in range(extras):
        target = make_target(name=f"Rep {n}", email=f"rep{n}@example.gov")
        db.session.add(Response(campaign_id=campaign.id, target_id=target.id, body=f"Reply {n}"))
        signer = make_signature(
            campaign, name=f"Signer{n} Lee", email=f"s{n}@example.org", show_publicly=True
        )
        make_letter(
            signer, body=f"Comment {n}", public_comment=True, moderation=Moderation.APPROVED
        )
    db.session.commit()
    slug = campaign.slug
    db.session.expunge_all()  # the page reads its rows afresh, as in a real request
    return slug


def _statements_to_render(app, path: str) -> tuple[list[str], str]:
    with app.app_context():
        organization.shown_profile()  # the footer's site setting, cached by each process
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = app.test_client().get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200
    return statements, response.get_data(as_text=True)


@pytest.mark.parametrize("extras", [1, 5])
@pytest.mark.parametrize("prefix", ["", "/es"])
def test_the_campaign_page_renders_in_one_query_in_every_language(app, extras, prefix):
    slug = _campaign_with(extras)
    first, _ = _statements_to_render(app, f"{prefix}/c/{slug}")  # writes the snapshot
    statements, page = _statements_to_render(app, f"{prefix}/c/{slug}")
    assert f"Rep {extras - 1}" in page and f"Comment {extras - 1}" in page
    assert f"Signer{extras - 1}" in page
    assert len(statements) == CAMPAIGN_PAGE_QUERIES
    assert "campaign_pages" in statements[0]
    assert len(first) > CAMPAIGN_PAGE_QUERIES


def _page(client, slug: str) -> str:
    response = client.get(f"/c/{slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _organizer() -> Organizer:
    organizer = Organizer(email="organizer@example.org", password_hash="x", role=Role.ADMIN)
    db.session.add(organizer)
    db.session.commit()
    return organizer


@pytest.fixture
def shown(app, client):
    """A campaign whose page already shows one public signer with an approved comment."""
    campaign = make_campaign(collects_letters=True, collects_comments=True, thresholds=[])
    signer = make_signature(campaign, name="Ada Lovelace", show_publicly=True, counted=False)
    make_letter(
        signer,
        body="Engines can weave algebra.",
        public_comment=True,
        moderation=Moderation.APPROVED,
    )
    count_signatures()
    page = _page(client, campaign.slug)
    assert "Ada" in page and "Engines can weave algebra." in page
    return campaign, signer


def test_a_withdrawn_signer_and_their_comment_leave_the_page_at_once(app, client, shown):
    campaign, signer = shown
    signatures.withdraw(tokens.make_token(tokens.WITHDRAW, signer.id, signer.email))
    page = _page(client, campaign.slug)  # no counting run in between
    assert "Ada" not in page and "weave algebra" not in page


def test_erasing_a_campaigns_personal_data_empties_its_page(app, client, shown):
    campaign, _ = shown
    retention.erase_personal_data(campaign, utcnow())
    page = _page(client, campaign.slug)
    assert "Ada" not in page and "weave algebra" not in page
    db.session.expire_all()
    stored = db.session.get(CampaignPage, campaign.id).shown
    assert stored["signers"] == [] and stored["comments"] == []


def test_a_signer_marked_fraudulent_leaves_the_page(app, client, shown):
    campaign, signer = shown
    moderation.invalidate(campaign, "domain", signer.email_domain, _organizer())
    assert "Ada" not in _page(client, campaign.slug)


def test_a_newly_confirmed_public_signer_joins_the_page_when_counted(app, client, shown):
    campaign, _ = shown
    make_signature(campaign, name="Grace Hopper", show_publicly=True, counted=False)
    count_signatures()
    page = _page(client, campaign.slug)
    assert "Grace" in page and "Ada" in page


def test_a_milestone_reached_shows_on_the_page(app, client):
    campaign = make_campaign(thresholds=[{"count": 1, "label": "First voice"}])
    assert "next: 1 to go" in _page(client, campaign.slug)
    make_signature(campaign, counted=False)
    count_signatures()
    page = _page(client, campaign.slug)
    assert "First voice" in page and "reached" in page and "next:" not in page


def test_moderation_shows_and_hides_comments(app, client, shown):
    campaign, signer = shown
    other = make_signature(campaign, name="Grace Hopper", show_publicly=False)
    waiting = make_letter(
        other, body="Grace's comment.", public_comment=True, moderation=Moderation.PENDING
    )
    organizer = _organizer()
    assert "Grace&#39;s comment." not in _page(client, campaign.slug)
    moderation.decide(campaign, [waiting.id], "approve", organizer)
    assert "Grace&#39;s comment." in _page(client, campaign.slug)
    hidden = make_letter(
        make_signature(campaign, name="Hedy Lamarr"),
        body="Hedy's comment.",
        public_comment=True,
        moderation=Moderation.PENDING,
    )
    moderation.decide(campaign, [hidden.id], "approve", organizer)
    assert "Hedy&#39;s comment." in _page(client, campaign.slug)


def test_a_posted_response_shows_and_an_organizer_can_hide_it(app, client, shown):
    campaign, _ = shown
    target = make_target(name="Rep Jones", title="Representative")
    response = post_response(target, campaign, "We hear you.", "Staffer Kim")
    assert "We hear you." in _page(client, campaign.slug)
    organizer = _organizer()
    editing.hide_response(campaign, response.id, organizer)
    assert "We hear you." not in _page(client, campaign.slug)
    editing.show_response(campaign, response.id, organizer)
    page = _page(client, campaign.slug)
    assert "We hear you." in page and "Representative Rep Jones" in page


def test_turning_comments_off_takes_them_off_the_page(app, client, shown):
    campaign, _ = shown
    values = replace(editing.input_from(campaign), collects_comments=False)
    editing.update_campaign(campaign, values, _organizer())
    page = _page(client, campaign.slug)
    assert "weave algebra" not in page and "Ada" in page


def _renders(app, client, path: str) -> int:
    """How many templates rendering path rendered."""
    rendered = []

    def record(sender, template, context, **extra):
        rendered.append(template.name)

    template_rendered.connect(record, app)
    try:
        assert client.get(path).status_code == 200
    finally:
        template_rendered.disconnect(record, app)
    return len(rendered)


def test_an_unchanged_page_is_rendered_once_and_a_new_count_renders_it_again(app, client):
    campaign = make_campaign()
    path = f"/c/{campaign.slug}"
    assert _renders(app, client, path) == 1
    assert _renders(app, client, path) == 0
    assert _renders(app, client, f"/es{path}") == 1  # each language is its own page
    make_signature(campaign, counted=False)
    count_signatures()
    assert _renders(app, client, path) == 1
    assert ">1</strong>" in client.get(path).get_data(as_text=True)


def test_an_edit_of_the_campaigns_text_is_shown_at_once(app, client):
    campaign = make_campaign(summary="The first summary.")
    assert "The first summary." in _page(client, campaign.slug)
    campaign.summary = "A better summary."
    db.session.commit()
    page = _page(client, campaign.slug)
    assert "A better summary." in page and "The first summary." not in page


def test_the_rendered_pages_kept_are_one_per_place_least_recently_used_first():
    pages = RenderedPages(entries=2)
    pages.get(("a",), (1,), lambda: "A")
    pages.get(("b",), (1,), lambda: "B")
    assert pages.get(("a",), (1,), lambda: "not rendered again")[0] == b"A"
    assert pages.get(("a",), (2,), lambda: "A, version 2")[0] == b"A, version 2"
    pages.get(("c",), (1,), lambda: "C")  # b was used least recently
    assert pages.get(("a",), (2,), lambda: "again")[0] == b"A, version 2"
    assert pages.get(("b",), (1,), lambda: "B again")[0] == b"B again"


def test_a_new_translation_is_shown_at_once_in_its_language(app, client):
    campaign = make_campaign(summary="The summary.")
    assert "The summary." in client.get(f"/es/c/{campaign.slug}").get_data(as_text=True)
    campaign.translations = {"es": {"summary": "El resumen."}}
    db.session.commit()
    page = client.get(f"/es/c/{campaign.slug}").get_data(as_text=True)
    assert "El resumen." in page and "The summary." not in page
    assert "The summary." in _page(client, campaign.slug)
