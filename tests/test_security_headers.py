"""Security headers on every response, and no inline script for the policy to allow."""

import re
from pathlib import Path

import pytest

from tests.factories import make_campaign

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/", 200),
        ("get", "/c/{slug}", 200),
        ("get", "/c/{slug}/count.json", 200),
        ("get", "/c/no-such-campaign", 404),
        ("get", "/static/chorus.css", 200),
        ("get", "/organizer/login", 200),
        ("get", "/confirm/not-a-token", 400),
        ("post", "/c/{slug}/sign", 403),  # refused as cross-site, before any view
    ],
)
def test_every_response_carries_the_security_headers(client, method, path, status):
    slug = make_campaign().slug
    response = getattr(client, method)(
        path.format(slug=slug), headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == status
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


@pytest.mark.parametrize(
    "path", ["/confirm/abc", "/withdraw/abc", "/unsubscribe/abc", "/r/abc", "/r/abc/letters"]
)
def test_pages_whose_url_is_a_credential_send_no_referrer(client, path):
    assert client.get(path).headers["Referrer-Policy"] == "no-referrer"


def test_other_pages_tell_other_sites_only_the_origin(client):
    response = client.get("/")
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_no_template_has_inline_script(template):
    page = template.read_text()
    inline = [
        tag
        for tag in re.findall(r"<script\b[^>]*>", page)
        if "src=" not in tag and 'type="application/json"' not in tag
    ]
    assert inline == [], "a script the policy would block: move it to static/"
    assert not re.search(r"\son[a-z]+\s*=", page), "an event handler attribute: use a script"
