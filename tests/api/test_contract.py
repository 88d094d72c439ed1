"""The API answers as app/api/openapi.yaml says, and nothing else is under /api/v1/."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import CampaignStatus, CampaignTally, Milestone, Response, Scope
from tests.api.helpers import bearer, make_key, openapi, validate
from tests.factories import make_campaign, make_signature, make_target
from tests.organizer.helpers import make_letter

SIGNER = {
    "person": {
        "given_name": "Ann",
        "family_name": "Lee",
        "email_addresses": [{"address": "ann@example.org"}],
        "postal_addresses": [{"postal_code": "10001"}],
    },
    "consent_updates": True,
}


@pytest.fixture
def world(app):
    """A campaign with signatures, a letter, tallies, a milestone and a response; a draft;
    keys of each scope."""
    campaign = make_campaign(
        slug="clean-water",
        thresholds=[{"count": 1, "label": "First"}, {"count": 10, "label": "Ten"}],
    )
    make_campaign(slug="a-draft", status=CampaignStatus.DRAFT)
    closed = make_campaign(slug="closed-one", status=CampaignStatus.CLOSED)
    signature = make_signature(campaign, email="bob@example.org")
    make_letter(signature)
    target = make_target(state="NY", district="12")
    db.session.add_all(
        [
            CampaignTally(campaign_id=campaign.id, state="NY", district="12", count=3),
            CampaignTally(campaign_id=campaign.id, state="NY", district="10", count=2),
            Milestone(campaign_id=campaign.id, threshold=1, label="First", count_at_reach=1),
            Response(campaign_id=campaign.id, target_id=target.id, body="We hear you."),
        ]
    )
    db.session.commit()
    return {
        "slug": campaign.slug,
        "closed": closed.slug,
        "read": make_key(Scope.SUPPORTERS_READ),
        "write": make_key(Scope.SIGNATURES_WRITE),
    }


def _scenarios(w: dict) -> list[tuple[str, str, dict, object, int]]:
    """(method, path, headers, json body, expected status): one or more per documented
    answer of every documented operation."""
    s, read, write = w["slug"], bearer(w["read"]), bearer(w["write"])
    scenarios = [("GET", "/openapi.json", {}, None, 200), ("GET", "/campaigns", {}, None, 200)]
    for sub in ("", "/tallies", "/milestones", "/responses"):
        scenarios += [
            ("GET", f"/campaigns/{s}{sub}", {}, None, 200),
            ("GET", f"/campaigns/a-draft{sub}", {}, None, 404),
            ("GET", f"/campaigns/no-such{sub}", {}, None, 404),
        ]
    for what in ("signatures", "letters"):
        scenarios += [
            ("GET", f"/campaigns/{s}/{what}", read, None, 200),
            ("GET", f"/campaigns/{s}/{what}?limit=1&since=2000-01-01T00:00:00Z", read, None, 200),
            ("GET", f"/campaigns/{s}/{what}?limit=0", read, None, 400),
            ("GET", f"/campaigns/{s}/{what}?cursor=abc", read, None, 400),
            ("GET", f"/campaigns/{s}/{what}", {}, None, 401),
            ("GET", f"/campaigns/{s}/{what}", bearer("chorus_not-a-key"), None, 401),
            ("GET", f"/campaigns/{s}/{what}", write, None, 403),
            ("GET", f"/campaigns/a-draft/{what}", read, None, 404),
        ]
    scenarios += [
        ("POST", f"/campaigns/{s}/signatures", write, SIGNER, 202),
        ("POST", f"/campaigns/{s}/signatures", {}, SIGNER, 401),
        ("POST", f"/campaigns/{s}/signatures", read, SIGNER, 403),
        ("POST", f"/campaigns/{w['closed']}/signatures", write, SIGNER, 409),
        ("POST", f"/campaigns/{s}/signatures", write, {"person": {}}, 422),
    ]
    return scenarios


def _operation(document: dict, path: str) -> tuple[str, dict]:
    """The documented path template a concrete path matches, and its path item."""
    bare = path.split("?")[0]
    for template, item in document["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), bare):
            return template, item
    raise AssertionError(f"{path} is not documented")


def test_every_documented_answer_is_given_as_documented(client, world):
    document = openapi()
    seen = set()
    for method, path, headers, body, status in _scenarios(world):
        response = client.open(f"/api/v1{path}", method=method, headers=headers, json=body)
        assert response.status_code == status, (method, path, response.get_data(as_text=True))
        template, item = _operation(document, path)
        answer = item[method.lower()]["responses"][str(status)]
        if "$ref" in answer:
            answer = document["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
        (media_type, content), *_ = answer["content"].items()
        assert response.mimetype == media_type, (method, path)
        validate(document, content["schema"], response.get_json(force=True))
        seen.add((template, method.lower(), str(status)))
    documented = {
        (template, method, status)
        for template, item in document["paths"].items()
        for method, operation in item.items()
        if method != "parameters"
        for status in operation["responses"]
    }
    assert documented == seen, "a documented answer has no scenario, or the reverse"


def test_every_api_route_is_documented(app):
    document = openapi()
    routes = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1")), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {
        (template, method)
        for template, item in document["paths"].items()
        for method in item
        if method != "parameters"
    }
    assert routes == documented


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/",
        "/api/v1",
        "/api/v1/people",
        "/api/v1/petitions",
        "/api/v1/campaigns/clean-water/people",
        "/api/v1/campaigns/clean-water/signatures/1",
        "/api/v1/campaigns/clean-water/tallies/NY",
        "/api/v1/openapi.yaml",
    ],
)
def test_undocumented_paths_are_json_404s(client, world, path):
    response = client.get(path, headers=bearer(world["read"]))
    assert response.status_code == 404
    assert response.json["error"] == "Page not found"


def test_public_answers_are_cacheable_and_carry_no_email_address(client, world):
    client.post(
        f"/api/v1/campaigns/{world['slug']}/signatures", json=SIGNER, headers=bearer(world["write"])
    )
    slug = world["slug"]
    for path in ("/campaigns", f"/campaigns/{slug}", f"/campaigns/{slug}/tallies",
                 f"/campaigns/{slug}/milestones", f"/campaigns/{slug}/responses"):  # fmt: skip
        response = client.get(f"/api/v1{path}")
        assert response.headers["Cache-Control"].startswith("public, max-age=")
        assert response.headers["ETag"]
        text = response.get_data(as_text=True)
        assert "@" not in text, path
        assert (
            client.get(
                f"/api/v1{path}", headers={"If-None-Match": response.headers["ETag"]}
            ).status_code
            == 304
        )


def test_public_campaign_shows_counts_tallies_and_milestones(client, world):
    slug = world["slug"]
    tallies = client.get(f"/api/v1/campaigns/{slug}/tallies").json
    assert tallies["by_state"] == [{"state": "NY", "count": 5}]
    assert [d["district"] for d in tallies["by_district"]] == ["10", "12"]
    milestones = client.get(f"/api/v1/campaigns/{slug}/milestones").json["milestones"]
    assert [(m["count"], m["reached_at"] is not None, m["next"]) for m in milestones] == [
        (1, True, False),
        (10, False, True),
    ]
    listed = client.get("/api/v1/campaigns").json["_embedded"]["campaigns"]
    assert {c["slug"] for c in listed} == {slug, world["closed"]}
