"""Updates to supporters: consenting confirmed signers only, once each, one-click unsubscribe."""

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import Delivery, DeliveryKind, DeliveryStatus, Role, Signature, SupporterUpdate
from app.services.delivery.sending import drain
from app.services.signing.signatures import withdraw
from app.services.tokens import WITHDRAW, make_token
from tests.factories import make_campaign, make_signature
from tests.helpers import csrf_token


def _write_and_send(client, campaign, subject="Good news", body="We **won** a hearing."):
    path = f"/organizer/campaigns/{campaign.id}/updates"
    token = csrf_token(client, path)
    client.post(path, data={"subject": subject, "body": body, "csrf_token": token})
    update = db.session.scalar(sa.select(SupporterUpdate).order_by(SupporterUpdate.id.desc()))
    return client.post(
        f"{path}/{update.id}/send",
        data={"confirmed": "1", "csrf_token": token},
        follow_redirects=True,
    )


def test_update_goes_once_to_confirmed_consenting_signers_with_unsubscribe(login, outbox):
    client = login(Role.ORGANIZER)
    campaign = make_campaign()
    yes = [make_signature(campaign, consent_updates=True) for _ in range(2)]
    make_signature(campaign, consent_updates=False)
    make_signature(campaign, confirmed=False, consent_updates=True)
    make_signature(make_campaign(), consent_updates=True)

    page = _write_and_send(client, campaign)
    assert "Update queued for 2 supporter(s)" in page.get_data(as_text=True)
    update = db.session.scalar(sa.select(SupporterUpdate))
    send_path = f"/organizer/campaigns/{campaign.id}/updates/{update.id}/send"
    token = csrf_token(client, f"/organizer/campaigns/{campaign.id}/updates")
    again = client.post(
        send_path, data={"confirmed": "1", "csrf_token": token}, follow_redirects=True
    )
    assert "Update queued for 0 supporter(s)" in again.get_data(as_text=True)
    keys = db.session.scalars(
        sa.select(Delivery.dedupe_key).where(Delivery.kind == DeliveryKind.UPDATE)
    ).all()
    assert sorted(keys) == sorted(f"update:{update.id}:{s.id}" for s in yes)

    drain()
    assert sorted(m.to.split("<")[-1].rstrip(">") for m in outbox) == sorted(s.email for s in yes)
    message = outbox[0]
    assert message.subject == "Good news"
    assert "<strong>won</strong>" in message.html
    unsubscribe = message.headers["List-Unsubscribe"]
    assert re.fullmatch(r"<http://chorus\.test/unsubscribe/\S+>", unsubscribe)
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe[1:-1] in message.text


def test_one_click_unsubscribe_stops_further_updates(login, outbox, client):
    organizer = login(Role.ORGANIZER)
    campaign = make_campaign()
    signature = make_signature(campaign, consent_updates=True)
    _write_and_send(organizer, campaign, subject="First")
    drain()
    link = outbox[0].headers["List-Unsubscribe"][1:-1].removeprefix("http://chorus.test")

    ask = client.get(link)  # a link scanner's GET changes nothing
    assert ask.status_code == 200 and "Stop updates" in ask.get_data(as_text=True)
    db.session.refresh(signature)
    assert signature.consent_updates is True
    # Mail clients POST with no CSRF token (RFC 8058).
    done = client.post(link, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "Updates stopped" in done.get_data(as_text=True)
    assert client.post(link).status_code == 200  # twice is harmless
    db.session.refresh(signature)
    assert signature.consent_updates is False

    _write_and_send(organizer, campaign, subject="Second")
    drain()
    assert [m.subject for m in outbox] == ["First"]


def test_update_queued_before_an_unsubscribe_or_withdrawal_is_not_sent(login, outbox, app):
    client = login(Role.ORGANIZER)
    campaign = make_campaign()
    leaving = make_signature(campaign, consent_updates=True)
    staying = make_signature(campaign, consent_updates=True)
    _write_and_send(client, campaign)
    with app.test_request_context():
        withdraw(make_token(WITHDRAW, leaving.id, leaving.email))
    drain()
    assert [m.to for m in outbox] == [f"{staying.name} <{staying.email}>"]
    statuses = dict(db.session.execute(sa.select(Delivery.signature_id, Delivery.status)).all())
    assert statuses[leaving.id] == DeliveryStatus.CANCELLED


def test_invalid_unsubscribe_link_is_explained(client):
    response = client.get("/unsubscribe/not-a-token")
    assert response.status_code == 400
    assert "does not work" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 0


def test_an_update_with_control_characters_is_cleaned_and_sent(login, outbox):
    # A control character in a subject is refused as a mail header: kept, it would stay
    # queued and then fail, after the organizer was told it was on its way.
    client = login(Role.ORGANIZER)
    campaign = make_campaign()
    make_signature(campaign, consent_updates=True)
    _write_and_send(client, campaign, subject="Vote\x1btoday\x7f", body="Hello\u202e\x08 all")
    drain()
    [message] = outbox
    assert message.subject == "Vote today"
    assert "Hello all" in message.text


def test_an_update_reaches_an_audience_of_thousands_in_one_send(login):
    client = login(Role.ORGANIZER)
    campaign = make_campaign()
    signer = make_signature(campaign, consent_updates=True)
    db.session.execute(
        sa.insert(Signature),
        [
            {
                "campaign_id": campaign.id,
                "email": f"s{i}@example.org",
                "name": "S",
                "status": signer.status,
                "consent_updates": True,
                "confirmed_at": signer.confirmed_at,
            }
            for i in range(6000)
        ],  # fmt: skip
    )
    db.session.commit()
    page = _write_and_send(client, campaign)
    assert "Update queued for 6001 supporter(s)" in page.get_data(as_text=True)


def test_sending_an_update_asks_first_and_says_how_many_get_it(login):
    client = login(Role.ORGANIZER)
    campaign = make_campaign()
    for _ in range(3):
        make_signature(campaign, consent_updates=True)
    path = f"/organizer/campaigns/{campaign.id}/updates"
    token = csrf_token(client, path)
    client.post(path, data={"subject": "News", "body": "Hello", "csrf_token": token})
    update = db.session.scalar(sa.select(SupporterUpdate))
    ask = client.post(f"{path}/{update.id}/send", data={"csrf_token": token})
    page = ask.get_data(as_text=True)
    assert "emailed to 3 supporter(s)" in page and "cannot be called back" in page
    assert db.session.scalar(sa.select(sa.func.count(Delivery.id))) == 0
