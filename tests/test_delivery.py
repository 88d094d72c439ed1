"""The outbox through the fake SendGrid: sending, batching, retries, suppression, leases,
outages, the operator commands, and real competing (and killed) worker processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app

from app.clock import utcnow
from app.extensions import db
from app.models import (
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Signature,
    SignatureStatus,
    Suppression,
)
from app.services import tokens
from app.services.delivery import outbox, sending
from app.services.delivery.sending import claim_due, send_all_due
from app.services.signing import signatures
from tests.factories import make_campaign, make_signature
from tests.fakes import Reply, rate_limited
from tests.helpers import sign_via_form, wait_until

ROOT = Path(__file__).resolve().parent.parent


def queue_confirmations(campaign, n: int, **signature_fields) -> list[Delivery]:
    """n pending signatures, each with its confirmation queued (as signing does)."""
    rows = []
    for _ in range(n):
        signature = make_signature(campaign, confirmed=False, **signature_fields)
        rows.append(
            outbox.enqueue(
                DeliveryKind.CONFIRMATION,
                f"confirmation:{signature.id}:1",
                signature.email,
                campaign_id=campaign.id,
                signature_id=signature.id,
            )
        )
    db.session.commit()
    return rows


def statuses() -> dict[int, str]:
    db.session.expire_all()
    return {
        row.id: row.status for row in db.session.execute(sa.select(Delivery.id, Delivery.status))
    }


def test_sent_confirmation_records_the_provider_message_id(sendgrid_app, fake_sendgrid):
    [row] = queue_confirmations(make_campaign(), 1)
    result = send_all_due()
    assert (result.claimed, result.sent) == (1, 1)
    db.session.refresh(row)
    assert row.status == DeliveryStatus.SENT
    assert row.provider_message_id == fake_sendgrid.accepted()[0].message_id
    assert row.sent_at is not None and row.leased_until is None


def test_confirmations_due_together_go_in_one_request_and_each_link_works(
    sendgrid_app, fake_sendgrid
):
    campaign = make_campaign()
    rows = queue_confirmations(campaign, 30)
    send_all_due()
    [request] = fake_sendgrid.accepted()
    assert sorted(request.delivery_ids) == sorted(row.id for row in rows)
    assert set(statuses().values()) == {DeliveryStatus.SENT}

    # What SendGrid would deliver to one signer: the template with their values filled in.
    personalization = request.payload["personalizations"][7]
    text = request.payload["content"][0]["value"]
    for placeholder, value in personalization["substitutions"].items():
        text = text.replace(placeholder, value)
    confirm_path = next(w for w in text.split() if "/confirm/" in w).split("chorus.test")[1]
    assert sendgrid_app.test_client().post(confirm_path).status_code == 200
    email = personalization["to"][0]["email"]
    signature = db.session.scalar(sa.select(Signature).where(Signature.email == email))
    assert signature.status == SignatureStatus.CONFIRMED


def test_signer_name_cannot_inject_markup_into_a_batched_email(sendgrid_app, fake_sendgrid):
    queue_confirmations(make_campaign(), 2, name="<b>Eve</b> Hacker")
    send_all_due()
    [request] = fake_sendgrid.accepted()
    html = request.payload["content"][1]["value"]
    substitutions = request.payload["personalizations"][0]["substitutions"]
    for placeholder, value in substitutions.items():
        html = html.replace(placeholder, value)
    assert "<b>Eve</b>" not in html and "&lt;b&gt;Eve&lt;/b&gt;" in html


def test_one_bad_address_in_a_batch_fails_alone(sendgrid_app, fake_sendgrid):
    campaign = make_campaign()
    good = queue_confirmations(campaign, 3)
    [bad] = queue_confirmations(campaign, 1, email="broken@localhost")
    result = send_all_due()
    assert (result.sent, result.failed) == (3, 1)
    db.session.refresh(bad)
    assert bad.status == DeliveryStatus.FAILED
    assert "invalid email address" in bad.last_error
    assert sorted(fake_sendgrid.sent_delivery_ids()) == sorted(row.id for row in good)


def test_rate_limit_waits_until_the_reset_and_keeps_the_others_in_line(sendgrid_app, fake_sendgrid):
    campaign_rows = [queue_confirmations(make_campaign(), 1)[0] for _ in range(3)]
    fake_sendgrid.reply(rate_limited(reset_in=120))
    before = utcnow()
    result = send_all_due()
    assert (result.claimed, result.retrying, result.released, result.stopped) == (3, 1, 2, True)
    first, *others = campaign_rows
    for row in campaign_rows:
        db.session.refresh(row)
    assert first.status == DeliveryStatus.QUEUED
    assert "429" in first.last_error
    assert timedelta(seconds=118) < first.next_attempt_at - before < timedelta(seconds=123)
    # The others were never tried: no attempt used up, still due now, in their place in line.
    assert [(r.status, r.attempts) for r in others] == [(DeliveryStatus.QUEUED, 0)] * 2
    assert send_all_due().sent == 2
    assert len(fake_sendgrid.received) == 3


def test_permanent_error_fails_with_the_providers_reason(make_app, fake_sendgrid):
    app = make_app(
        MAIL_BACKEND="sendgrid", SENDGRID_API_KEY="SG.revoked", SENDGRID_API_HOST=fake_sendgrid.url
    )
    with app.app_context():
        [row] = queue_confirmations(make_campaign(), 1)
        assert send_all_due().failed == 1
        db.session.refresh(row)
        assert row.status == DeliveryStatus.FAILED
        assert row.last_error.startswith("SendGrid 401")


def test_temporary_errors_back_off_then_give_up_after_max_attempts(
    make_app, fake_sendgrid, frozen_clock
):
    app = make_app(
        **fake_sendgrid.app_settings(DELIVERY_MAX_ATTEMPTS=3, DELIVERY_BACKOFF_SECONDS=0.01)
    )
    fake_sendgrid.default = Reply(503)
    with app.app_context():
        [row] = queue_confirmations(make_campaign(), 1)
        delays = []
        for _ in range(3):
            frozen_clock.advance(1)  # past the backoff
            send_all_due()
            db.session.refresh(row)
            delays.append(row.next_attempt_at)
        assert row.status == DeliveryStatus.FAILED
        assert row.attempts == 3
        assert row.last_error.startswith("gave up after 3 attempts: SendGrid 503")
        assert len(fake_sendgrid.received) == 3


@pytest.mark.parametrize(
    ("attempt", "expected_range"),
    [(1, (15, 30)), (2, (30, 60)), (4, (120, 240)), (20, (1800, 3600))],
)
def test_retry_delay_doubles_with_jitter_up_to_a_cap(attempt, expected_range):
    low, high = expected_range
    delays = [sending.retry_delay(attempt, base=30, cap=3600) for _ in range(50)]
    assert all(low <= d <= high for d in delays)
    assert len(set(delays)) > 1


def test_suppressed_address_gets_no_confirmation_and_organizers_see_why(
    sendgrid_app, fake_sendgrid
):
    db.session.add(Suppression(email="ann@example.org", reason="bounce"))
    db.session.commit()
    campaign = make_campaign()
    sign_via_form(sendgrid_app.test_client(), campaign.slug, email="Ann@Example.org")
    send_all_due()
    assert list(statuses().values()) == [DeliveryStatus.SUPPRESSED]
    assert fake_sendgrid.received == []


def test_address_suppressed_after_queueing_is_not_sent(sendgrid_app, fake_sendgrid):
    rows = queue_confirmations(make_campaign(), 2)
    db.session.add(Suppression(email=rows[0].recipient, reason="bounce"))
    db.session.commit()
    result = send_all_due()
    assert (result.sent, result.skipped) == (1, 1)
    assert statuses()[rows[0].id] == DeliveryStatus.SUPPRESSED
    assert fake_sendgrid.sent_delivery_ids() == [rows[1].id]


def withdraw_once_planned(monkeypatch, row: Delivery) -> None:
    """Withdraw row's signer from another thread once a worker has claimed and planned the
    round it is in, as a signer clicking the withdraw link at that moment would."""
    token = tokens.make_token(tokens.WITHDRAW, row.signature_id, row.recipient)
    app = current_app._get_current_object()
    plan = sending._plan

    def plan_then_withdraw(claims, result):
        units = plan(claims, result)

        def withdraw():
            with app.app_context():
                signatures.withdraw(token)

        elsewhere = threading.Thread(target=withdraw)
        elsewhere.start()
        elsewhere.join()
        return units

    monkeypatch.setattr(sending, "_plan", plan_then_withdraw)


def test_a_signer_who_withdraws_while_their_mail_is_claimed_gets_none(app, outbox, monkeypatch):
    kept, withdrawn = queue_confirmations(make_campaign(), 2)
    kept_address = kept.recipient
    withdraw_once_planned(monkeypatch, withdrawn)
    result = send_all_due()
    [message] = outbox
    assert kept_address in message.to
    assert (result.claimed, result.sent) == (2, 1)
    assert statuses() == {kept.id: DeliveryStatus.SENT, withdrawn.id: DeliveryStatus.CANCELLED}


def test_a_withdrawn_signer_is_taken_out_of_a_planned_batch(
    sendgrid_app, fake_sendgrid, monkeypatch
):
    rows = queue_confirmations(make_campaign(), 3)
    withdraw_once_planned(monkeypatch, rows[1])
    send_all_due()
    [request] = fake_sendgrid.accepted()
    assert sorted(request.delivery_ids) == [rows[0].id, rows[2].id]
    assert statuses()[rows[1].id] == DeliveryStatus.CANCELLED


def test_a_dead_workers_lease_expires_and_its_late_outcome_is_ignored(app, outbox):
    [row] = queue_confirmations(make_campaign(), 1)
    [stale] = claim_due()
    # The worker holding the claim dies; after the lease another worker takes over.
    later = utcnow() + timedelta(seconds=app.config["DELIVERY_LEASE_SECONDS"] + 1)
    [fresh] = claim_due(now=later)
    assert (fresh.id, fresh.attempt) == (row.id, stale.attempt + 1)
    assert fresh.leased_until > stale.leased_until
    sending.send_claims([fresh], sending.Round())
    assert sending._record([stale], status=DeliveryStatus.FAILED, error="late") == 0
    db.session.refresh(row)
    assert row.status == DeliveryStatus.SENT and row.last_error == ""
    assert len(outbox) == 1


def test_provider_down_then_back_sends_everything_once_in_order_of_due_time(
    make_app, fake_sendgrid, frozen_clock
):
    app = make_app(
        **fake_sendgrid.app_settings(DELIVERY_BACKOFF_SECONDS=0.2, DELIVERY_BATCH_SIZE=4)
    )
    with app.app_context():
        # Each row its own campaign, so each is its own request and order is visible.
        rows = [queue_confirmations(make_campaign(), 1)[0] for _ in range(12)]
        base = utcnow() - timedelta(minutes=1)
        for n, row in enumerate(rows):
            row.next_attempt_at = base + timedelta(seconds=n)
        db.session.commit()
        fake_sendgrid.reply(Reply(503), Reply(drop=True), Reply(500), Reply(503))
        deadline = time.monotonic() + 20
        while set(statuses().values()) != {DeliveryStatus.SENT} and time.monotonic() < deadline:
            send_all_due()
            frozen_clock.advance(0.05)

        assert set(statuses().values()) == {DeliveryStatus.SENT}
        sent = fake_sendgrid.sent_delivery_ids()
        assert sorted(sent) == sorted(row.id for row in rows)  # none lost, none twice
        db.session.expire_all()
        due_at = {row.id: (row.next_attempt_at, row.id) for row in rows}
        assert sent == sorted(sent, key=due_at.get)
        never_failed = [row.id for row in rows if row.attempts == 1]
        assert [d for d in sent if d in never_failed] == never_failed


def test_deliver_command_drains_and_outbox_status_shows_states_and_kinds(app, runner):
    rows = queue_confirmations(make_campaign(), 3)
    rows[0].status = DeliveryStatus.FAILED
    db.session.commit()
    status = runner.invoke(args=["outbox", "status"])
    assert status.exit_code == 0, status.output
    assert "confirmation" in status.output
    assert [line.split() for line in status.output.splitlines()][1:3] == [
        ["failed", "1"],
        ["queued", "2"],
    ]
    assert "due now: 2; oldest due since" in status.output

    result = runner.invoke(args=["deliver"])
    assert "claimed 2: sent 2" in result.output
    assert "due now: 0" in runner.invoke(args=["outbox", "status"]).output


def test_outbox_retry_requeues_failed_deliveries_since_a_time(app, runner, outbox):
    old, recent = queue_confirmations(make_campaign(), 2)
    for row in (old, recent):
        row.status = DeliveryStatus.FAILED
        row.attempts = 8
    db.session.commit()
    three_days_ago = utcnow() - timedelta(days=3)
    db.session.execute(
        sa.update(Delivery).where(Delivery.id == old.id).values(updated_at=three_days_ago)
    )
    db.session.commit()
    result = runner.invoke(args=["outbox", "retry", "--failed", "--since", "1h"])
    assert result.output.strip() == "queued again: 1"
    assert runner.invoke(args=["deliver"]).exit_code == 0
    assert statuses() == {old.id: DeliveryStatus.FAILED, recent.id: DeliveryStatus.SENT}
    assert runner.invoke(args=["outbox", "retry", "--failed", "--since", "soon"]).exit_code == 2


def _start_workers(count: int, database_url: str, fake, **env) -> list[subprocess.Popen]:
    """`flask deliver --watch` processes against the test database and the fake SendGrid."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "BASE_URL": "http://chorus.test",
        "MAIL_BACKEND": "sendgrid",
        "SENDGRID_API_KEY": fake.api_key,
        "SENDGRID_API_HOST": fake.url,
        "REDIS_URL": "",
        "WORKER_POLL_SECONDS": "1",
        "DIGEST_HOUR_UTC": "24",
        "MAIL_SEND_TIMEOUT": "1",
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "deliver", "--watch"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(count)
    ]
    for worker in workers:
        # Each prints "delivering every ..." once it is up: wait, so they really compete.
        assert "delivering every" in worker.stdout.readline()
    return workers


def _stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _spread_over_campaigns(n: int, campaigns: int) -> list[Delivery]:
    """Confirmations that each go in their own request (one per campaign and batch)."""
    owners = [make_campaign() for _ in range(campaigns)]
    return [queue_confirmations(owners[i % campaigns], 1)[0] for i in range(n)]


@pytest.mark.postgres
def test_two_competing_workers_send_each_delivery_exactly_once(app, database_url, fake_sendgrid):
    workers = _start_workers(2, database_url, fake_sendgrid, DELIVERY_BATCH_SIZE="5")
    rows = _spread_over_campaigns(40, 40)
    try:
        assert wait_until(lambda: len(fake_sendgrid.sent_delivery_ids()) >= len(rows), 30)
    finally:
        _stop(workers)  # each finishes its round first, so any duplicate has arrived
    sent = fake_sendgrid.sent_delivery_ids()
    assert sorted(sent) == sorted(row.id for row in rows)
    assert fake_sendgrid.duplicates() == {}
    assert set(statuses().values()) == {DeliveryStatus.SENT}


@pytest.mark.postgres
def test_killing_a_worker_mid_batch_loses_nothing_and_duplicates_at_most_its_inflight_send(
    app, database_url, fake_sendgrid
):
    fake_sendgrid.default = Reply(delay=0.1)
    settings = {"DELIVERY_BATCH_SIZE": "5", "DELIVERY_LEASE_SECONDS": "3"}
    victim, survivor = _start_workers(2, database_url, fake_sendgrid, **settings)
    rows = _spread_over_campaigns(24, 24)
    try:
        assert wait_until(lambda: len(fake_sendgrid.received) >= 6, 20)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        assert wait_until(lambda: set(statuses().values()) == {DeliveryStatus.SENT}, 30)
    finally:
        _stop([victim, survivor])
    sent = fake_sendgrid.sent_delivery_ids()
    assert set(sent) == {row.id for row in rows}
    duplicates = fake_sendgrid.duplicates()
    # Only the send the victim had in flight can have gone out twice.
    assert sum(n - 1 for n in duplicates.values()) <= 1, duplicates
    print(f"killed worker: {len(sent)} sends for {len(rows)} deliveries, duplicates {duplicates}")


def test_sending_a_rejected_batch_one_by_one_stops_before_the_lease_ends(
    make_app, fake_sendgrid, frozen_clock
):
    # Worker A splits a rejected batch and sends slowly; once its lease runs out, worker B
    # may claim the rest. A must have stopped by then, or both send the same rows.
    # Each send takes 0.5 s of the (frozen) clock, within its 2 s timeout.
    settings = fake_sendgrid.app_settings(MAIL_SEND_TIMEOUT=2, DELIVERY_LEASE_SECONDS=4)
    app = make_app(**settings)
    with app.app_context():
        campaign = make_campaign()
        good_ids = [row.id for row in queue_confirmations(campaign, 12)]
        queue_confirmations(campaign, 1, email="broken@localhost")  # rejects the whole batch
    fake_sendgrid.default = Reply(takes=0.5)
    lease_ends = frozen_clock.timestamp() + 4

    with app.app_context():
        send_all_due()  # worker A
    assert fake_sendgrid.received, "A sent something before it stopped"
    assert all(request.received_at < lease_ends for request in fake_sendgrid.received)
    frozen_clock.advance(lease_ends + 0.4 - frozen_clock.timestamp())  # A's lease has ended
    with make_app(**settings).app_context():
        send_all_due()  # worker B
    assert fake_sendgrid.duplicates() == {}
    # What A stopped short of is back in line for the next round, not lost.
    with make_app(**settings).app_context():
        statuses = dict(db.session.execute(sa.select(Delivery.id, Delivery.status)).all())
    sent = set(fake_sendgrid.sent_delivery_ids())
    assert sent and sent <= set(good_ids)
    assert all(statuses[i] == DeliveryStatus.QUEUED for i in set(good_ids) - sent)


def test_a_message_that_cannot_be_built_fails_its_own_rows_and_the_round_goes_on(
    sendgrid_app, fake_sendgrid
):
    # A bell in a title (entered before titles were cleaned) makes every subject that
    # quotes it an unsafe header: the batch template and a single message alike.
    bad_campaign = make_campaign(title="Bad \x07 title")
    bad_batch = queue_confirmations(bad_campaign, 2)
    signer = make_signature(bad_campaign, confirmed=False)
    bad_single = outbox.enqueue(
        DeliveryKind.LETTER_NOT_TAKEN,
        f"letter_not_taken:{signer.id}:1",
        signer.email,
        campaign_id=bad_campaign.id,
        signature_id=signer.id,
    )
    db.session.commit()
    good = queue_confirmations(make_campaign(), 3)

    result = send_all_due()

    assert (result.sent, result.failed, result.stopped) == (3, 3, False)
    assert sorted(fake_sendgrid.sent_delivery_ids()) == sorted(row.id for row in good)
    bad_ids = [row.id for row in bad_batch] + [bad_single.id]
    failed = db.session.execute(
        sa.select(Delivery.status, Delivery.last_error).where(Delivery.id.in_(bad_ids))
    ).all()
    assert {status for status, _ in failed} == {DeliveryStatus.FAILED}
    for _, error in failed:
        assert error.startswith("could not build the message: control character")


def test_a_row_of_a_channel_this_worker_does_not_know_waits_and_the_rest_is_sent(app, outbox):
    campaign = make_campaign()
    [email_row] = queue_confirmations(campaign, 1)
    signer = make_signature(campaign, confirmed=False)
    outbox_row = Delivery(
        kind=DeliveryKind.CONFIRMATION,
        dedupe_key=f"confirmation:{signer.id}:1",
        channel="fax",
        recipient="+1 202 555 0100",
        signature_id=signer.id,
    )
    db.session.add(outbox_row)
    db.session.commit()

    result = sending.deliver_due()

    assert (result.sent, result.retrying) == (1, 1)
    assert [message.delivery_id for message in outbox] == [email_row.id]
    db.session.refresh(outbox_row)
    assert (outbox_row.status, outbox_row.last_error) == (
        DeliveryStatus.QUEUED,
        "could not build the message",
    )
