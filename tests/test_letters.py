"""Writing a letter: the web flow, confirmation, the right deliveries, and the email each
representative receives (through the memory backend and a fake SendGrid over HTTP)."""

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import (
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Letter,
    Moderation,
    Signature,
    Target,
    TargetKind,
)
from app.services.delivery.sending import drain
from app.services.letters import writing
from app.services.letters.routing import route_letter
from app.services.signing import signatures
from app.services.signing.counting import count_signatures, exact_counts
from app.services.targets import access
from tests.factories import make_campaign, make_target
from tests.helpers import link_token, sign_via_form
from tests.shared_data import load_congress, requires_data

pytestmark = requires_data

TEMPLATE = "Please make sure anyone facing removal gets notice and a hearing."
MINE = "I teach in San Francisco. The families of my students need a fair hearing. Please act."


@pytest.fixture
def campaign(app, tmp_path):
    """The first campaign's shape: letters to the signer's senators and representative,
    plus an organizer-listed committee chair who has a delivery address."""
    load_congress(tmp_path, {"94110", "35062"})
    chair = make_target(name="Pat Chair", title="Committee chair", email="chair@example.gov")
    return make_campaign(
        collects_letters=True,
        collects_comments=True,
        target_kinds=[TargetKind.US_SENATE, TargetKind.US_HOUSE],
        fixed_targets=[chair],
        letter_subject="Third-country deportations",
        letter_body=TEMPLATE,
        letter_prompt="Say why this matters to you.",
    )


def write_via_form(client, campaign, zip_code="94110", district="", **fields):
    data = {
        "zip": zip_code,
        "district": district,
        "upper": "",
        "lower": "",
        "subject": "Third-country deportations",
        "body": MINE,
        "name": "Ann Lee",
        "email": "ann@example.org",
        "reply_to_ok": "y",
    }
    data.update(fields)
    return client.post(f"/c/{campaign.slug}/write", data=data)


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def test_writer_sees_their_own_representatives_before_writing(client, campaign):
    page = text(client.get(f"/c/{campaign.slug}/write?zip=94110"))
    for expected in (
        "Adam B. Schiff U.S. Senator, Democrat (CA)",
        "Alex Padilla U.S. Senator, Democrat (CA)",
        "Nancy Pelosi U.S. Representative, Democrat (CA-11)",
        "Pat Chair Committee chair",
        "Publishes no email address",
        "Say why this matters to you.",
    ):
        assert expected in page
    assert TEMPLATE in page, "the campaign's template prefills the letter"


def test_zip_in_several_districts_asks_which_before_the_letter(client, campaign):
    page = text(client.get(f"/c/{campaign.slug}/write?zip=35062"))
    assert "Which congressional district do you live in?" in page
    assert "Alabama, 6th district: Gary J. Palmer" in page
    assert "Your letter goes to" not in page
    chosen = text(client.get(f"/c/{campaign.slug}/write?zip=35062&district=AL-6"))
    assert "Gary J. Palmer U.S. Representative" in chosen


def test_unknown_zip_is_a_clear_error_on_the_page(client, campaign):
    response = client.get(f"/c/{campaign.slug}/write?zip=00000")
    assert response.status_code == 400
    assert "We could not find that ZIP code" in text(response)


def test_letter_is_delivered_only_after_confirmation_and_held_where_no_address(
    client, campaign, outbox
):
    response = write_via_form(client, campaign)
    assert response.status_code == 302
    assert f"/c/{campaign.slug}/check-email/" in response.headers["Location"]
    letter = db.session.scalar(sa.select(Letter))
    assert (letter.body, letter.edited, letter.reply_to_ok) == (MINE, True, True)
    assert [d.kind for d in db.session.scalars(sa.select(Delivery))] == [
        DeliveryKind.CONFIRMATION
    ], "nothing goes to a representative before the email is confirmed"

    drain()
    confirmation = outbox[0]
    for line in ("- Adam B. Schiff, U.S. Senator (CA)", "- Nancy Pelosi, U.S. Representative (CA)"):
        assert line in confirmation.text
    page = client.post(f"/confirm/{link_token(confirmation, 'confirm')}")
    deliveries = {
        d.target_id: d.status
        for d in db.session.scalars(sa.select(Delivery).where(Delivery.letter_id == letter.id))
    }
    statuses = {t.name: deliveries[t.id] for t in letter.targets}
    assert statuses == {
        "Adam B. Schiff": DeliveryStatus.HELD,
        "Alex Padilla": DeliveryStatus.HELD,
        "Nancy Pelosi": DeliveryStatus.HELD,
        "Pat Chair": DeliveryStatus.QUEUED,
    }
    shown = text(page)
    assert "Not emailed: this office publishes no email address" in shown
    padilla = next(t for t in letter.targets if t.name == "Alex Padilla")
    assert f'href="{padilla.contact_form_url}"' in page.get_data(as_text=True)
    assert "Copy my letter" in shown and MINE in shown

    assert drain() == 2, "the chair's letter, then the writer's receipt"
    sent = outbox[1]
    assert sent.to == "Pat Chair <chair@example.gov>"
    assert outbox[2].to == "Ann Lee <ann@example.org>" and outbox[2].category == "receipt"
    assert sent.from_addr == "Ann Lee via Chorus <no-reply@chorus.localhost>"
    assert sent.reply_to == "Ann Lee <ann@example.org>"
    assert sent.subject == "Constituent letter from 94110: Third-country deportations"
    assert MINE in sent.text and MINE in sent.html
    assert "Ann Lee\nZIP code 94110, California, 11th district" in sent.text


def test_letters_go_out_through_sendgrid_with_the_right_recipient_and_text(
    sendgrid_app, fake_sendgrid, tmp_path
):
    load_congress(tmp_path, {"94110"})
    office = make_target(
        kind=TargetKind.US_HOUSE, name="Staff Office", title="District office", email="a@b.gov"
    )
    campaign = make_campaign(collects_letters=True, fixed_targets=[office])
    route = route_letter(campaign, "94110")
    signature_id = signatures.sign(
        campaign.slug,
        signatures.SignatureRequest(
            name="Bo Diaz", email="bo@example.org", place=route.signer_place
        ),
        letter=writing.LetterDraft("Hearing", MINE, tuple(route.targets)),
    )
    signature = db.session.get(Signature, signature_id)
    drain()
    confirm_text = fake_sendgrid.accepted()[0].payload["content"][0]["value"]
    signatures.confirm(re.search(r"/confirm/(\S+)", confirm_text).group(1))
    assert signature.status == "confirmed"
    drain()
    letter_request = fake_sendgrid.accepted()[1]
    assert letter_request.recipients == ["a@b.gov"]
    assert "reply_to" not in letter_request.payload, "no Reply-To without the writer's consent"
    plain = letter_request.payload["content"][0]["value"]
    assert plain.startswith(f"Dear Staff Office,\n\n{MINE}\n\nBo Diaz\nZIP code 94110")
    assert len(fake_sendgrid.accepted()) == 3  # and the writer's receipt


def test_signer_who_confirmed_earlier_confirms_once_more_for_a_later_letter(
    client, campaign, outbox
):
    sign_via_form(client, campaign.slug, zip="94110")
    drain()
    client.post(f"/confirm/{link_token(outbox[0], 'confirm')}")
    write_via_form(client, campaign)
    drain()
    assert outbox[1].subject.startswith("Please confirm your letter")
    assert not db.session.scalar(sa.select(Delivery).where(Delivery.kind == DeliveryKind.LETTER))
    client.post(f"/confirm/{link_token(outbox[1], 'confirm')}")
    assert drain() == 2  # the letter, then its receipt
    assert outbox[2].to == "Pat Chair <chair@example.gov>"


def test_unchanged_template_is_recorded_and_exact_duplicates_from_one_sender_are_held(
    client, campaign, outbox
):
    write_via_form(client, campaign, body=TEMPLATE, email="one@example.org")
    write_via_form(client, campaign, body=TEMPLATE.upper(), email="two@example.org")
    first, second = db.session.scalars(sa.select(Letter).order_by(Letter.id)).all()
    assert (first.edited, first.flags) == (False, "")
    assert (second.moderation, second.flags) == (Moderation.PENDING, "duplicate")
    drain()
    for message in outbox:
        client.post(f"/confirm/{link_token(message, 'confirm')}")
    held = db.session.scalars(
        sa.select(Delivery.status).where(Delivery.letter_id == second.id)
    ).all()
    assert set(held) == {DeliveryStatus.HELD}, "held for a moderator, even with an address"
    assert drain() == 2, "only the first writer's letter to the chair goes out (and its receipt)"
    assert outbox[-1].to == "Ann Lee <one@example.org>" and outbox[-1].category == "receipt"


@pytest.mark.parametrize(
    ("body", "flag"),
    [
        ("Read more at https://spam.example/win before you vote.", "link"),
        ("See www.spam.example for the facts.", "link"),
        ("This policy is bullshit and you know it.", "profanity"),
    ],
)
def test_letters_with_links_or_profanity_are_held_for_a_moderator(
    client, campaign, outbox, body, flag
):
    write_via_form(client, campaign, body=body)
    letter = db.session.scalar(sa.select(Letter))
    assert (letter.moderation, letter.flags) == (Moderation.PENDING, flag)
    drain()
    client.post(f"/confirm/{link_token(outbox[0], 'confirm')}")
    statuses = db.session.scalars(sa.select(Delivery.status).where(Delivery.letter_id == letter.id))
    assert set(statuses) == {DeliveryStatus.HELD}
    assert drain() == 0, "nothing reaches the chair before a moderator approves"


def test_public_comment_appears_with_first_name_and_state_only_after_approval(
    client, campaign, outbox
):
    write_via_form(client, campaign, public_comment="y")
    drain()
    client.post(f"/confirm/{link_token(outbox[0], 'confirm')}")
    assert MINE not in text(client.get(f"/c/{campaign.slug}"))
    letter = db.session.scalar(sa.select(Letter))
    assert letter.moderation == Moderation.PENDING
    letter.moderation = Moderation.APPROVED
    db.session.commit()
    page = text(client.get(f"/c/{campaign.slug}"))
    assert f"What people wrote Ann, CA {MINE}" in page
    assert "Lee" not in page and "ann@example.org" not in page


def test_a_district_the_zip_is_not_in_stores_nothing_and_asks_again(client, campaign):
    response = write_via_form(client, campaign, zip_code="35062", district="CA-11")
    assert response.status_code == 302
    assert "/write?zip=35062" in response.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Letter)) == 0


def test_line_breaks_in_a_subject_never_reach_a_header(client, campaign, outbox):
    write_via_form(client, campaign, subject="Hello\r\nBcc: everyone@example.org")
    drain()
    client.post(f"/confirm/{link_token(outbox[0], 'confirm')}")
    drain()
    assert outbox[1].subject.endswith(": Hello Bcc: everyone@example.org")


def test_state_senator_is_chosen_by_district_name_and_receives_the_letter(client, campaign, outbox):
    name = "Berkshire, Hampden, Franklin and Hampshire"
    make_target(
        kind=TargetKind.STATE_UPPER,
        state="CA",
        district=name,
        name="Sam Senator",
        title="State Senator",
        email="sam@senate.example",
    )
    make_target(kind=TargetKind.STATE_UPPER, state="CA", district="2", name="Other Senator")
    campaign.target_kinds = [TargetKind.STATE_UPPER]
    db.session.commit()
    page = text(client.get(f"/c/{campaign.slug}/write?zip=94110"))
    assert f"{name}: Sam Senator" in page
    write_via_form(client, campaign, upper=name)
    letter = db.session.scalar(sa.select(Letter))
    assert letter.state_upper_district == name
    assert sorted(t.name for t in letter.targets) == ["Pat Chair", "Sam Senator"]
    drain()
    client.post(f"/confirm/{link_token(outbox[0], 'confirm')}")
    assert drain() == 3  # two letters, then the receipt
    assert {m.to for m in outbox[1:3]} == {
        "Sam Senator <sam@senate.example>",
        "Pat Chair <chair@example.gov>",
    }


def test_an_older_confirm_link_cannot_send_a_letter_added_later(client, campaign, outbox):
    sign_via_form(client, campaign.slug, zip="94110")
    drain()
    old_link = link_token(outbox[0], "confirm")
    client.post(f"/confirm/{old_link}")
    # Someone writes a letter with this signer's address; the signer's old link is clicked
    # again (or prefetched by a mail scanner): the letter must wait for its own link.
    write_via_form(client, campaign, body="Words the signer never wrote or confirmed, at all.")
    client.post(f"/confirm/{old_link}")
    assert not db.session.scalar(sa.select(Delivery).where(Delivery.kind == DeliveryKind.LETTER))


def test_a_late_letter_is_counted_once_and_uncounted_on_withdrawal(client, campaign, outbox):
    sign_via_form(client, campaign.slug, zip="94110")
    drain()
    client.post(f"/confirm/{link_token(outbox[0], 'confirm')}")
    count_signatures()
    write_via_form(client, campaign)
    drain()
    client.post(f"/confirm/{link_token(outbox[1], 'confirm')}")
    count_signatures()
    db.session.refresh(campaign)
    assert (campaign.signature_count, campaign.letter_count) == (1, 1) == exact_counts(campaign)

    token = link_token(outbox[1], "withdraw")
    assert client.get(f"/withdraw/{token}").status_code == 200
    assert client.post(f"/withdraw/{token}").status_code == 200
    count_signatures()
    db.session.refresh(campaign)
    assert (campaign.signature_count, campaign.letter_count) == (0, 0) == exact_counts(campaign)
    addresses = db.session.scalars(
        sa.select(Delivery.recipient).where(Delivery.kind != DeliveryKind.LETTER)
    ).all()
    assert addresses and set(addresses) == {""}, "the signer's address is gone from the outbox"


def test_a_letter_of_invisible_characters_only_is_refused_not_sent_empty(client, campaign):
    blank = "\u200b" * 30
    response = write_via_form(client, campaign, subject=blank, body=blank)
    page = text(response)
    assert response.status_code == 400
    assert "Please give your letter a subject." in page
    assert "Please write your letter." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Letter)) == 0


def test_a_letter_from_another_zip_than_the_signature_is_explained_by_email(
    client, campaign, outbox
):
    sign_via_form(client, campaign.slug, zip="10001")
    drain()
    client.post(f"/confirm/{link_token(outbox[0], 'confirm')}")
    response = write_via_form(client, campaign, zip_code="94110")
    # The page answers as for anyone, so it cannot tell who has signed.
    assert response.status_code == 302
    assert "/check-email/" in response.headers["Location"]
    drain()
    [notice] = outbox[1:]
    assert notice.to == "Ann Lee <ann@example.org>"
    assert notice.subject == f"Your letter was not added: {campaign.title}"
    assert "ZIP code 10001" in notice.text
    assert "/withdraw/" in notice.text
    assert "/confirm/" not in notice.text  # confirmed already
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Letter)) == 0


def test_a_second_letter_is_explained_by_email_and_the_emails_are_capped(
    app, client, campaign, outbox
):
    write_via_form(client, campaign)
    for _ in range(10):
        write_via_form(client, campaign, subject="Another one")
    drain()
    first, *notices = outbox
    assert first.subject.startswith("Please confirm your signature")
    assert len(notices) == app.config["CONFIRMATION_RESEND_LIMIT"] - 1
    assert "already written a letter" in notices[0].text
    # Still pending: the notice's link confirms the signature and the first letter.
    client.post(f"/confirm/{link_token(notices[0], 'confirm')}")
    drain()
    assert outbox[-2].to == "Pat Chair <chair@example.gov>"
    assert outbox[-1].category == "receipt"
    assert [letter.subject for letter in db.session.scalars(sa.select(Letter))] == [
        "Third-country deportations"
    ]


def test_continuing_without_choosing_a_district_says_so(client, campaign):
    response = client.get(f"/c/{campaign.slug}/write?zip=35062&asked=district")
    assert response.status_code == 400
    assert "Please choose your district below to continue." in text(response)
    assert "Which congressional district do you live in?" in text(response)
    first_visit = client.get(f"/c/{campaign.slug}/write?zip=35062")
    assert first_visit.status_code == 200
    assert "Please choose" not in text(first_visit)


@pytest.mark.parametrize(
    "path", ["/c/{slug}/write", "/c/no-such-campaign/write", "/c/no-such-campaign/sign"]
)
def test_a_post_for_a_campaign_without_that_form_is_a_friendly_404(client, path):
    campaign = make_campaign(collects_letters=False)
    response = client.post(path.format(slug=campaign.slug), data={"zip": "94110"})
    assert response.status_code == 404
    assert "<h1>" in response.get_data(as_text=True)


def test_a_letter_writer_is_asked_to_confirm_their_letter_not_only_a_signature(
    client, campaign, outbox
):
    response = write_via_form(client, campaign)
    drain()
    [message] = outbox
    assert message.subject.startswith("Please confirm your signature and letter")
    assert "Please confirm your signature and your letter by opening this link" in message.text
    assert "Confirm my signature and letter" in message.html
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "a letter you wrote is sent, only once you confirm" in page


SPANISH_TEMPLATE = "Le pido que toda persona expuesta a una expulsión reciba aviso y audiencia."


def test_a_spanish_writer_hears_back_in_spanish_and_the_office_reads_english_around_it(
    client, campaign, outbox
):
    campaign.translations = {"es": {"title": "Deportaciones", "letter_body": SPANISH_TEMPLATE}}
    db.session.commit()
    mine = "Soy maestra en San Francisco. Las familias de mis alumnos necesitan una audiencia."
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    assert write_via_form(client, campaign, body=mine).status_code == 302
    drain()
    client.post(f"/es/confirm/{link_token(outbox[0], 'confirm')}")
    assert drain() == 2, "the chair's letter, then the writer's receipt"
    to_office, receipt = outbox[1], outbox[2]

    assert to_office.subject == "Constituent letter from 94110: Third-country deportations"
    assert (
        mine in to_office.text and "They wrote or changed this letter themselves." in to_office.text
    )
    assert "They read the campaign in Español and wrote in it." in to_office.text
    assert TEMPLATE in to_office.text and TEMPLATE in to_office.html
    assert SPANISH_TEMPLATE not in to_office.text

    assert receipt.subject == "Qué pasó con su carta sobre «Deportaciones»"
    assert '<html lang="es">' in receipt.html and "Hola, Ann:" in receipt.text
    assert (
        "Pat Chair, Committee chair: enviada a su oficina por correo electrónico." in receipt.text
    )
    assert (
        "no publica una dirección de correo electrónico, y este sitio todavía no entrega "
        "cartas al Congreso por medio de CWC." in receipt.text
    )
    assert "/es/withdraw/" in receipt.text


def test_a_spanish_writer_hears_of_a_response_in_spanish(client, campaign, outbox):
    campaign.translations = {"es": {"title": "Deportaciones"}}
    db.session.commit()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    write_via_form(client, campaign)
    drain()
    client.post(f"/es/confirm/{link_token(outbox[0], 'confirm')}")
    drain()
    chair = db.session.scalar(sa.select(Target).where(Target.name == "Pat Chair"))
    access.post_response(chair, campaign, "Gracias por escribir.", "Jefa de gabinete")
    drain()
    notice = outbox[-1]
    assert notice.subject == "Pat Chair respondió sobre «Deportaciones»"
    assert "Su oficina ha respondido (Jefa de gabinete):" in notice.text
    assert f"/es/c/{campaign.slug}" in notice.text


def test_an_english_writer_s_letter_carries_no_second_template(client, campaign, outbox):
    write_via_form(client, campaign)
    drain()
    client.post(f"/confirm/{link_token(outbox[0], 'confirm')}")
    drain()
    assert "They read the campaign in" not in outbox[1].text
    assert outbox[2].subject == f'What happened to your letter about "{campaign.title}"'
