"""One owner of the transaction: a unit of work commits or rolls back all it did, inner
units join the outer one, and a domain error reaches the visitor as a friendly page."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Campaign
from app.services.errors import ChorusError
from app.services.unit_of_work import unit_of_work
from tests.factories import make_campaign


def _titles() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Campaign.title).order_by(Campaign.id)))


def test_a_unit_commits_what_it_did(app):
    campaign = make_campaign(title="Before")
    with unit_of_work():
        campaign.title = "After"
    db.session.rollback()  # nothing is left for anyone else to commit
    assert _titles() == ["After"]


def test_an_error_in_an_inner_unit_rolls_back_the_outer_one_too(app):
    campaign = make_campaign(title="Before")
    with pytest.raises(ChorusError), unit_of_work():
        campaign.title = "Half"
        with unit_of_work():
            campaign.summary = "written by a nested service"
            raise ChorusError("refused")
    assert _titles() == ["Before"]


def test_an_inner_unit_commits_only_with_the_outer_one(app):
    campaign = make_campaign(title="Before")
    with pytest.raises(RuntimeError), unit_of_work():
        with unit_of_work():
            campaign.title = "Inner"
        raise RuntimeError("the outer unit fails after the inner one ended")
    assert _titles() == ["Before"]


def test_a_domain_error_no_view_handles_gets_a_friendly_page_with_its_words(make_app):
    app = make_app()

    def refuse():
        raise ChorusError("That cannot be done right now.")

    app.add_url_rule("/refuse", view_func=refuse)
    response = app.test_client().get("/refuse")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "That cannot be done right now." in page
    assert "Traceback" not in page
