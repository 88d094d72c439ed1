"""Letters to Congress through CWC: the outbox's CWC channel against the fake CWC server."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.clock import utcnow
from app.cwc import delivery_id
from app.extensions import db
from app.models import (
    Campaign,
    Delivery,
    DeliveryChannel,
    DeliveryKind,
    DeliveryStatus,
    Letter,
    Target,
    TargetKind,
)
from app.services.delivery import sending
from app.services.delivery.sending import drain
from app.services.letters import receipts
from app.services.signing import retention
from app.services.targets import access
from tests.factories import make_campaign
from tests.fakes.cwc import Reply, refused
from tests.helpers import link_token
from tests.shared_data import load_congress, requires_data

pytestmark = requires_data

MINE = "I teach in San Francisco. The families of my students need a fair hearing. Please act."
ADDRESS = {"prefix": "Ms.", "street_address": "123 Valencia St", "city": "San Francisco"}


@pytest.fixture
def cwc_app(make_app, fake_cwc, tmp_path):
    """The app with both chambers delivered to the fake CWC, and Congress on file."""
    return _app(make_app, tmp_path, **fake_cwc.app_settings())


def _app(make_app, tmp_path, **settings):
    app = make_app(**settings)
    with app.app_context():
        load_congress(tmp_path, {"94110", "35062", "20001"})
        campaign = make_campaign(
            collects_letters=True,
            target_kinds=[TargetKind.US_SENATE, TargetKind.US_HOUSE],
            letter_subject="Third-country deportations",
            letter_body="Please make sure anyone facing removal gets notice and a hearing.",
        )
        app.config["TEST_CAMPAIGN_SLUG"] = campaign.slug
        app.config["TEST_TITLE"] = campaign.title
    return app


@pytest.fixture
def ctx(cwc_app):
    with cwc_app.app_context():
        yield cwc_app


def mails(app):
    return app.extensions["chorus_mail"].outbox


def slug(app) -> str:
    return app.config["TEST_CAMPAIGN_SLUG"]


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def write(client, app, zip_code="94110", district="", **fields):
    data = {
        "zip": zip_code,
        "district": district,
        "subject": "Third-country deportations",
        "body": MINE,
        "name": "Ann Lee",
        "email": "ann@example.org",
        **ADDRESS,
    }
    data.update(fields)
    return client.post(f"/c/{slug(app)}/write", data=data)


def write_and_confirm(app, zip_code="94110", district="", client=None, **fields):
    """A letter written on the form and confirmed by its link; returns the confirmed page.

    One client per test: the test's app context (and so Flask-WTF's token in g) is shared
    by its requests."""
    client = client or app.test_client()
    assert write(client, app, zip_code, district, **fields).status_code == 302
    drain()
    confirmation = mails(app)[-1]
    return client.post(f"/confirm/{link_token(confirmation, 'confirm')}")


def letter_rows() -> list[Delivery]:
    return list(
        db.session.scalars(
            sa.select(Delivery).where(Delivery.kind == DeliveryKind.LETTER).order_by(Delivery.id)
        )
    )


def _make_due_now() -> None:
    """Skip the backoff wait: the rows waiting to be retried become due."""
    db.session.execute(sa.update(Delivery).values(next_attempt_at=utcnow()))
    db.session.commit()


def offices(fake) -> list[str]:
    return sorted(message.member_office for message in fake.accepted())


def test_the_form_asks_for_the_address_congress_requires_and_says_how_each_letter_goes(ctx):
    client = ctx.test_client()
    page = text(client.get(f"/c/{slug(ctx)}/write?zip=94110"))
    assert "Street address" in page and "City" in page and "Title" in page
    assert page.count("through Congress's own message system (CWC)") == 3

    response = write(client, ctx, street_address="", city="", prefix="", name="Ann")
    assert response.status_code == 400
    shown = text(response)
    for error in (
        "Please enter your street address.",
        "Please enter your city.",
        "Congress asks for a title: please choose one.",
        "Congress asks for your first and last name.",
    ):
        assert error in shown
    assert db.session.scalar(sa.select(Letter)) is None


def test_a_letter_from_94110_reaches_cwc_as_three_messages(ctx, fake_cwc):
    page = write_and_confirm(ctx)
    assert "Being delivered to their office through Congress's CWC system" in text(page)
    confirmation = mails(ctx)[0].text
    assert (
        "- Nancy Pelosi, U.S. Representative (CA): through Congress's own message" in confirmation
    )
    assert confirmation.count("through Congress's own message system (CWC)") == 3
    assert drain() == 4, "three messages, then the writer's receipt"
    assert offices(fake_cwc) == ["HCA11", "SCA01", "SCA03"]
    rows = letter_rows()
    assert {(row.channel, row.status) for row in rows} == {
        (DeliveryChannel.CWC, DeliveryStatus.SENT)
    }
    by_office = {message.member_office: message for message in fake_cwc.accepted()}
    house = next(row for row in rows if row.recipient == "HCA11")
    message = by_office["HCA11"]
    assert message.delivery_id == delivery_id(ctx.config["BASE_URL"], house.id)
    assert house.provider_message_id == message.delivery_id
    for path, expected in {
        "Constituent/Prefix": "Ms.",
        "Constituent/FirstName": "Ann",
        "Constituent/LastName": "Lee",
        "Constituent/Address1": "123 Valencia St",
        "Constituent/City": "San Francisco",
        "Constituent/StateAbbreviation": "CA",
        "Constituent/Zip": "94110",
        "Constituent/Email": "ann@example.org",
        "Message/Subject": "Third-country deportations",
        "Message/ConstituentMessage": MINE,
        "Delivery/CampaignId": slug(ctx),
        "Delivery/DeliveryAgent": "Chorus Test Agent",
    }.items():
        assert message.text(path) == expected, path
    receipt = mails(ctx)[-1]
    assert receipt.subject == f'What happened to your letter about "{ctx.config["TEST_TITLE"]}"'
    for name in ("Nancy Pelosi", "Alex Padilla", "Adam B. Schiff"):
        assert f"{name}, " in receipt.text
    assert receipt.text.count("delivered to their office through Congress's CWC system") == 3
    assert "to paste into a contact form" not in receipt.text


def test_a_server_error_is_retried_with_the_same_delivery_id(ctx, fake_cwc):
    write_and_confirm(ctx)
    fake_cwc.reply(Reply(503), Reply(502))

    first = sending.send_all_due()
    assert (first.sent, first.retrying, first.stopped) == (0, 1, True)
    _make_due_now()
    second = sending.send_all_due()
    assert (second.sent, second.retrying) == (0, 1)
    _make_due_now()
    assert sending.send_all_due().sent == 4  # and the receipt

    attempts = {}
    for message in fake_cwc.received:
        attempts.setdefault(message.delivery_id, []).append(message.status)
    assert sorted(attempts.values()) == [[200], [200], [503, 502, 200]]
    assert {row.status for row in letter_rows()} == {DeliveryStatus.SENT}


def test_an_error_answer_fails_for_good_with_cwc_reason_and_the_others_go(ctx, fake_cwc):
    write_and_confirm(ctx)
    fake_cwc.reply(refused("MemberOffice HCA11 is not accepting messages"))

    result = sending.send_all_due()

    assert (result.sent, result.failed) == (3, 1), "two offices and the receipt"
    [failed] = [row for row in letter_rows() if row.status == DeliveryStatus.FAILED]
    assert failed.last_error == "CWC 400: MemberOffice HCA11 is not accepting messages"
    assert len(fake_cwc.received) == 3, "a refused message is not sent again"
    receipt = mails(ctx)[-1].text
    assert "not delivered: their office's system refused it" in receipt
    assert receipt.count("delivered to their office through Congress's CWC system") == 2


def test_a_message_the_schema_refuses_fails_naming_the_field_and_is_never_posted(ctx, fake_cwc):
    write_and_confirm(ctx)
    house = next(row for row in letter_rows() if row.recipient == "HCA11")
    house.recipient = "HCA111"
    db.session.commit()

    drain()

    db.session.refresh(house)
    assert house.status == DeliveryStatus.FAILED
    assert house.last_error.startswith("CWC schema: Recipient/MemberOffice")
    assert "HCA111" not in offices(fake_cwc)


def test_a_killed_worker_sent_message_is_resent_with_the_same_delivery_id(ctx, fake_cwc):
    write_and_confirm(ctx)
    # A worker claims every row, posts the first, and dies before recording anything.
    claims = sending.claim_due()
    row = db.session.get(Delivery, claims[0].id)
    adapter = sending.channels.adapter(DeliveryChannel.CWC)
    adapter.send(sending.channels.compose(row))
    db.session.rollback()
    assert [r.status for r in letter_rows()] == [DeliveryStatus.SENDING] * 3

    # Past the lease another worker takes the rows over and sends them all.
    later = utcnow() + timedelta(seconds=ctx.config["DELIVERY_LEASE_SECONDS"] + 1)
    taken = sending.claim_due(now=later)
    result = sending.Round(claimed=len(taken))
    sending.send_claims(taken, result)

    assert result.sent == 3
    ids = [message.delivery_id for message in fake_cwc.accepted()]
    assert len(ids) == 4 and len(set(ids)) == 3, "the repeat carries the first DeliveryId"
    assert ids.count(delivery_id(ctx.config["BASE_URL"], row.id)) == 2


def test_a_writer_who_withdraws_before_sending_reaches_no_office_and_their_address_goes(
    ctx, fake_cwc
):
    client = ctx.test_client()
    write_and_confirm(ctx, client=client)
    withdraw_link = link_token(mails(ctx)[0], "withdraw")
    assert client.post(f"/withdraw/{withdraw_link}").status_code == 200

    drain()

    assert fake_cwc.received == []
    assert {row.status for row in letter_rows()} == {DeliveryStatus.CANCELLED}
    letter = db.session.scalar(sa.select(Letter))
    assert (letter.prefix, letter.street_address, letter.city) == ("", "", "")


def test_a_member_who_left_before_the_letter_was_confirmed_is_held_with_the_reason(ctx, fake_cwc):
    client = ctx.test_client()
    assert write(client, ctx).status_code == 302
    drain()
    pelosi = db.session.scalar(sa.select(Target).where(Target.name == "Nancy Pelosi"))
    pelosi.active = False
    db.session.commit()

    page = client.post(f"/confirm/{link_token(mails(ctx)[-1], 'confirm')}")
    drain()

    assert offices(fake_cwc) == ["SCA01", "SCA03"]
    held = next(row for row in letter_rows() if row.target_id == pelosi.id)
    assert (held.channel, held.status) == (DeliveryChannel.EMAIL, DeliveryStatus.HELD)
    assert "Nancy Pelosi no longer holds this seat" in text(page)


def test_a_zip_in_three_districts_reaches_the_chosen_district_only(ctx, fake_cwc):
    client = ctx.test_client()
    choices = text(client.get(f"/c/{slug(ctx)}/write?zip=35062"))
    for district in ("4th", "6th", "7th"):
        assert f"Alabama, {district} district" in choices

    write_and_confirm(ctx, "35062", "AL-6", client, street_address="1 Main St", city="Dora")
    drain()

    assert offices(fake_cwc) == ["HAL06", "SAL02", "SAL03"]
    assert {m.text("Constituent/Zip") for m in fake_cwc.accepted()} == {"35062"}


def test_a_zip_that_does_not_agree_with_the_chosen_district_stores_nothing(ctx, fake_cwc):
    response = write(ctx.test_client(), ctx, "35062", "AL-1", street_address="1 Main St")
    assert response.status_code == 302
    assert "/write?zip=35062" in response.headers["Location"]
    assert db.session.scalar(sa.select(Letter)) is None


def test_dc_has_only_its_delegate_who_gets_the_letter_through_cwc(ctx, fake_cwc):
    client = ctx.test_client()
    page = text(client.get(f"/c/{slug(ctx)}/write?zip=20001"))
    assert "has no U.S. senators" in page

    write_and_confirm(ctx, "20001", client=client, street_address="1 K St NW", city="Washington")
    drain()

    assert offices(fake_cwc) == ["HDC00"]


def test_with_both_chambers_off_letters_are_held_and_no_address_is_asked(
    make_app, fake_cwc, tmp_path
):
    app = _app(make_app, tmp_path, **fake_cwc.app_settings(CWC_HOUSE=False, CWC_SENATE=False))
    with app.app_context():
        client = app.test_client()
        page = text(client.get(f"/c/{slug(app)}/write?zip=94110"))
        assert "Street address" not in page
        assert page.count("this site does not deliver to Congress through CWC yet") == 3

        write_and_confirm(app, client=client, street_address="", city="", prefix="")
        drain()

        assert fake_cwc.received == []
        assert {(r.channel, r.status) for r in letter_rows()} == {
            (DeliveryChannel.EMAIL, DeliveryStatus.HELD)
        }
        receipt = mails(app)[-1]
        assert receipt.text.count("not sent: they publish no email address, and this site") == 3
        padilla = db.session.scalar(sa.select(Target).where(Target.name == "Alex Padilla"))
        assert padilla.contact_form_url in receipt.text
        assert "Your letter, to paste into a contact form" in receipt.text and MINE in receipt.text


def test_with_only_the_house_on_the_senators_letters_are_held(make_app, fake_cwc, tmp_path):
    app = _app(make_app, tmp_path, **fake_cwc.app_settings(CWC_SENATE=False))
    with app.app_context():
        write_and_confirm(app)
        drain()

        assert offices(fake_cwc) == ["HCA11"]
        statuses = sorted(r.status for r in letter_rows())
        assert statuses == [DeliveryStatus.HELD, DeliveryStatus.HELD, DeliveryStatus.SENT]


def test_outbox_status_counts_cwc_rows_by_channel(ctx, fake_cwc):
    write_and_confirm(ctx)
    drain()

    output = ctx.test_cli_runner().invoke(args=["outbox", "status"]).output

    by_channel = output.split("by channel:")[1]
    assert re.search(r"cwc\s+sent\s+3\n", by_channel), output
    assert re.search(r"email\s+sent\s+2\n", by_channel), output  # confirmation, receipt


def test_the_address_is_shown_to_the_members_office_and_never_publicly(ctx, fake_cwc):
    write_and_confirm(ctx)
    drain()
    pelosi = db.session.scalar(sa.select(Target).where(Target.name == "Nancy Pelosi"))
    token = access.create_access(pelosi)
    client = ctx.test_client()

    private = text(client.get(f"/r/{token}/c/{slug(ctx)}"))
    assert "address Ms. Ann Lee, 123 Valencia St, San Francisco" in private
    csv_text = client.get(f"/r/{token}/c/{slug(ctx)}/letters.csv").get_data(as_text=True)
    header, row = csv_text.splitlines()[:2]
    assert header.endswith("prefix,street_address,city")
    assert row.endswith("Ms.,123 Valencia St,San Francisco")
    pdf = PdfReader(io.BytesIO(client.get(f"/r/{token}/c/{slug(ctx)}/letters.pdf").data))
    assert "Ms. Ann Lee, 123 Valencia St, San Francisco" in pdf.pages[1].extract_text()
    for path in (f"/c/{slug(ctx)}", f"/c/{slug(ctx)}/write?zip=94110", "/privacy"):
        assert "Valencia" not in client.get(path).get_data(as_text=True)


def test_a_receipt_is_queued_once_however_often_its_letter_settles(ctx, fake_cwc):
    write_and_confirm(ctx)
    rows = letter_rows()
    # Two workers each record one of the last two deliveries, then both look for a receipt.
    db.session.execute(sa.update(Delivery).values(status=DeliveryStatus.SENT))
    db.session.commit()
    assert receipts.queue_receipts([rows[0].letter_id]) == 1
    assert receipts.queue_receipts([rows[0].letter_id]) == 0
    db.session.commit()
    kinds = db.session.scalars(sa.select(Delivery.kind).where(Delivery.kind == "receipt")).all()
    assert kinds == [DeliveryKind.RECEIPT]


def test_no_receipt_while_a_delivery_is_still_on_its_way(ctx, fake_cwc):
    write_and_confirm(ctx)
    fake_cwc.reply(Reply(503))

    sending.send_all_due()

    assert [m.subject for m in mails(ctx) if m.subject.startswith("What happened")] == []


def test_a_writer_who_asked_to_hear_back_is_told_when_their_representative_responds(ctx, fake_cwc):
    write_and_confirm(ctx, reply_to_ok="y")
    drain()
    pelosi = db.session.scalar(sa.select(Target).where(Target.name == "Nancy Pelosi"))
    campaign = db.session.scalar(sa.select(Campaign))

    access.post_response(pelosi, campaign, "Thank you for writing.\n\nWe agree.", "Chief of staff")
    drain()

    notice = mails(ctx)[-1]
    assert notice.to == "Ann Lee <ann@example.org>"
    assert notice.subject == f'Nancy Pelosi responded about "{campaign.title}"'
    assert "Thank you for writing.\n\nWe agree." in notice.text


def test_a_writer_who_did_not_ask_to_hear_back_is_not_emailed_a_response(ctx, fake_cwc):
    write_and_confirm(ctx)
    drain()
    sent = len(mails(ctx))
    pelosi = db.session.scalar(sa.select(Target).where(Target.name == "Nancy Pelosi"))

    access.post_response(pelosi, db.session.scalar(sa.select(Campaign)), "Thanks.", "Staff")
    drain()

    assert len(mails(ctx)) == sent


def test_retention_erasure_takes_the_address_with_everything_else(ctx, fake_cwc):
    write_and_confirm(ctx)
    drain()
    campaign = db.session.scalar(sa.select(Campaign))

    retention.erase_personal_data(campaign, utcnow())

    letter = db.session.scalar(sa.select(Letter))
    assert (letter.prefix, letter.street_address, letter.city) == ("", "", "")
