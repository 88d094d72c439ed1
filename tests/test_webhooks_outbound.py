"""Signed webhooks to an organization's endpoints, through the outbox, verified by a real
local receiver (tests/fakes/webhook_receiver.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import ROOT
from app.extensions import db
from app.models import (
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Organizer,
    Role,
    Signature,
    WebhookAttempt,
    WebhookEndpoint,
    WebhookEvent,
)
from app.services.delivery import webhooks
from app.services.delivery.sending import drain
from app.services.errors import ChorusError
from app.services.signing.counting import count_signatures
from app.services.targets import access
from app.services.unit_of_work import unit_of_work
from tests.factories import make_campaign, make_target
from tests.helpers import link_token, sign_via_form, wait_until
from tests.organizer.helpers import make_delivery, make_letter

FLASK = Path(sys.executable).with_name("flask")


def _admin(email: str = "admin@example.org") -> Organizer:
    admin = Organizer(email=email, password_hash="x", role=Role.ADMIN)
    db.session.add(admin)
    db.session.commit()
    return admin


def _endpoint(receiver, events=WebhookEvent.ALL) -> WebhookEndpoint:
    endpoint = webhooks.register_endpoint(receiver.url, list(events), _admin())
    receiver.secret = endpoint.secret
    return endpoint


def _confirm_a_signature(client, outbox, slug: str, email: str = "ann@example.org"):
    sign_via_form(client, slug, email=email)
    drain()
    client.post(f"/confirm/{link_token(outbox[-1], 'confirm')}")


def test_each_event_reaches_each_endpoint_once_signed(client, outbox, webhook_receiver):
    _endpoint(webhook_receiver)
    campaign = make_campaign(thresholds=[{"count": 1, "label": "First"}])
    _confirm_a_signature(client, outbox, campaign.slug)
    _confirm_a_signature(client, outbox, campaign.slug)  # the same address, a second time
    count_signatures()  # reaches the milestone
    letter = make_letter(db.session.scalar(sa.select(Signature)))
    make_delivery(letter, make_target(email="office@example.gov"))
    target = make_target(state="NY")
    access.post_response(target, campaign, "We read every letter.", "Staffer")
    drain()
    drain()

    events = {body["type"]: body for body in webhook_receiver.events.values()}
    assert sorted(events) == sorted(
        [
            WebhookEvent.SIGNATURE_CONFIRMED,
            WebhookEvent.MILESTONE_REACHED,
            WebhookEvent.LETTER_DELIVERED,
            WebhookEvent.RESPONSE_POSTED,
        ]
    )
    assert len(webhook_receiver.requests) == 4
    assert all(verified for _, _, verified in webhook_receiver.requests)
    person = events[WebhookEvent.SIGNATURE_CONFIRMED]["data"]["signature"]["person"]
    assert person["email_addresses"][0]["address"] == "ann@example.org"
    assert events[WebhookEvent.MILESTONE_REACHED]["data"]["milestone"]["count"] == 1
    assert events[WebhookEvent.RESPONSE_POSTED]["data"]["response"]["body"] == (
        "We read every letter."
    )
    log = db.session.scalars(sa.select(WebhookAttempt)).all()
    assert len(log) == 4 and all(attempt.ok for attempt in log)


def test_a_withdrawal_cancels_the_unsent_confirmation_and_is_sent_with_the_id_only(
    client, outbox, webhook_receiver
):
    _endpoint(webhook_receiver)
    campaign = make_campaign()
    sign_via_form(client, campaign.slug)
    drain()
    client.post(f"/confirm/{link_token(outbox[-1], 'confirm')}")
    withdraw = f"/withdraw/{link_token(outbox[-1], 'withdraw')}"
    client.post(withdraw)
    drain()
    (event,) = webhook_receiver.events.values()
    assert event["type"] == WebhookEvent.SIGNATURE_WITHDRAWN
    assert set(event["data"]["signature"]) == {"id", "identifiers"}
    assert "@" not in str(event)
    cancelled = db.session.scalar(
        sa.select(Delivery.status).where(
            Delivery.dedupe_key.like(f"%:{WebhookEvent.SIGNATURE_CONFIRMED}:%")
        )
    )
    assert cancelled == DeliveryStatus.CANCELLED


def test_only_subscribed_events_are_sent(client, outbox, webhook_receiver):
    _endpoint(webhook_receiver, events=[WebhookEvent.RESPONSE_POSTED])
    campaign = make_campaign()
    _confirm_a_signature(client, outbox, campaign.slug)
    drain()
    assert webhook_receiver.requests == []


def test_a_worker_killed_mid_delivery_is_redelivered_with_the_same_idempotency_key(
    app, client, outbox, webhook_receiver, frozen_clock
):
    """A real `flask deliver` process sends the event and is killed while the receiver
    holds the request; once its lease ends, the next worker sends it again under the same
    key, and the receiver (which drops repeats) processes it once."""
    _endpoint(webhook_receiver)
    campaign = make_campaign()
    _confirm_a_signature(client, outbox, campaign.slug)  # the emails go, the webhook waits
    webhook_receiver.hold = threading.Event()
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "MAIL_BACKEND": "console",
        "WEBHOOK_ALLOW_LOCAL_HTTP": "1",
        "DELIVERY_LEASE_SECONDS": "60",
    }
    worker = subprocess.Popen(
        [str(FLASK), "--app", "app", "deliver"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert wait_until(webhook_receiver.received.is_set, timeout=30)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    webhook_receiver.hold.set()
    webhook_receiver.hold = None
    db.session.expire_all()
    row = db.session.scalar(sa.select(Delivery).where(Delivery.kind == DeliveryKind.WEBHOOK))
    assert (row.status, row.attempts) == (DeliveryStatus.SENDING, 1)

    assert drain() == 0  # the dead worker's lease still holds
    frozen_clock.advance(120)  # past the lease the worker took (a few seconds after freezing)
    assert drain() == 1
    keys = [key for key, _, _ in webhook_receiver.requests]
    assert keys == [row.dedupe_key, row.dedupe_key]
    assert list(webhook_receiver.events) == [row.dedupe_key]
    db.session.refresh(row)
    assert (row.status, row.attempts) == (DeliveryStatus.SENT, 2)


def test_an_endpoint_failing_for_a_day_is_turned_off_and_admins_are_told(
    make_app, webhook_receiver, frozen_clock
):
    app = make_app(WEBHOOK_DISABLE_AFTER_EVENTS=3, WEBHOOK_DISABLE_AFTER_HOURS=12)
    with app.app_context():
        outbox = app.extensions["chorus_mail"].outbox
        endpoint = _endpoint(webhook_receiver)
        webhook_receiver.status = 500
        campaign = make_campaign()
        for response_id in (1, 2, 3):
            with unit_of_work():
                webhooks.emit(WebhookEvent.RESPONSE_POSTED, response_id, campaign.id)
        # Composing needs the responses to exist; post them as an office would.
        target = make_target()
        for _ in range(3):
            access.post_response(target, campaign, "A response.", "")
        for _ in range(30):
            drain()
            frozen_clock.advance(3600)
            db.session.refresh(endpoint)
            if not endpoint.active:
                break
        assert not endpoint.active
        assert "every attempt failed" in endpoint.disabled_reason
        drain()
        (notice,) = [m for m in outbox if m.to.endswith("admin@example.org")]
        assert endpoint.url in notice.subject
        attempts = db.session.scalars(sa.select(WebhookAttempt)).all()
        assert attempts and not any(attempt.ok for attempt in attempts)
        assert {a.error for a in attempts} == {"HTTP 500"}


@pytest.mark.parametrize(
    "url",
    ["http://crm.example.org/hook", "ftp://crm.example.org/", "https://", "not a url"],
)
def test_endpoints_must_be_https(make_app, url):
    app = make_app(WEBHOOK_ALLOW_LOCAL_HTTP=False)
    with app.app_context(), pytest.raises(ChorusError):
        webhooks.register_endpoint(url, [WebhookEvent.RESPONSE_POSTED], _admin())


def test_local_http_is_refused_outside_tests_and_development(make_app):
    app = make_app(WEBHOOK_ALLOW_LOCAL_HTTP=False)
    with app.app_context():
        with pytest.raises(ChorusError):
            webhooks.register_endpoint("http://127.0.0.1:9/hook", ["response.posted"], _admin())
        endpoint = webhooks.register_endpoint(
            "https://crm.example.org/hook", ["response.posted"], _admin("a2@example.org")
        )
        assert endpoint.secret.startswith("whsec_")
