"""Races on PostgreSQL: the same email at once is one signature; two clicks confirm once."""

from __future__ import annotations

import threading
import urllib.parse
import urllib.request
from collections.abc import Callable
from http.cookiejar import CookieJar

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import (
    Campaign,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Letter,
    Moderation,
    Organizer,
    Role,
    Signature,
    SignatureStatus,
    SupporterUpdate,
)
from app.services import tokens
from app.services.letters.places import Place
from app.services.signing import signatures
from app.services.signing.counting import count_signatures
from app.services.workspace import moderation, updates
from tests.browser.live import serve
from tests.factories import make_campaign, make_signature, make_target
from tests.helpers import wait_until

pytestmark = pytest.mark.postgres

RACERS = 8


def _race(count: int, work: Callable[[int], object]) -> list[object]:
    """Run work(i) in count threads released at the same instant; return results or errors."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as error:  # reported by the test, with the thread's error
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _signature_count() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Signature))


def test_same_email_signed_at_once_in_threads_is_one_signature(app):
    campaign_id = make_campaign().id

    def sign(i: int) -> int:
        with app.app_context():
            slug = db.session.get(Campaign, campaign_id).slug
            request = signatures.SignatureRequest(
                name=f"Ann {i}",
                email="Ann@Example.org" if i % 2 else "ann@example.org",
                place=Place("10001", (("NY", "12"),), from_zcta=True),
            )
            return signatures.sign(slug, request)

    results = _race(RACERS, sign)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 1, "every request was answered with the same signature"
    assert _signature_count() == 1
    confirmations = db.session.scalar(
        sa.select(sa.func.count()).where(Delivery.kind == DeliveryKind.CONFIRMATION)
    )
    assert 1 <= confirmations <= app.config["CONFIRMATION_RESEND_LIMIT"]


class _Browser:
    """One visitor with their own cookies, talking HTTP to the live server."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base_url + path))

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        body = urllib.parse.urlencode(fields).encode()
        return self._open(urllib.request.Request(self.base_url + path, data=body))

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def test_same_email_posted_at_once_by_two_browsers_is_one_signature(app):
    campaign = make_campaign()
    with serve(app) as server:
        visitors = [_Browser(server.url) for _ in range(RACERS)]
        assert all(v.get(f"/c/{campaign.slug}")[0] == 200 for v in visitors)

        def post(i: int) -> tuple[int, str]:
            fields = {
                "name": "Ann Lee",
                "email": "ann@example.org",
                "zip": "10001",
            }
            return visitors[i].post(f"/c/{campaign.slug}/sign", fields)

        results = _race(RACERS, post)
    assert [status for status, _ in results] == [200] * RACERS
    assert all("Check your email" in page for _, page in results)
    assert _signature_count() == 1


def _letter_awaiting_its_click(campaign: Campaign, **fields) -> tuple[Letter, str]:
    """A pending signature's letter to one office, and the link that confirms both."""
    signature = make_signature(campaign, confirmed=False)
    target = make_target(email="office@house.example")
    letter = Letter(
        signature_id=signature.id,
        campaign_id=campaign.id,
        subject="Hello",
        body="Please act.",
        targets=[target],
        **fields,
    )
    db.session.add(letter)
    db.session.commit()
    token = tokens.make_token(tokens.CONFIRM, signature.id, signature.email, letter_id=letter.id)
    return letter, token


def test_confirm_link_clicked_at_once_confirms_and_queues_the_letter_once(app):
    campaign = make_campaign(collects_letters=True)
    letter, token = _letter_awaiting_its_click(campaign)
    target = letter.targets[0]

    with serve(app) as server:
        visitors = [_Browser(server.url) for _ in range(RACERS)]
        results = _race(RACERS, lambda i: visitors[i].post(f"/confirm/{token}", {}))

    assert [status for status, _ in results] == [200] * RACERS
    assert all("your signature is confirmed" in page for _, page in results)
    db.session.rollback()
    assert db.session.scalar(sa.select(Signature.status)) == SignatureStatus.CONFIRMED
    letters = db.session.scalars(sa.select(Delivery).where(Delivery.kind == DeliveryKind.LETTER))
    assert [d.target_id for d in letters] == [target.id]
    assert count_signatures() == 1
    assert db.session.get(Campaign, campaign.id).signature_count == 1


def _a_query_waits_on_a_lock() -> bool:
    with db.engine.connect() as connection:
        waiting = sa.text(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return bool(connection.scalar(waiting))


def test_a_rejection_made_while_the_writer_confirms_still_stops_the_letter(app, monkeypatch):
    # The moderator's transaction has rejected the letter (and cancelled its deliveries:
    # none yet) but not committed when the writer clicks: the click must wait for it, or it
    # queues the letter as pending and the rejection never reaches those deliveries.
    campaign = make_campaign(collects_letters=True, collects_comments=True)
    letter, token = _letter_awaiting_its_click(
        campaign, public_comment=True, moderation=Moderation.PENDING
    )
    campaign_id, letter_id = campaign.id, letter.id
    organizer = Organizer(email="mod@example.org", password_hash="-", role=Role.ORGANIZER)
    rejected = threading.Event()

    def commit_later(*args, **kwargs):  # audit.record runs just before decide() commits
        rejected.set()
        wait_until(_a_query_waits_on_a_lock, timeout=5)  # the writer's click, on our rows

    monkeypatch.setattr(moderation.audit, "record", commit_later)

    def moderator() -> None:
        with app.app_context():
            moderation.decide(
                db.session.get(Campaign, campaign_id), [letter_id], "reject", organizer
            )

    thread = threading.Thread(target=moderator)
    with app.app_context():
        db.session.remove()
    thread.start()
    assert rejected.wait(5)
    with app.app_context():
        signatures.confirm(token)
    thread.join(10)
    db.session.rollback()
    statuses = db.session.scalars(sa.select(Delivery.status).where(Delivery.letter_id == letter_id))
    assert list(statuses) == [DeliveryStatus.CANCELLED]


def test_an_update_sent_twice_at_once_queues_each_supporter_once(app):
    # A double click, or two organizers: both sends run, neither fails, nobody gets two.
    campaign = make_campaign()
    for _ in range(50):
        make_signature(campaign, consent_updates=True)
    organizer = Organizer(email="org@example.org", password_hash="-", role=Role.ORGANIZER)
    db.session.add(organizer)
    db.session.commit()
    update_id = updates.write_update(campaign, "News", "A hearing is set.", organizer).id
    organizer_id = organizer.id

    def send(_: int) -> int:
        with app.app_context():
            update = db.session.get(SupporterUpdate, update_id)
            return updates.send_update(update, db.session.get(Organizer, organizer_id))

    results = _race(2, send)
    assert all(isinstance(n, int) for n in results), results
    assert sum(results) == 50
    queued = sa.select(sa.func.count()).where(Delivery.kind == DeliveryKind.UPDATE)
    assert db.session.scalar(queued) == 50
