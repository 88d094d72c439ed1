"""The signer's own "check your email" page: the masked address, and correcting a typo."""

import sqlalchemy as sa

from app.extensions import db
from app.models import Delivery, Signature, SignatureStatus
from app.services.delivery.sending import drain
from app.services.letters.places import locate_zip
from app.services.letters.writing import LetterDraft
from app.services.signing import awaiting, signatures
from app.services.signing.awaiting import PAGE_MAX_AGE
from tests.factories import make_campaign, make_target
from tests.helpers import link_token, sign_via_form


def _signatures() -> list[tuple[str | None, str]]:
    return db.session.execute(
        sa.select(Signature.email, Signature.status).order_by(Signature.id)
    ).all()


def _correct(client, page_url: str, email: str, **headers):
    return client.post(page_url, data={"email": email}, headers=headers)


def test_the_page_shows_the_masked_address_privately_and_never_the_address(client):
    campaign = make_campaign()
    page_url = sign_via_form(client, campaign.slug, email="june@exmaple.com").headers["Location"]
    assert "june" not in page_url and "exmaple" not in page_url
    page = client.get(page_url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "j•••@exmaple.com" in html
    assert "june@" not in html
    assert page.headers["Cache-Control"] == "private, no-store"
    assert page.headers.get("Set-Cookie") is None
    assert "Wrong address?" in html


def test_correcting_the_address_sends_the_link_there_and_voids_the_old_one(client, outbox):
    campaign = make_campaign()
    page_url = sign_via_form(client, campaign.slug, email="ann@exmaple.org").headers["Location"]
    drain()
    old_link = link_token(outbox[0], "confirm")

    response = _correct(client, page_url, "Ann@Example.org")
    assert response.status_code == 302
    assert "a•••@example.org" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _signatures() == [("ann@example.org", SignatureStatus.PENDING)]
    drain()
    assert [m.to for m in outbox] == ["Ann Lee <ann@exmaple.org>", "Ann Lee <ann@example.org>"]
    # Nothing more goes to the mistyped address, which is erased from what was sent.
    recipients = db.session.scalars(sa.select(Delivery.recipient).order_by(Delivery.id)).all()
    assert recipients == ["", "ann@example.org"]

    assert client.post(f"/confirm/{old_link}").status_code == 400
    assert client.post(f"/confirm/{link_token(outbox[1], 'confirm')}").status_code == 200
    assert _signatures() == [("ann@example.org", SignatureStatus.CONFIRMED)]
    # The page of the old address can change nothing any more.
    assert _correct(client, page_url, "eve@example.org").status_code == 400


def test_a_confirmed_signature_keeps_its_address(client, outbox):
    campaign = make_campaign()
    page_url = sign_via_form(client, campaign.slug).headers["Location"]
    drain()
    client.post(f"/confirm/{link_token(outbox[0], 'confirm')}")
    response = _correct(client, page_url, "other@example.org")
    assert response.status_code == 409
    assert "confirmed already" in response.get_data(as_text=True)
    assert _signatures() == [("ann@example.org", SignatureStatus.CONFIRMED)]
    assert drain() == 0


def test_a_page_reached_with_someone_elses_address_cannot_move_their_signature(client, outbox):
    campaign = make_campaign()
    sign_via_form(client, campaign.slug, name="Vic Tim", email="vic@example.org")
    # Anyone may type Vic's address; their page must not hand Vic's signature over.
    page_url = sign_via_form(
        client, campaign.slug, name="Eve Spy", email="vic@example.org", zip="94110"
    ).headers["Location"]
    response = _correct(client, page_url, "eve@example.org")
    assert response.status_code == 302
    assert _signatures() == [
        ("vic@example.org", SignatureStatus.PENDING),
        ("eve@example.org", SignatureStatus.PENDING),
    ]
    drain()
    to_eve = [m for m in outbox if "eve@example.org" in m.to]
    assert [m.to for m in to_eve] == ["Eve Spy <eve@example.org>"]
    assert "Vic" not in to_eve[0].text
    eve = db.session.scalar(sa.select(Signature).where(Signature.email == "eve@example.org"))
    assert eve.zip == "94110"


def test_correcting_to_an_address_that_signed_already_reminds_it_and_drops_the_typo(client, outbox):
    campaign = make_campaign()
    sign_via_form(client, campaign.slug, email="ann@example.org")
    page_url = sign_via_form(client, campaign.slug, email="ann@exmaple.org").headers["Location"]
    response = _correct(client, page_url, "ann@example.org")
    assert response.status_code == 302
    assert _signatures() == [
        ("ann@example.org", SignatureStatus.PENDING),
        (None, SignatureStatus.WITHDRAWN),
    ]
    drain()
    assert [m.to for m in outbox] == ["Ann Lee <ann@example.org>"] * 2


def test_corrections_share_the_cap_on_links_sent(app, client, outbox):
    campaign = make_campaign()
    page_url = sign_via_form(client, campaign.slug, email="a0@example.org").headers["Location"]
    limit = app.config["CONFIRMATION_RESEND_LIMIT"]
    for n in range(1, limit):
        page_url = _correct(client, page_url, f"a{n}@example.org").headers["Location"]
    refused = _correct(client, page_url, "one.more@example.org")
    assert refused.status_code == 409
    assert "as many links" in refused.get_data(as_text=True)
    # Each correction cancelled the link to the address before it: one is sent, to the last.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == limit
    assert drain() == 1
    assert [m.to for m in outbox] == [f"Ann Lee <a{limit - 1}@example.org>"]


def test_hostile_corrections_change_nothing(client, outbox):
    campaign = make_campaign()
    page_url = sign_via_form(client, campaign.slug).headers["Location"]
    crlf = _correct(client, page_url, "ann@example.org\r\nBcc: all@example.org")
    assert crlf.status_code == 400
    cross_site = _correct(client, page_url, "eve@example.org", **{"Sec-Fetch-Site": "cross-site"})
    assert cross_site.status_code == 403
    forged = _correct(client, page_url[:-8] + "AAAAAAA=", "eve@example.org")
    assert forged.status_code == 400
    elsewhere = make_campaign()
    other_campaign = _correct(
        client, page_url.replace(campaign.slug, elsewhere.slug), "eve@example.org"
    )
    assert other_campaign.status_code == 400
    assert _signatures() == [("ann@example.org", SignatureStatus.PENDING)]
    assert drain() == 1


def test_an_expired_page_shows_no_address_and_corrects_nothing(client, frozen_clock):
    campaign = make_campaign()
    page_url = sign_via_form(client, campaign.slug).headers["Location"]
    frozen_clock.advance(PAGE_MAX_AGE - 1)
    assert client.get(page_url).status_code == 200
    frozen_clock.advance(2)
    expired = client.get(page_url)
    assert expired.status_code == 302
    assert expired.headers["Location"].endswith(f"/c/{campaign.slug}/check-email")
    assert _correct(client, page_url, "eve@example.org").status_code == 400
    assert _signatures() == [("ann@example.org", SignatureStatus.PENDING)]


def test_a_bots_honeypot_page_looks_the_same_and_records_nothing(client):
    campaign = make_campaign()
    page_url = sign_via_form(client, campaign.slug, website="http://spam").headers["Location"]
    assert "a•••@example.org" in client.get(page_url).get_data(as_text=True)
    assert _correct(client, page_url, "bot@example.org").status_code == 302
    assert _signatures() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 0


def test_a_letter_writers_corrected_address_keeps_the_letter_and_its_confirm_link(app, outbox):
    campaign = make_campaign(collects_letters=True)
    target = make_target(email="office@example.gov")
    request = signatures.SignatureRequest(
        name="Ann Lee", email="ann@x.org", place=locate_zip("10001")
    )
    signed = signatures.submit(campaign.slug, request, letter=LetterDraft("S", "B", (target,)))
    token = awaiting.page_token(campaign.slug, request.email, request, signed)
    awaiting.correct_email(token, campaign.slug, "ann@example.org")
    signature = db.session.get(Signature, signed.signature_id)
    assert (signature.email, signature.letter.body) == ("ann@example.org", "B")
    drain()
    assert outbox[-1].to == "Ann Lee <ann@example.org>"
    assert "Confirm my signature and letter" in outbox[-1].html


def test_the_spanish_page_corrects_in_spanish(client):
    campaign = make_campaign()
    response = client.post(
        f"/es/c/{campaign.slug}/sign", data={"name": "Ana", "email": "ana@x.org", "zip": "10001"}
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "¿Dirección equivocada?" in page
    assert f'action="/es/c/{campaign.slug}/check-email/' in page
