"""Words citizens and offices read: greetings by office, one form for seats and parties,
sentences that end once, and letter writers asked to confirm their letter."""

import pytest

from app.models import Target, TargetKind
from app.services.targets.importers.openstates import _party
from app.services.text import full_stop


@pytest.mark.parametrize(
    ("kind", "title", "name", "greeting"),
    [
        (TargetKind.STATE_LOWER, "State Representative", "Margaret Croke", "Representative Croke"),
        (TargetKind.US_SENATE, "U.S. Senator", "Raphael G. Warnock Jr.", "Senator Warnock"),
        (TargetKind.US_HOUSE, "Delegate", "Eleanor Holmes Norton", "Delegate Norton"),
        (TargetKind.GOVERNOR, "Governor", "JB Pritzker", "Governor Pritzker"),
        (TargetKind.STATE_LOWER, "Assembly Member", "Ash Kalra", "Assembly Member Kalra"),
        # An office an organizer typed in is greeted as they named it.
        (TargetKind.CUSTOM, "Committee chair", "Pat Chair", "Pat Chair"),
        (TargetKind.US_HOUSE, "District office", "Staff Office", "Staff Office"),
    ],
)
def test_letters_greet_officials_by_office_and_surname(kind, title, name, greeting):
    assert Target(kind=kind, title=title, name=name).salutation == greeting


@pytest.mark.parametrize(
    ("kind", "state", "district", "seat"),
    [
        (TargetKind.US_HOUSE, "CA", "11", "CA-11"),
        (TargetKind.STATE_LOWER, "IL", "12", "IL-12"),
        (TargetKind.STATE_UPPER, "MA", "2nd Berkshire", "MA, 2nd Berkshire"),
        (TargetKind.US_HOUSE, "AK", "0", "AK"),
        (TargetKind.US_SENATE, "CA", "", "CA"),
    ],
)
def test_seats_read_the_same_for_congress_and_state_legislatures(kind, state, district, seat):
    assert Target(kind=kind, state=state, district=district).seat == seat


def test_one_name_per_party_whichever_source_it_came_from():
    assert _party({"party": [{"name": "Democratic"}]}) == "Democrat"
    assert _party({"party": [{"name": "Republican"}]}) == "Republican"


def test_a_place_ending_in_a_period_ends_its_sentence_once():
    assert full_stop("Washington, D.C.") == "Washington, D.C."
    assert full_stop("Illinois") == "Illinois."
