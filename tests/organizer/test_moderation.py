"""Moderation: the queue and bulk decisions, and the fraud view with its preview."""

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    AuditEvent,
    Delivery,
    DeliveryStatus,
    Letter,
    Moderation,
    Role,
    Signature,
    SignatureStatus,
)
from app.services import tokens
from app.services.delivery.sending import drain
from app.services.signing import signatures
from app.services.signing.counting import count_signatures, exact_counts
from tests.factories import make_campaign, make_signature, make_target
from tests.helpers import csrf_token
from tests.organizer.helpers import make_delivery, make_letter


def test_queue_shows_comments_and_flagged_letters_and_bulk_decisions_apply(login):
    client = login(Role.ORGANIZER)
    campaign = make_campaign()
    target = make_target(email="rep@example.gov")
    comment = make_letter(
        make_signature(campaign),
        public_comment=True,
        moderation=Moderation.PENDING,
        body="I care about this.",
    )
    spam = make_letter(
        make_signature(campaign, review_reason="many submissions from one IP address"),
        moderation=Moderation.PENDING,
        flags="links,duplicate",
        body="Buy http://spam.example",
    )
    quiet = make_letter(make_signature(campaign), body="Not in the queue.")
    spam_delivery = make_delivery(spam, target, DeliveryStatus.HELD)
    path = f"/organizer/campaigns/{campaign.id}/moderation"
    page = client.get(path).get_data(as_text=True)
    assert "I care about this." in page and "Buy http://spam.example" in page
    assert "Not in the queue." not in page
    assert "many submissions from one IP address" in page and ">links<" in page
    token = csrf_token(client, path)
    client.post(
        path, data={"letter_id": [str(comment.id)], "decision": "approve", "csrf_token": token}
    )
    client.post(
        path,
        data={
            "letter_id": [str(spam.id)],
            "decision": "reject",
            "confirmed": "1",
            "csrf_token": token,
        },
    )
    moderation = dict(db.session.execute(sa.select(Letter.id, Letter.moderation)).all())
    assert moderation == {
        comment.id: Moderation.APPROVED,
        spam.id: Moderation.REJECTED,
        quiet.id: Moderation.NONE,
    }
    db.session.refresh(spam_delivery)
    assert spam_delivery.status == DeliveryStatus.CANCELLED
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action.like("moderation.%"))
    ).all()
    assert actions == ["moderation.approve", "moderation.reject"]
    assert "Nothing is waiting" in client.get(path).get_data(as_text=True)


def test_decisions_ignore_letters_of_another_campaign(login):
    client = login(Role.ORGANIZER)
    mine, theirs = make_campaign(), make_campaign()
    foreign = make_letter(make_signature(theirs), moderation=Moderation.PENDING, body="Secret text")
    path = f"/organizer/campaigns/{mine.id}/moderation"
    assert "Secret text" not in client.get(path).get_data(as_text=True)
    page = client.post(
        path,
        data={
            "letter_id": [str(foreign.id)],
            "decision": "reject",
            "csrf_token": csrf_token(client, path),
        },
        follow_redirects=True,
    )
    assert "0 letter(s) rejected" in page.get_data(as_text=True)
    db.session.refresh(foreign)
    assert foreign.moderation == Moderation.PENDING


def test_fraud_view_groups_previews_and_invalidates_with_counts_updated(login):
    client = login(Role.ORGANIZER)
    campaign = make_campaign()
    other = make_campaign()
    target = make_target(email="rep@example.gov")
    bots = [
        make_signature(campaign, ip_hash="a" * 32, email_domain="bots.example") for _ in range(4)
    ]
    bots.append(make_signature(campaign, confirmed=False, ip_hash="a" * 32))
    people = [make_signature(campaign, ip_hash=f"{n}" * 32) for n in range(3)]
    same_ip_elsewhere = make_signature(other, ip_hash="a" * 32)
    bot_letter = make_delivery(make_letter(bots[0]), target, DeliveryStatus.QUEUED)
    count_signatures()
    db.session.refresh(campaign)
    assert campaign.signature_count == 7

    path = f"/organizer/campaigns/{campaign.id}/fraud"
    groups = client.get(f"{path}?by=ip").get_data(as_text=True)
    assert "a" * 16 in groups and "<td>5</td><td>4</td><td>1</td>" in groups
    preview = client.get(f"{path}?by=ip&key={'a' * 32}").get_data(as_text=True)
    assert "changes <strong>5</strong> signature(s)" in preview
    assert "from <strong>7</strong> to <strong>3</strong>" in preview
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(Signature.status == SignatureStatus.FRAUDULENT)
        )
        == 0
    )  # the preview changed nothing

    done = client.post(
        path,
        data={"by": "ip", "key": "a" * 32, "csrf_token": csrf_token(client, path)},
        follow_redirects=True,
    )
    assert "5 signature(s) marked fraudulent" in done.get_data(as_text=True)
    db.session.refresh(campaign)
    assert campaign.signature_count == 3 == exact_counts(campaign)[0]
    assert all(db.session.get(Signature, s.id).status == SignatureStatus.CONFIRMED for s in people)
    db.session.refresh(same_ip_elsewhere)
    assert same_ip_elsewhere.status == SignatureStatus.CONFIRMED
    assert db.session.get(Delivery, bot_letter.id).status == DeliveryStatus.CANCELLED
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "signatures.invalidate")
    )
    assert event.detail["count"] == 5


def test_fraud_view_groups_by_email_domain(login):
    client = login(Role.ORGANIZER)
    campaign = make_campaign()
    for _ in range(3):
        make_signature(campaign, email_domain="mailinator.example")
    make_signature(campaign, email_domain="solo.example")
    page = client.get(f"/organizer/campaigns/{campaign.id}/fraud?by=domain").get_data(as_text=True)
    assert "mailinator.example" in page
    assert "solo.example" not in page


def test_approving_a_flagged_letter_sends_what_moderation_held(login):
    client = login(Role.ORGANIZER)
    campaign = make_campaign()
    with_address = make_target(email="rep@example.gov")
    without_address = make_target(email="")
    letter = make_letter(make_signature(campaign), moderation=Moderation.PENDING, flags="duplicate")
    held_for_review = make_delivery(letter, with_address, DeliveryStatus.HELD)
    held_for_address = make_delivery(letter, without_address, DeliveryStatus.HELD)
    path = f"/organizer/campaigns/{campaign.id}/moderation"
    client.post(
        path,
        data={
            "letter_id": [str(letter.id)],
            "decision": "approve",
            "csrf_token": csrf_token(client, path),
        },
    )
    db.session.refresh(held_for_review)
    db.session.refresh(held_for_address)
    assert (held_for_review.status, held_for_review.recipient) == (
        DeliveryStatus.QUEUED,
        "rep@example.gov",
    )
    assert held_for_address.status == DeliveryStatus.HELD


def test_letters_from_senders_marked_for_review_join_the_queue(login):
    client = login(Role.ORGANIZER)
    campaign = make_campaign()
    busy = make_signature(campaign, review_reason="many submissions from one email address")
    make_letter(busy, body="From a busy sender.")
    page = client.get(f"/organizer/campaigns/{campaign.id}/moderation").get_data(as_text=True)
    assert "From a busy sender." in page
    assert "many submissions from one email address" in page


def test_releasing_a_targets_held_letters_skips_letters_awaiting_moderation(login):
    client = login(Role.ORGANIZER)
    campaign = make_campaign()
    target = make_target(email="rep@example.gov")
    flagged = make_letter(
        make_signature(campaign), moderation=Moderation.PENDING, flags="duplicate"
    )
    plain = make_letter(make_signature(campaign))
    flagged_delivery = make_delivery(flagged, target, DeliveryStatus.HELD)
    plain_delivery = make_delivery(plain, target, DeliveryStatus.HELD)
    path = f"/organizer/targets/{target.id}"
    client.post(f"{path}/release", data={"csrf_token": csrf_token(client, path)})
    assert db.session.get(Delivery, plain_delivery.id).status == DeliveryStatus.QUEUED
    assert db.session.get(Delivery, flagged_delivery.id).status == DeliveryStatus.HELD


def _decide(client, campaign, letter, decision):
    path = f"/organizer/campaigns/{campaign.id}/moderation"
    # A rejection is confirmed on a second page; this posts the confirmed form.
    data = {"letter_id": [str(letter.id)], "decision": decision, "confirmed": "1"}
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def _unconfirmed_letter(campaign, target, **fields):
    letter = make_letter(make_signature(campaign, confirmed=False), **fields)
    letter.targets = [target]
    db.session.commit()
    return letter


def _confirm(letter):
    signature = letter.signature
    link = tokens.make_token(tokens.CONFIRM, signature.id, signature.email, letter_id=letter.id)
    signatures.confirm(link)


def _delivery_statuses(letter):
    return db.session.scalars(sa.select(Delivery.status).where(Delivery.letter_id == letter.id))


def test_a_letter_rejected_before_its_writer_confirms_never_goes_out(login, outbox):
    client = login(Role.ORGANIZER)
    campaign = make_campaign(collects_letters=True, collects_comments=True)
    target = make_target(email="rep@example.gov")
    letter = _unconfirmed_letter(
        campaign, target, public_comment=True, moderation=Moderation.PENDING, body="Abuse"
    )
    assert _decide(client, campaign, letter, "reject").status_code == 302
    _confirm(letter)
    drain()
    assert list(_delivery_statuses(letter)) == [DeliveryStatus.CANCELLED]
    assert not [message for message in outbox if "rep@example.gov" in message.to]


def test_a_flagged_letter_approved_before_its_writer_confirms_goes_out_on_confirmation(
    login, outbox
):
    client = login(Role.ORGANIZER)
    campaign = make_campaign(collects_letters=True)
    target = make_target(email="rep@example.gov")
    letter = _unconfirmed_letter(
        campaign, target, moderation=Moderation.PENDING, flags="link", body="See https://x.ex"
    )
    assert _decide(client, campaign, letter, "approve").status_code == 302
    _confirm(letter)
    drain()
    assert list(_delivery_statuses(letter)) == [DeliveryStatus.SENT]
    assert [message for message in outbox if "rep@example.gov" in message.to]


def _writer_emails() -> list[Delivery]:
    return list(db.session.scalars(sa.select(Delivery).where(Delivery.kind == "moderation")))


def test_hiding_a_public_comment_keeps_its_letter_and_tells_the_writer(login, outbox):
    client = login(Role.ORGANIZER)
    campaign = make_campaign(collects_comments=True)
    target = make_target(email="rep@example.gov")
    signature = make_signature(campaign, email="writer@example.com")
    comment = make_letter(
        signature, public_comment=True, moderation=Moderation.PENDING, body="Rude but sincere."
    )
    delivery = make_delivery(comment, target, DeliveryStatus.QUEUED)
    path = f"/organizer/campaigns/{campaign.id}/moderation"
    client.post(
        path,
        data={
            "letter_id": [str(comment.id)],
            "decision": "hide_comment",
            "csrf_token": csrf_token(client, path),
        },
    )
    db.session.refresh(comment)
    db.session.refresh(delivery)
    assert delivery.status == DeliveryStatus.QUEUED
    assert comment.public_comment is False and comment.moderation == Moderation.APPROVED
    assert "Rude but sincere." not in client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    [notice] = _writer_emails()
    assert notice.recipient == "writer@example.com"
    drain()
    [sent] = [m for m in outbox if "writer@example.com" in m.to and m.category == "moderation"]
    assert "will not be shown" in sent.subject
    assert "still delivered to your representatives" in sent.text


def test_rejecting_a_letter_asks_for_confirmation_then_stops_it_and_tells_the_writer(login):
    client = login(Role.ORGANIZER)
    campaign = make_campaign(collects_comments=True)
    target = make_target(email="rep@example.gov")
    comment = make_letter(
        make_signature(campaign, email="writer@example.com"),
        public_comment=True,
        moderation=Moderation.PENDING,
        subject="Hear me",
    )
    delivery = make_delivery(comment, target, DeliveryStatus.QUEUED)
    path = f"/organizer/campaigns/{campaign.id}/moderation"
    token = csrf_token(client, path)
    ask = client.post(
        path, data={"letter_id": [str(comment.id)], "decision": "reject", "csrf_token": token}
    )
    page = ask.get_data(as_text=True)
    assert "never sent" in page and "Hear me" in page and 'name="confirmed"' in page
    db.session.refresh(delivery)
    assert delivery.status == DeliveryStatus.QUEUED and not _writer_emails()
    client.post(
        path,
        data={
            "letter_id": [str(comment.id)],
            "decision": "reject",
            "confirmed": "1",
            "csrf_token": token,
        },
    )
    db.session.refresh(delivery)
    assert delivery.status == DeliveryStatus.CANCELLED
    assert [d.recipient for d in _writer_emails()] == ["writer@example.com"]


def test_a_spanish_writer_is_told_of_a_rejection_in_spanish(login, outbox):
    client = login(Role.ORGANIZER)
    campaign = make_campaign(
        collects_letters=True, collects_comments=True, translations={"es": {"title": "Una campaña"}}
    )
    letter = _unconfirmed_letter(
        campaign, make_target(email="rep@example.gov"), public_comment=True,
        moderation=Moderation.PENDING, body="Abuse",
    )  # fmt: skip
    letter.signature.locale = "es"
    db.session.commit()
    assert _decide(client, campaign, letter, "reject").status_code == 302
    drain()
    [notice] = [m for m in outbox if m.category == "moderation"]
    assert notice.subject == "Su carta no se envió: Una campaña"
    assert "leyó su carta y decidió no enviarla" in notice.text
    assert '<html lang="es">' in notice.html
