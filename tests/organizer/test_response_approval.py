"""Organizers may require their approval before a representative's response is shown."""

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    AuditEvent,
    Delivery,
    DeliveryKind,
    Letter,
    Response,
    Role,
    TargetKind,
    WebhookEndpoint,
    WebhookEvent,
)
from app.services.campaigns import editing
from app.services.letters.writing import queue_letter
from app.services.targets import access
from tests.factories import make_campaign, make_signature, make_target
from tests.helpers import csrf_token


def _letter(campaign, target) -> None:
    signer = make_signature(campaign)
    letter = Letter(
        signature_id=signer.id,
        campaign_id=campaign.id,
        subject="Please",
        body="Please vote no.",
        targets=[target],
        reply_to_ok=True,
    )
    db.session.add(letter)
    db.session.commit()
    queue_letter(letter)
    db.session.commit()


def _url(token: str, *rest: str) -> str:
    return "/".join(["/r", token, *rest])


def test_with_approval_required_a_response_shows_only_once_an_organizer_approves(make_app, login):
    app = make_app(RESPONSES_NEED_APPROVAL=True)
    # Requests run outside one long app context: each client then gets its own CSRF token.
    with app.app_context():
        target = make_target(kind=TargetKind.US_HOUSE, name="Jo Rivera", title="Rep.")
        campaign = make_campaign(title="Save the parks")
        _letter(campaign, target)
        path = _url(access.create_access(target), "c", campaign.slug)
        slug, overview = campaign.slug, f"/organizer/campaigns/{campaign.id}"
    office = app.test_client()
    form = {"csrf_token": csrf_token(office, path), "author_name": "Staff", "body": "We agree."}
    posted = office.post(path + "/responses", data=form, follow_redirects=True)
    assert "organizers have read it" in posted.get_data(as_text=True)
    public = app.test_client()
    assert "We agree." not in public.get(f"/c/{slug}").get_data(as_text=True)

    organizer = login(Role.ORGANIZER, on_app=app)
    assert "We agree." in organizer.get(overview).get_data(as_text=True)
    with app.app_context():
        response_id = db.session.scalar(sa.select(Response.id))
    shown = organizer.post(
        f"{overview}/responses/{response_id}/show",
        data={"csrf_token": csrf_token(organizer, overview)},
    )
    assert shown.status_code == 302
    assert "We agree." in public.get(f"/c/{slug}").get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert actions == ["response.show"]


def _announcements() -> list[str]:
    """The response notices and response.posted events queued so far."""
    return sorted(
        db.session.scalars(
            sa.select(Delivery.kind).where(
                Delivery.kind.in_((DeliveryKind.RESPONSE, DeliveryKind.WEBHOOK))
            )
        )
    )


def _office_written_to_with_a_webhook():
    """An office with a letter from a writer who asked to hear back, and a webhook endpoint
    that wants response.posted; (target, campaign)."""
    db.session.add(
        WebhookEndpoint(
            url="https://crm.example.org/h", secret="s", events=WebhookEvent.RESPONSE_POSTED
        )
    )
    target = make_target(kind=TargetKind.US_HOUSE)
    campaign = make_campaign()
    _letter(campaign, target)
    return target, campaign


def test_a_response_awaiting_approval_is_announced_once_when_shown(make_app, make_organizer):
    app = make_app(RESPONSES_NEED_APPROVAL=True)
    with app.app_context():
        target, campaign = _office_written_to_with_a_webhook()
        organizer = make_organizer(Role.ORGANIZER)
        response = access.post_response(target, campaign, "Words from a leaked link.", "Staff")
        # Not public yet: the writer is not emailed its text, no system is told it was posted.
        assert _announcements() == []

        editing.show_response(campaign, response.id, organizer)
        assert _announcements() == [DeliveryKind.RESPONSE, DeliveryKind.WEBHOOK]
        editing.hide_response(campaign, response.id, organizer)
        editing.show_response(campaign, response.id, organizer)
        assert _announcements() == [DeliveryKind.RESPONSE, DeliveryKind.WEBHOOK]


def test_a_response_published_at_once_is_announced_at_once(app):
    target, campaign = _office_written_to_with_a_webhook()
    access.post_response(target, campaign, "We read every letter.", "Staff")
    assert _announcements() == [DeliveryKind.RESPONSE, DeliveryKind.WEBHOOK]
