"""Daily digests: one email a day per target that asked for one, with every letter."""

from __future__ import annotations

import csv
import io
import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import (
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Letter,
    Moderation,
    SignatureStatus,
    Target,
    TargetKind,
)
from app.services.delivery import provider_events
from app.services.delivery.digests import queue_digests
from app.services.delivery.sending import send_all_due
from app.services.letters.writing import queue_letter
from app.worker import run_periodic_jobs
from tests.factories import make_campaign, make_signature, make_target

DAY = date(2026, 11, 28)


def write_letters(target: Target, n: int, **letter_fields) -> list[Letter]:
    """n confirmed signers each writing to target; their deliveries queued as confirming does."""
    campaign = make_campaign(collects_letters=True)
    letters = []
    for i in range(n):
        signature = make_signature(campaign, name=f"Writer {i}")
        values = {"subject": f"Letter {i}", "body": f"Body of letter {i}.", **letter_fields}
        letter = Letter(signature_id=signature.id, campaign_id=campaign.id, **values)
        letter.targets = [target]
        db.session.add(letter)
        db.session.flush()
        queue_letter(letter)
        letters.append(letter)
    db.session.commit()
    return letters


def digest_target(**fields) -> Target:
    return make_target(email="office@senate.example", wants_digest=True, **fields)


def digests_in(outbox) -> list:
    """The digest emails sent (each writer also gets a receipt once the digest has gone)."""
    return [message for message in outbox if message.category == DeliveryKind.DIGEST]


def letter_statuses() -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(sa.select(Delivery.status).where(Delivery.kind == DeliveryKind.LETTER))
    )


def test_letters_to_a_digest_target_wait_and_then_go_in_one_email_with_a_csv(app, outbox):
    target = digest_target(name="Sen. Ada Byron")
    write_letters(target, 3)
    assert send_all_due().claimed == 0
    assert letter_statuses() == [DeliveryStatus.HELD] * 3

    assert queue_digests(DAY) == 1
    send_all_due()

    [message] = digests_in(outbox)
    assert message.to == '"Sen. Ada Byron" <office@senate.example>'
    assert message.subject == "3 letters from constituents: November 28, 2026"
    assert all(f"Body of letter {i}." in message.text for i in range(3))
    [attachment] = message.attachments
    rows = list(csv.DictReader(io.StringIO(attachment.content.decode())))
    assert [row["subject"] for row in rows] == ["Letter 0", "Letter 1", "Letter 2"]
    assert letter_statuses() == [DeliveryStatus.SENT] * 3
    receipts = [m for m in outbox if m.category == DeliveryKind.RECEIPT]
    assert len(receipts) == 3, "each writer hears that their letter went, once the digest has"
    assert all(
        "Sen. Ada Byron, Official: sent to their office by email" in m.text for m in receipts
    )


def test_only_the_first_letters_are_in_the_text_and_all_are_in_the_csv(make_app):
    app = make_app(DIGEST_LETTERS_SHOWN=2)
    with app.app_context():
        write_letters(digest_target(), 3)
        queue_digests(DAY)
        send_all_due()
        [message] = digests_in(app.extensions["chorus_mail"].outbox)
        assert "Body of letter 1." in message.text and "Body of letter 2." not in message.text
        assert "The first 2 follow; all 3 are in the attached CSV file." in message.text
        assert message.attachments[0].content.decode().count("Body of letter") == 3


def test_a_digest_is_created_once_per_target_per_day(app, outbox):
    target = digest_target()
    write_letters(target, 2)
    assert queue_digests(DAY) == 1
    write_letters(target, 1)
    assert queue_digests(DAY) == 0  # today's digest exists: the new letter waits a day
    send_all_due()
    assert len(digests_in(outbox)) == 1 and "2 letters" in digests_in(outbox)[0].subject
    assert queue_digests(DAY + timedelta(days=1)) == 1
    send_all_due()
    assert len(digests_in(outbox)) == 2 and "1 letter " in digests_in(outbox)[1].subject
    assert letter_statuses() == [DeliveryStatus.SENT] * 3


@pytest.mark.postgres
def test_several_workers_queueing_at_once_make_one_digest(app, outbox):
    target = digest_target()
    write_letters(target, 4)
    results = []

    def worker():
        with app.app_context():
            results.append(queue_digests(DAY))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 0, 0, 1]
    send_all_due()
    assert len(digests_in(outbox)) == 1 and "4 letters" in digests_in(outbox)[0].subject


def test_withdrawn_and_unmoderated_letters_stay_out_of_the_digest(app, outbox):
    target = digest_target()
    kept, withdrawn = write_letters(target, 2)
    [flagged] = write_letters(target, 1, flags="duplicate", moderation=Moderation.PENDING)
    queue_digests(DAY)
    db.session.execute(
        sa.update(Delivery)
        .where(Delivery.letter_id == withdrawn.id)
        .values(status=DeliveryStatus.CANCELLED)
    )
    db.session.commit()
    send_all_due()
    [message] = digests_in(outbox)
    assert "1 letter from" in message.subject
    assert kept.body in message.text and withdrawn.body not in message.text
    statuses = dict(
        db.session.execute(
            sa.select(Delivery.letter_id, Delivery.status).where(
                Delivery.kind == DeliveryKind.LETTER
            )
        ).all()
    )
    assert statuses[flagged.id] == DeliveryStatus.HELD


def test_csv_cells_cannot_run_as_spreadsheet_formulas(app, outbox):
    write_letters(digest_target(), 1, subject='=HYPERLINK("http://evil")')
    queue_digests(DAY)
    send_all_due()
    row = next(csv.DictReader(io.StringIO(digests_in(outbox)[0].attachments[0].content.decode())))
    assert row["subject"] == '\'=HYPERLINK("http://evil")'


@pytest.mark.parametrize(("hour", "sent"), [(0, 1), (24, 0)])
def test_embedded_worker_sends_the_digest_once_its_hour_has_come(make_app, hour, sent):
    app = make_app(DIGEST_HOUR_UTC=hour)
    with app.app_context():
        write_letters(digest_target(), 2)
    run_periodic_jobs(app)
    run_periodic_jobs(app)
    assert len(digests_in(app.extensions["chorus_mail"].outbox)) == sent


def test_letters_of_a_digest_that_never_arrived_go_in_the_next_one(app, outbox):
    target = digest_target()
    write_letters(target, 2)
    assert queue_digests(DAY) == 1
    db.session.execute(
        sa.update(Delivery)
        .where(Delivery.kind == DeliveryKind.DIGEST)
        .values(status=DeliveryStatus.FAILED, last_error="SendGrid 400: invalid address")
    )
    db.session.commit()
    assert queue_digests(DAY + timedelta(days=1)) == 1
    send_all_due()
    [message] = digests_in(outbox)
    assert message.subject.startswith("2 letters from constituents")
    assert letter_statuses() == [DeliveryStatus.SENT] * 2


@pytest.mark.parametrize("event", ["dropped", "bounce"])
def test_letters_of_a_sent_digest_that_bounced_or_was_dropped_go_in_the_next_one(
    app, outbox, event
):
    # The provider's event comes after the digest was sent and its letters marked sent.
    target = digest_target()
    write_letters(target, 2)
    assert queue_digests(DAY) == 1
    send_all_due()
    assert letter_statuses() == [DeliveryStatus.SENT] * 2
    digest = db.session.scalar(sa.select(Delivery).where(Delivery.kind == DeliveryKind.DIGEST))
    report = {"event": event, "sg_event_id": f"ev-{event}", "delivery_id": str(digest.id)}
    provider_events.apply_events([{**report, "email": target.email, "reason": "550 no mailbox"}])
    assert letter_statuses() == [DeliveryStatus.SENT] * 2  # until the next digest is made
    assert queue_digests(DAY + timedelta(days=1)) == 1
    assert letter_statuses() == [DeliveryStatus.HELD] * 2
    [_, next_digest] = db.session.scalars(
        sa.select(Delivery).where(Delivery.kind == DeliveryKind.DIGEST).order_by(Delivery.id)
    )
    carried = db.session.scalars(
        sa.select(Delivery.provider_message_id).where(Delivery.kind == DeliveryKind.LETTER)
    )
    assert list(carried) == [next_digest.dedupe_key] * 2


def _petition_to(*targets: Target):
    campaign = make_campaign(title="Stop the cuts", petition="Keep the clinic open.")
    campaign.fixed_targets = list(targets)
    db.session.commit()
    return campaign


def test_a_digest_counts_new_constituent_signatures_by_district_and_by_state(
    app, outbox, frozen_clock
):
    house = digest_target(kind=TargetKind.US_HOUSE, state="NY", district="12", name="Rep. One")
    senate = make_target(
        kind=TargetKind.US_SENATE,
        state="NY",
        name="Sen. Two",
        email="senator@senate.example",
        wants_digest=True,
    )
    campaign = _petition_to(house, senate)
    for place in [("NY", "12")] * 3 + [("NY", "10")] * 2 + [("CA", "12")]:
        make_signature(campaign, state=place[0], district=place[1])
    make_signature(campaign, confirmed=False, state="NY", district="12")
    make_signature(campaign, status=SignatureStatus.WITHDRAWN, state="NY", district="12")
    frozen_clock.advance(60)

    assert queue_digests(DAY) == 2, "signatures alone, without letters, make a digest"
    send_all_due()
    by_office = {m.to: m for m in digests_in(outbox)}
    to_house = by_office['"Rep. One" <office@senate.example>']
    assert to_house.subject == "3 new signatures from constituents: November 28, 2026"
    assert "3 new signatures from your constituents on a petition addressed to you" in " ".join(
        to_house.text.split()
    )
    assert "- Stop the cuts: 3 new signatures" in to_house.text
    assert to_house.attachments == []
    to_senate = by_office['"Sen. Two" <senator@senate.example>']
    assert "- Stop the cuts: 5 new signatures" in to_senate.text

    # The next day counts only what was confirmed since: one more in NY-10, none in NY-12.
    frozen_clock.advance(3600)
    make_signature(campaign, state="NY", district="10")
    frozen_clock.advance(60)
    assert queue_digests(DAY + timedelta(days=1)) == 1
    send_all_due()
    latest = digests_in(outbox)[-1]
    assert latest.to.endswith("<senator@senate.example>")
    assert latest.subject == "1 new signature from constituents: November 29, 2026"


def test_a_digest_with_letters_and_signatures_says_both(app, outbox, frozen_clock):
    target = digest_target(kind=TargetKind.US_HOUSE, state="NY", district="12")
    campaign = _petition_to(target)
    make_signature(campaign, state="NY", district="12")
    write_letters(target, 2)
    frozen_clock.advance(60)
    queue_digests(DAY)
    send_all_due()
    [message] = digests_in(outbox)
    expected = "2 letters and 1 new signature from constituents: November 28, 2026"
    assert message.subject == expected
    assert "- Stop the cuts: 1 new signature\n" in message.text
    assert "Body of letter 1." in message.text
