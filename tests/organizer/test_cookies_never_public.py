"""A response that sets a cookie is never public, whoever added the cookie and when."""

import pytest

from tests.factories import make_campaign


@pytest.mark.parametrize(
    "path", ["/", "/c/{slug}", "/c/{slug}/count.json", "/c/{slug}/check-email"]
)
def test_a_logged_in_organizers_refreshed_cookie_is_never_cached_publicly(app, login, path):
    slug = make_campaign().slug
    client = login()
    with client.session_transaction() as session:
        session.permanent = True  # as after a real login: Flask refreshes the cookie each time
    response = client.get(path.format(slug=slug))
    assert response.status_code == 200
    assert "Set-Cookie" in response.headers, "the premise: the session cookie is refreshed"
    assert "public" not in response.headers["Cache-Control"]
    assert response.headers["Cache-Control"] == "private, no-store"
