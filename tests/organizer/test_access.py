"""Every workspace route checks the role on the server; CSRF guards every form."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import ApiKey, AuditEvent, Response, Role, SupporterUpdate, WebhookEndpoint
from app.services.workspace.accounts import RANK
from tests.factories import make_campaign, make_target
from tests.helpers import csrf_token

PUBLIC_ROUTES = {"organizer.login"}


def _routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) for every organizer route and method."""
    return sorted(
        (rule.endpoint, method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("organizer.") and rule.endpoint not in PUBLIC_ROUTES
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    )


@pytest.fixture
def world(app, make_organizer):
    """A campaign, a target, an update, a response and another account: ids for every
    route."""
    campaign = make_campaign()
    target = make_target()
    other = make_organizer(Role.VIEWER, "other@example.org")
    update = SupporterUpdate(campaign_id=campaign.id, subject="News", body="Hello")
    response = Response(campaign_id=campaign.id, target_id=target.id, body="A response.")
    key = ApiKey(name="CRM", prefix="chorus_x", key_hash="x" * 64)
    endpoint = WebhookEndpoint(url="https://crm.example.org/hook", secret="s")
    db.session.add_all([update, response, key, endpoint])
    db.session.commit()
    return {
        "campaign_id": campaign.id,
        "target_id": target.id,
        "update_id": update.id,
        "response_id": response.id,
        "organizer_id": other.id,
        "what": "signatures",
        "key_id": key.id,
        "endpoint_id": endpoint.id,
    }


def _url(rule: str, ids: dict) -> str:
    for name, value in ids.items():
        rule = rule.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
    return rule


def test_every_organizer_view_declares_a_role(app):
    for endpoint, _, _ in _routes(app):
        view = app.view_functions[endpoint]
        assert getattr(view, "required_role", None) in Role.ALL, endpoint


def test_logged_out_visitors_are_sent_to_login_from_every_route(app, client, world):
    for _, method, rule in _routes(app):
        url = _url(rule, world)
        response = client.open(url, method=method)
        if method == "POST":
            # CSRF protection answers first for a form posted without a token.
            assert response.status_code in (302, 400), (method, url)
            continue
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/organizer/login"), (method, url)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ORGANIZER])
def test_each_role_gets_403_exactly_where_its_rank_is_too_low(make_app, login, world, role):
    client = login(role, make_app(WTF_CSRF_ENABLED=False))
    for endpoint, method, rule in _routes(client.application):
        if endpoint == "organizer.logout":
            continue  # allowed to all, and it would end this client's session
        needed = client.application.view_functions[endpoint].required_role
        url = _url(rule, world)
        response = client.open(url, method=method, data={})
        if RANK[role] < RANK[needed]:
            assert response.status_code == 403, (role, method, url)
        else:
            assert response.status_code != 403, (role, method, url)


def test_viewer_cannot_change_a_campaign_or_a_target(login, world):
    client = login(Role.VIEWER)
    campaign_id, target_id = world["campaign_id"], world["target_id"]
    assert client.get(f"/organizer/campaigns/{campaign_id}/analytics").status_code == 200
    edit = client.get(f"/organizer/campaigns/{campaign_id}/edit")
    assert edit.status_code == 403
    page = client.get(f"/organizer/campaigns/{campaign_id}").get_data(as_text=True)
    assert "Close the campaign" not in page and "Edit</a>" not in page
    target_page = client.get(f"/organizer/targets/{target_id}").get_data(as_text=True)
    assert "Save delivery settings" not in target_page


def test_every_form_is_rejected_without_a_csrf_token(login, world):
    client = login(Role.ADMIN)
    events_before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    posts = [(m, r) for _, m, r in _routes(client.application) if m == "POST"]
    assert len(posts) >= 12
    for _, rule in posts:
        url = _url(rule, world)
        response = client.post(url, data={"status": "open", "email": "x@example.org"})
        assert response.status_code == 400, url
        assert "form expired" in response.get_data(as_text=True), url
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == events_before
    assert client.get("/organizer/").status_code == 200  # still logged in: logout was refused


def test_another_campaigns_update_cannot_be_sent_through_this_campaigns_url(login):
    client = login(Role.ORGANIZER)
    mine, theirs = make_campaign(), make_campaign()
    update = SupporterUpdate(campaign_id=theirs.id, subject="Theirs", body="Not yours")
    db.session.add(update)
    db.session.commit()
    path = f"/organizer/campaigns/{mine.id}/updates"
    token = csrf_token(client, path)
    response = client.post(f"{path}/{update.id}/send", data={"csrf_token": token})
    assert response.status_code == 404
    assert "Not yours" not in client.get(path).get_data(as_text=True)
    db.session.refresh(update)
    assert update.queued_at is None


def test_missing_campaigns_and_targets_are_404_not_errors(login):
    client = login(Role.ADMIN)
    for path in (
        "/organizer/campaigns/999",
        "/organizer/campaigns/999/analytics",
        "/organizer/campaigns/999/exports",
        "/organizer/targets/999",
    ):
        assert client.get(path).status_code == 404, path


def test_an_id_past_the_largest_integer_is_a_404_in_a_url_and_a_400_in_a_form(login):
    client = login(Role.ADMIN)
    huge = "9" * 25
    for path in (f"/organizer/campaigns/{huge}", f"/organizer/targets/{huge}"):
        assert client.get(path).status_code == 404
    path = "/organizer/campaigns/new"
    fields = {"title": "T", "slug": "t", "goal": "10", "timezone": "UTC"}
    response = client.post(
        path, data={**fields, "fixed_targets": [huge], "csrf_token": csrf_token(client, path)}
    )
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("letter_id", ["\u00b2", "9" * 30])  # a superscript two; too large
def test_odd_letter_ids_in_a_moderation_post_are_not_a_server_error(login, letter_id):
    client = login(Role.ORGANIZER)
    campaign = make_campaign()
    path = f"/organizer/campaigns/{campaign.id}/moderation"
    data = {"letter_id": [letter_id], "decision": "approve"}
    response = client.post(path, data={**data, "csrf_token": csrf_token(client, path)})
    assert response.status_code in (302, 400)
