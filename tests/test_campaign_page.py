"""The campaign page: everything it shows comes from the view's context, in a fixed number
of queries however many signers, responses and comments the campaign has."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import Moderation, Response
from app.services.workspace import organization
from tests.factories import make_campaign, make_signature, make_target
from tests.organizer.helpers import make_letter

# The campaign, its recent signers, its published responses with their representatives,
# its public comments with their writers, and its milestones reached.
CAMPAIGN_PAGE_QUERIES = 5


def _campaign_with(extras: int) -> str:
    """A campaign with this many signers shown, responses and comments; return its slug."""
    campaign = make_campaign(collects_letters=True, collects_comments=True)
    for n in range(extras):
        target = make_target(name=f"Rep {n}", email=f"rep{n}@example.gov")
        db.session.add(Response(campaign_id=campaign.id, target_id=target.id, body=f"Reply {n}"))
        signer = make_signature(
            campaign, name=f"Signer{n} Lee", email=f"s{n}@example.org", show_publicly=True
        )
        make_letter(
            signer, body=f"Comment {n}", public_comment=True, moderation=Moderation.APPROVED
        )
    db.session.commit()
    slug = campaign.slug
    db.session.expunge_all()  # the page reads its rows afresh, as in a real request
    return slug


def _queries_to_render(app, path: str) -> tuple[int, str]:
    with app.app_context():
        organization.shown_profile()  # the footer's site setting, cached by each process
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = app.test_client().get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


@pytest.mark.parametrize("extras", [1, 5])
def test_the_campaign_page_renders_in_a_fixed_number_of_queries(app, extras):
    queries, page = _queries_to_render(app, f"/c/{_campaign_with(extras)}")
    assert f"Rep {extras - 1}" in page and f"Comment {extras - 1}" in page
    assert f"Signer{extras - 1}" in page
    assert queries == CAMPAIGN_PAGE_QUERIES
