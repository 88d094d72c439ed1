"""The embedded worker of `make run` starts with the app, not on the first request."""

import time

import click

from app.extensions import db
from app.models import DeliveryKind
from app.services.delivery import outbox
from tests.factories import make_campaign, make_signature


def test_mail_goes_out_after_a_restart_before_anyone_visits(make_app):
    app = make_app(EMBEDDED_WORKER=True, WORKER_POLL_SECONDS=1)
    worker = app.extensions["chorus_worker"]
    try:
        with app.app_context():
            campaign = make_campaign()
            signature = make_signature(campaign, confirmed=False)
            outbox.enqueue(
                DeliveryKind.CONFIRMATION,
                f"confirmation:{signature.id}:1",
                signature.email,
                campaign_id=campaign.id,
                signature_id=signature.id,
            )
            db.session.commit()
        sent = app.extensions["chorus_mail"].outbox
        deadline = time.monotonic() + 5
        while not sent and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(sent) == 1, "no request was made, yet the worker sent the mail"
    finally:
        worker.stop()


def test_a_cli_command_builds_the_app_without_starting_the_worker(make_app):
    with click.Context(click.Command("outbox"), info_name="outbox"):
        app = make_app(EMBEDDED_WORKER=True)
    assert not app.extensions["chorus_worker"]._thread.is_alive()
