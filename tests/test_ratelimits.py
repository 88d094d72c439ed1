"""Rate limits: busy senders are accepted and marked for review; only abuse gets a 429."""

import os
import socket

import pytest
import redis
import sqlalchemy as sa

from app.extensions import db
from app.models import Signature
from app.ratelimits import REASON_EMAIL, REASON_IP
from tests.factories import make_campaign

# Helper D's Redis database (see the briefs): keys here never collide with other suites.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "").rsplit("/", 1)[0]
# These tests flush a Redis database and read server-wide command counts: they run on one
# xdist worker, in turn with tests/test_celery.py.
pytestmark = pytest.mark.xdist_group("redis")


def _sign(client, slug: str, email: str, **headers):
    data = {"name": "Ann Lee", "email": email, "zip": "10001"}
    return client.post(f"/c/{slug}/sign", data=data, headers=headers)


def _reasons() -> list[str]:
    return list(db.session.scalars(sa.select(Signature.review_reason).order_by(Signature.id)))


def test_signer_over_the_ip_limit_is_accepted_as_usual_and_marked_for_review(make_app):
    app = make_app(RATELIMIT_REVIEW_IP="2 per minute")
    client = app.test_client()
    with app.app_context():
        slug = make_campaign().slug
        responses = [_sign(client, slug, f"person{i}@example.org") for i in range(3)]
        assert [r.status_code for r in responses] == [302, 302, 302]
        # The signer is not told: every answer is the signer's own check-email page.
        pages = [client.get(r.headers["Location"]).get_data(as_text=True) for r in responses]
        assert all("/check-email/" in r.headers["Location"] for r in responses)
        assert all("Check your email" in page and "review" not in page for page in pages)
        assert _reasons() == ["", "", REASON_IP]


def test_one_email_signing_many_campaigns_is_marked_for_review(make_app):
    app = make_app(RATELIMIT_REVIEW_EMAIL="2 per hour")
    client = app.test_client()
    with app.app_context():
        slugs = [make_campaign().slug for _ in range(3)]
        for slug in slugs:
            assert _sign(client, slug, "Busy@Example.org").status_code == 302
        assert _reasons() == ["", "", REASON_EMAIL]


def test_client_ip_is_taken_only_from_trusted_proxy_hops(make_app):
    behind_proxy = make_app(PROXY_HOPS=1, RATELIMIT_REVIEW_IP="1 per minute")
    client = behind_proxy.test_client()
    with behind_proxy.app_context():
        slug = make_campaign().slug
        for i in range(3):
            _sign(client, slug, f"p{i}@example.org", **{"X-Forwarded-For": f"198.51.100.{i}"})
        assert _reasons() == ["", "", ""], "three clients behind one proxy"

    direct = make_app(PROXY_HOPS=0, RATELIMIT_REVIEW_IP="1 per minute")
    client = direct.test_client()
    with direct.app_context():
        slug = make_campaign().slug
        for i in range(2):
            _sign(client, slug, f"q{i}@example.org", **{"X-Forwarded-For": f"203.0.113.{i}"})
        assert _reasons()[-2:] == ["", REASON_IP], "a forged header does not change the IP"


STORES = ["memory://"] + (
    [pytest.param(f"{REDIS_URL}/5", marks=pytest.mark.redis)] if REDIS_URL else []
)


@pytest.mark.parametrize("store", STORES)
def test_abusive_rate_from_one_ip_gets_a_friendly_429_with_retry_after(make_app, store):
    if store.startswith("redis"):
        redis.Redis.from_url(store).flushdb()
    app = make_app(RATELIMIT_BLOCK_IP="3 per minute", RATELIMIT_STORAGE_URI=store)
    client = app.test_client()
    with app.app_context():
        slug = make_campaign().slug
        statuses = [_sign(client, slug, f"bot{i}@example.org").status_code for i in range(3)]
        assert statuses == [302, 302, 302]
        blocked = _sign(client, slug, "bot9@example.org")
        assert blocked.status_code == 429
        assert "Too many requests" in blocked.get_data(as_text=True)
        assert 1 <= int(blocked.headers["Retry-After"]) <= 60
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 3
        assert client.get(f"/c/{slug}").status_code == 200, "reading is never blocked"


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="needs TEST_REDIS_URL")
def test_limits_are_shared_through_redis_and_store_no_address_or_email(make_app):
    store = f"{REDIS_URL}/5"
    redis.Redis.from_url(store).flushdb()
    first = make_app(RATELIMIT_STORAGE_URI=store, RATELIMIT_REVIEW_IP="1 per minute")
    second = make_app(RATELIMIT_STORAGE_URI=store, RATELIMIT_REVIEW_IP="1 per minute")
    with first.app_context():
        slug = make_campaign().slug
        _sign(first.test_client(), slug, "web1@example.org")
    with second.app_context():  # another worker process, the same Redis
        _sign(second.test_client(), slug, "web2@example.org")
        assert _reasons() == ["", REASON_IP]
    keys = b" ".join(redis.Redis.from_url(store).keys("*"))
    assert keys and b"example.org" not in keys and b"127.0.0.1" not in keys
    redis.Redis.from_url(store).flushdb()


def test_refused_posts_count_against_the_block_limit_only(make_app):
    # A honeypot bot or a mistyped form must not get real signers on its address flagged,
    # but every POST, refused or not, counts towards the hard block.
    app = make_app(
        RATELIMIT_REVIEW_IP="2 per minute",
        RATELIMIT_REVIEW_EMAIL="2 per hour",
        RATELIMIT_BLOCK_IP="5 per minute",
    )
    client = app.test_client()
    with app.app_context():
        slug = make_campaign().slug
        form = {"name": "Ann Lee", "email": "ann@example.org"}
        honeypot = client.post(f"/c/{slug}/sign", data={**form, "zip": "10001", "website": "x"})
        no_zip = client.post(f"/c/{slug}/sign", data={**form, "zip": ""})
        unknown_zip = client.post(f"/c/{slug}/sign", data={**form, "zip": "00000"})
        assert [r.status_code for r in (honeypot, no_zip, unknown_zip)] == [302, 400, 400]
        assert _sign(client, slug, "ann@example.org").status_code == 302
        assert _reasons() == [""], "three refused posts did not count for review"
        assert _sign(client, slug, "bo@example.org").status_code == 302
        assert _sign(client, slug, "cy@example.org").status_code == 429, "the sixth POST"


def test_invalid_posts_count_against_the_block_limit(make_app):
    # An invalid form shows the page again; a flood of such posts gets a 429 instead.
    app = make_app(RATELIMIT_BLOCK_IP="2 per minute")
    client = app.test_client()
    with app.app_context():
        slug = make_campaign().slug
        data = {"name": "", "email": "ann@example.org", "zip": "10001"}
        statuses = [client.post(f"/c/{slug}/sign", data=data).status_code for _ in range(3)]
        assert statuses == [400, 400, 429]
        blocked = client.post(f"/c/{slug}/sign", data=data)
        assert "Too many requests" in blocked.get_data(as_text=True)
        assert 1 <= int(blocked.headers["Retry-After"]) <= 60


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="needs TEST_REDIS_URL")
def test_every_limit_of_a_submission_is_counted_in_one_redis_round_trip(make_app):
    store = f"{REDIS_URL}/5"
    server = redis.Redis.from_url(store)
    server.flushdb()
    app = make_app(RATELIMIT_STORAGE_URI=store, RATELIMIT_REVIEW_IP="1 per minute")
    client = app.test_client()
    with app.app_context():
        slug = make_campaign().slug
        _sign(client, slug, "first@example.org")  # loads the script into Redis
        before = server.info("commandstats")
        _sign(client, slug, "second@example.org")
        after = server.info("commandstats")
        calls = {
            name: after[name]["calls"] - before.get(name, {}).get("calls", 0)
            for name in after
            if after[name]["calls"] != before.get(name, {}).get("calls", 0)
        }
        # One script call from the client; Redis counts the commands the script ran (three
        # counters, one of them new, so one EXPIRE) and our own INFO as well.
        expected = {"cmdstat_evalsha": 1, "cmdstat_incr": 3, "cmdstat_expire": 1}
        assert calls == {**expected, "cmdstat_info": 1}, calls
        assert _reasons() == ["", REASON_IP]
        assert len(server.keys("*")) == 4, "block and review per IP, review per email (x2)"
    server.flushdb()


def test_signing_goes_on_when_the_rate_limit_store_is_down(make_app):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = make_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}/0")
    client = app.test_client()
    with app.app_context():
        slug = make_campaign().slug
        assert _sign(client, slug, "ann@example.org").status_code == 302
        assert _reasons() == [""]


def test_the_funnel_beacon_keeps_its_own_limit(make_app):
    # Flask-Limiter's per-request hook is left out (init_rate_limits): a decorated limit
    # must still hold on its own.
    client = make_app().test_client()
    statuses = [client.post("/c/any/funnel/view").status_code for _ in range(61)]
    assert statuses == [204] * 60 + [429]


def test_the_app_starts_and_takes_signatures_with_rate_limits_off(make_app):
    app = make_app(RATELIMIT_ENABLED=False)
    client = app.test_client()
    with app.app_context():
        slug = make_campaign().slug
        assert _sign(client, slug, "ann@example.org").status_code == 302


@pytest.mark.parametrize("headers", [False, True])
def test_flask_limiters_per_request_hooks_run_only_to_send_its_headers(make_app, headers):
    # init_rate_limits drops them while RATELIMIT_HEADERS_ENABLED is off: they would only
    # add those headers (and apply deduct_when limits, which Chorus does not use).
    app = make_app(RATELIMIT_HEADERS_ENABLED=headers)
    hooks = [*app.after_request_funcs[None], *app.teardown_request_funcs.get(None, [])]
    from_limiter = [hook for hook in hooks if "Limiter" in repr(hook)]
    assert len(from_limiter) == (2 if headers else 0)
