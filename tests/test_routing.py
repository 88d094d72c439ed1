"""Routing a letter: from a ZIP code (and the signer's choices) to the right recipients,
on the real congress-legislators and ZIP-to-district data."""

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.extensions import db
from app.models import Target, TargetKind
from app.services.errors import UnknownZip
from app.services.letters.routing import route_letter
from tests.factories import make_campaign, make_target
from tests.shared_data import load_congress, requires_data

pytestmark = requires_data

ZIPS = {"94110", "35062", "99501", "20001", "00901", "94541", "94536", "10027", "60614"}
CONGRESS = [TargetKind.US_SENATE, TargetKind.US_HOUSE]


@pytest.fixture
def campaign(app, tmp_path):
    load_congress(tmp_path, ZIPS)
    return make_campaign(target_kinds=CONGRESS, collects_letters=True)


def names(route):
    return [(t.title, t.name) for t in route.targets]


def test_zip_in_one_district_goes_to_two_senators_and_one_representative(campaign):
    route = route_letter(campaign, "94110")
    assert route.complete
    assert (route.state, route.district, route.label) == ("CA", "11", "California, 11th district")
    assert names(route) == [
        ("U.S. Senator", "Adam B. Schiff"),
        ("U.S. Senator", "Alex Padilla"),
        ("U.S. Representative", "Nancy Pelosi"),
    ]


def test_zip_in_three_districts_asks_which_and_names_each_member(campaign):
    route = route_letter(campaign, "35062")
    assert not route.complete and route.targets == []
    assert [(o.code, o.members) for o in route.district_choices] == [
        ("AL-4", ("Robert B. Aderholt",)),
        ("AL-6", ("Gary J. Palmer",)),
        ("AL-7", ("Terri A. Sewell",)),
    ]
    chosen = route_letter(campaign, "35062", district="AL-6")
    assert chosen.complete
    assert names(chosen)[-1] == ("U.S. Representative", "Gary J. Palmer")


def test_a_district_the_zip_is_not_in_is_not_accepted(campaign):
    route = route_letter(campaign, "35062", district="CA-11")
    assert not route.complete
    assert route.targets == []


def test_at_large_state_needs_no_choice(campaign):
    route = route_letter(campaign, "99501")
    assert route.complete
    assert route.label == "Alaska, at large"
    assert [t.kind for t in route.targets] == CONGRESS[:1] * 2 + CONGRESS[1:]


def test_dc_has_a_delegate_and_no_senators(campaign):
    route = route_letter(campaign, "20001")
    assert names(route) == [("Delegate", "Eleanor Holmes Norton")]
    assert "Washington, D.C. has no U.S. senators" in " ".join(route.notes)


def test_puerto_rico_has_a_resident_commissioner_and_no_senators(campaign):
    route = route_letter(campaign, "00901")
    assert [(t.title, t.state) for t in route.targets] == [("Resident Commissioner", "PR")]
    assert "Puerto Rico has no U.S. senators" in " ".join(route.notes)


def test_vacant_seat_sends_to_senators_and_says_the_seat_is_vacant(campaign):
    route = route_letter(campaign, "94541")  # wholly in CA-14, vacant in this data
    assert route.complete
    assert [t.kind for t in route.targets] == [TargetKind.US_SENATE] * 2
    assert "The House seat for California, 14th district is vacant" in " ".join(route.notes)
    choices = route_letter(campaign, "94536").district_choices
    assert [(o.code, o.members) for o in choices] == [("CA-14", ()), ("CA-17", ("Ro Khanna",))]


def test_departed_official_receives_nothing(campaign):
    pelosi = db.session.scalar(sa.select(Target).where(Target.name == "Nancy Pelosi"))
    pelosi.active = False
    db.session.commit()
    route = route_letter(campaign, "94110")
    assert "Nancy Pelosi" not in [t.name for t in route.targets]
    assert "vacant" in " ".join(route.notes)


def test_zip_that_is_not_a_zcta_falls_back_to_its_state_and_says_why(campaign):
    at_large = route_letter(campaign, "05047")  # a Vermont PO-box ZIP
    assert at_large.complete and at_large.label == "Vermont, at large"
    assert "not on the Census Bureau's ZIP code map" in at_large.notes[0]
    many = route_letter(campaign, "01004")  # a Massachusetts PO-box ZIP: 9 districts
    assert [o.code for o in many.district_choices] == [f"MA-{n}" for n in range(1, 10)]


def test_unknown_zip_is_a_clear_error(campaign):
    with pytest.raises(UnknownZip, match="could not find that ZIP code"):
        route_letter(campaign, "00000")


def test_state_legislative_district_is_chosen_from_the_states_list(campaign):
    campaign.target_kinds = [TargetKind.STATE_LOWER]
    for district, name in (("12", "Ann Able"), ("12", "Bo Bell"), ("3", "Cy Coe")):
        make_target(kind=TargetKind.STATE_LOWER, state="NY", district=district, name=name)
    route = route_letter(campaign, "10027", district="NY-13")
    assert [(o.district, o.members) for o in route.lower_choices] == [
        ("3", ("Cy Coe",)),
        ("12", ("Ann Able", "Bo Bell")),
    ]
    chosen = route_letter(campaign, "10027", district="NY-13", lower="12")
    assert [t.name for t in chosen.targets] == ["Ann Able", "Bo Bell"]


def test_fixed_targets_join_every_route_and_inactive_ones_do_not(campaign):
    secretary = make_target(name="Secretary of State", email="secretary@example.gov")
    retired = make_target(name="Former Chair", email="chair@example.gov", active=False)
    campaign.fixed_targets = [secretary, retired]
    db.session.commit()
    route = route_letter(campaign, "20001")
    assert [t.name for t in route.targets] == ["Eleanor Holmes Norton", "Secretary of State"]


def test_a_campaign_to_state_legislators_asks_no_congressional_district(campaign, client):
    campaign.target_kinds = [TargetKind.STATE_LOWER]
    for district, name in (("5", "Lamont J. Robinson"), ("12", "Margaret Croke")):
        make_target(
            kind=TargetKind.STATE_LOWER,
            state="IL",
            district=district,
            name=name,
            title="State Representative",
        )
    db.session.commit()
    route = route_letter(campaign, "60614")  # in three congressional districts
    assert route.state == "IL" and route.district_choices == []
    assert [o.district for o in route.lower_choices] == ["5", "12"]
    page = client.get(f"/c/{campaign.slug}/write?zip=60614")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Which congressional district" not in html
    assert "Your state house district in Illinois</label>" in html
    assert "ZIP code <strong>60614</strong>, Illinois." in html
    assert "Please choose" not in html
    # Continue pressed without a choice: now, and only now, say so.
    tried = client.get(f"/c/{campaign.slug}/write?zip=60614&asked=lower")
    assert tried.status_code == 400 and "Please choose your district" in tried.get_data(
        as_text=True
    )
    chosen = route_letter(campaign, "60614", lower="12")
    assert [t.salutation for t in chosen.targets] == ["Representative Croke"]
    assert [t.seat for t in chosen.targets] == ["IL-12"]


def test_a_spanish_reader_reads_the_district_and_why_no_senators_in_spanish(campaign):
    with force_locale("es"):
        route = route_letter(campaign, "94110")
        assert route.label == "California, 11.º distrito"
        assert route.where == "California, 11.º distrito congresional"
        dc = route_letter(campaign, "20001")
    assert "Washington, D.C. no tiene senadores de EE. UU." in " ".join(dc.notes)
    assert route_letter(campaign, "94110").label == "California, 11th district"
