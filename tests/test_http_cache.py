"""HTTP caching: public pages and the count are cacheable by a CDN; nothing personal is."""

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from app.extensions import db
from app.models import Signature
from app.services.delivery.sending import drain
from app.services.signing.counting import count_signatures
from tests.factories import make_campaign, make_signature
from tests.helpers import link_token

FORM = {"name": "Ann Lee", "email": "ann@example.org", "zip": "10001"}


def _directives(response) -> dict[str, str]:
    parts = [p.strip() for p in response.headers["Cache-Control"].split(",")]
    return dict((p.split("=") + [""])[:2] for p in parts)


@pytest.mark.parametrize(
    "path", ["/", "/c/{slug}", "/c/{slug}/count.json", "/c/{slug}/check-email"]
)
def test_public_pages_are_cacheable_for_one_count_interval(app, client, path):
    slug = make_campaign().slug
    response = client.get(path.format(slug=slug))
    assert response.status_code == 200
    directives = _directives(response)
    assert "public" in directives
    assert directives["max-age"] == str(app.config["COUNT_INTERVAL_SECONDS"])
    assert int(directives["stale-while-revalidate"]) > 0
    assert int(directives["stale-if-error"]) >= 3600
    assert response.headers["ETag"]
    assert "Set-Cookie" not in response.headers, "a cookie would make every copy private"


def test_without_javascript_the_cached_page_signs_in_one_press(client):
    slug = make_campaign().slug
    page = client.get(f"/c/{slug}").get_data(as_text=True)
    assert "csrf_token" not in page and "sign.js" not in page
    signed = client.post(f"/c/{slug}/sign", data=FORM, headers={"Sec-Fetch-Site": "same-origin"})
    assert signed.status_code == 302
    assert "Set-Cookie" not in signed.headers
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 1


def test_unchanged_page_answers_304_and_a_new_count_changes_its_etag(client):
    campaign = make_campaign()
    first = client.get(f"/c/{campaign.slug}")
    etag = first.headers["ETag"]
    again = client.get(f"/c/{campaign.slug}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert "public" in again.headers["Cache-Control"]

    make_signature(campaign)
    count_signatures()
    changed = client.get(f"/c/{campaign.slug}", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_count_endpoint_reads_the_stored_count_without_counting_rows(app, client):
    campaign = make_campaign(signature_count=1234)
    make_signature(campaign)  # not yet folded in: the endpoint must not count rows itself
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement.lower())

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        body = client.get(f"/c/{campaign.slug}/count.json").json
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert body["signatures"] == 1234
    assert statements and not any("count(" in s for s in statements)


def test_a_visitor_with_a_flash_message_gets_a_private_copy(client):
    slug = make_campaign().slug
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Your settings were saved")]
    response = client.get(f"/c/{slug}")
    assert "Your settings were saved" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-store"


def test_personal_pages_are_never_stored(client, outbox):
    slug = make_campaign().slug
    client.post(f"/c/{slug}/sign", data=FORM)
    drain()
    for kind in ("confirm", "withdraw"):
        response = client.get(f"/{kind}/{link_token(outbox[0], kind)}")
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "private, no-store"


def test_missing_and_draft_campaigns_are_not_cached(client):
    draft = make_campaign(status="draft")
    for path in ("/c/no-such-campaign", f"/c/{draft.slug}"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["Cache-Control"] == "private, no-store"


def test_visitors_without_cookies_share_a_copy_for_page_cache_seconds(make_app, frozen_clock):
    app = make_app(PAGE_CACHE_SECONDS=1)
    with app.app_context():
        campaign = make_campaign()
        path = f"/c/{campaign.slug}"
        first = app.test_client().get(path)
        campaign.title = "A new title"
        db.session.commit()
        shared = app.test_client().get(f"{path}?fbclid=IwAR0abc&utm_source=share")
        assert shared.get_data() == first.get_data(), "served from the shared copy"
        assert shared.headers["ETag"] == first.headers["ETag"]
        assert "public" in shared.headers["Cache-Control"]

        with_cookie = app.test_client()
        with_cookie.set_cookie("session", "an organizer's")
        assert "A new title" in with_cookie.get(path).get_data(as_text=True)

        frozen_clock.advance(1.1)
        assert "A new title" in app.test_client().get(path).get_data(as_text=True)


def test_the_shared_copy_is_served_without_touching_the_database_and_answers_304(make_app):
    app = make_app(PAGE_CACHE_SECONDS=30)
    with app.app_context():
        path = f"/c/{make_campaign().slug}"
        first = app.test_client().get(path)
        statements: list[str] = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            again = app.test_client().get(path)
            not_modified = app.test_client().get(
                path, headers={"If-None-Match": first.headers["ETag"]}
            )
            head = app.test_client().head(path)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert statements == [], "readers of a hot page never reach the database"
    assert again.get_data() == first.get_data()
    assert not_modified.status_code == 304 and not_modified.get_data() == b""
    assert not_modified.headers["ETag"] == first.headers["ETag"]
    assert "public" in not_modified.headers["Cache-Control"]
    assert head.status_code == 200 and head.get_data() == b""


def test_the_shared_copy_never_keeps_a_failed_response(make_app):
    app = make_app(PAGE_CACHE_SECONDS=30)
    with app.app_context():
        assert app.test_client().get("/c/not-yet").status_code == 404
        make_campaign(slug="not-yet")
        assert app.test_client().get("/c/not-yet").status_code == 200, "404s are not kept"
