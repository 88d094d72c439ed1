"""Citizens' forms: no token, no cookie, one press; cross-site posts refused by their headers."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import DatasetKind, Letter, Signature, SignatureStatus, ZipDistrict
from app.services.delivery.sending import drain
from tests.factories import make_campaign, make_dataset, make_target
from tests.helpers import link_token

FORM = {"name": "Ann Lee", "email": "ann@example.org", "zip": "10001"}


def _signatures() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Signature))


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://chorus.test"},
        {"Sec-Fetch-Site": "none"},  # typed or bookmarked
        {"Origin": "http://chorus.test"},  # an older browser: Origin only
        {"Origin": "https://localhost", "Host": "localhost"},  # the request's own host
        {},  # curl, a script, a browser from before either header
    ],
    ids=["same-origin", "user-initiated", "same-origin-by-origin", "own-host", "no-headers"],
)
def test_a_post_from_this_site_or_without_browser_headers_is_accepted(client, headers):
    slug = make_campaign().slug
    response = client.post(f"/c/{slug}/sign", data=FORM, headers=headers)
    assert response.status_code == 302
    assert _signatures() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://other.chorus.test"},
        # Sec-Fetch-Site decides when present, even beside a matching Origin.
        {"Sec-Fetch-Site": "cross-site", "Origin": "http://chorus.test"},
        {"Origin": "https://evil.example"},  # an older browser, another site
        {"Origin": "null"},  # a sandboxed frame or a data: page
    ],
    ids=["cross-site", "same-site", "cross-site-wins", "mismatched-origin", "null-origin"],
)
def test_a_cross_site_post_is_a_friendly_403_and_stores_nothing(client, headers):
    slug = make_campaign().slug
    response = client.post(f"/c/{slug}/sign", data=FORM, headers=headers)
    assert response.status_code == 403
    assert "sent from another website" in response.get_data(as_text=True)
    assert _signatures() == 0


def test_sign_confirm_and_withdraw_set_no_cookie(client, outbox):
    slug = make_campaign().slug
    same_site = {"Sec-Fetch-Site": "same-origin"}
    responses = [client.get(f"/c/{slug}")]
    responses.append(client.post(f"/c/{slug}/sign", data=FORM, headers=same_site))
    responses.append(client.get(f"/c/{slug}/check-email"))
    drain()
    confirm, withdraw = link_token(outbox[0], "confirm"), link_token(outbox[0], "withdraw")
    responses += [client.get(f"/confirm/{confirm}"), client.post(f"/confirm/{confirm}")]
    responses += [client.get(f"/withdraw/{withdraw}"), client.post(f"/withdraw/{withdraw}")]
    assert [r.status_code for r in responses] == [200, 302, 200, 200, 200, 200, 200]
    assert [r.headers.get("Set-Cookie") for r in responses] == [None] * 7
    assert db.session.scalar(sa.select(Signature.status)) == SignatureStatus.WITHDRAWN


def test_opening_the_confirm_link_only_asks_and_the_button_confirms(client, outbox):
    slug = make_campaign().slug
    client.post(f"/c/{slug}/sign", data=FORM)
    drain()
    token = link_token(outbox[0], "confirm")
    page = client.get(f"/confirm/{token}")  # what a mail scanner does
    assert page.status_code == 200
    assert f'<form method="post" action="/confirm/{token}">' in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(Signature.status)) == SignatureStatus.PENDING

    confirmed = client.post(f"/confirm/{token}")
    assert "your signature is confirmed" in confirmed.get_data(as_text=True)
    assert db.session.scalar(sa.select(Signature.status)) == SignatureStatus.CONFIRMED


def test_the_csrf_token_endpoint_is_gone(client):
    assert client.get("/csrf-token").status_code == 404


def test_organizer_forms_still_need_their_csrf_token(client):
    response = client.post(
        "/organizer/login",
        data={"email": "ann@example.org", "password": "x"},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 400
    assert "Your form expired" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("headers", "status", "letters"),
    [({"Sec-Fetch-Site": "same-origin"}, 302, 1), ({"Sec-Fetch-Site": "cross-site"}, 403, 0)],
    ids=["same-origin", "cross-site"],
)
def test_a_letter_needs_no_token_nor_cookie_but_must_come_from_this_site(
    client, headers, status, letters
):
    zip_map = make_dataset(DatasetKind.ZIPS).id
    db.session.add(ZipDistrict(zcta="10001", state="NY", district="12", dataset_id=zip_map))
    chair = make_target(name="Pat Chair", email="chair@example.gov")
    campaign = make_campaign(collects_letters=True, fixed_targets=[chair])
    form = {**FORM, "subject": "Please act", "body": "A fair hearing for everyone, please."}
    response = client.post(f"/c/{campaign.slug}/write", data=form, headers=headers)
    assert response.status_code == status
    assert "Set-Cookie" not in response.headers
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Letter)) == letters
