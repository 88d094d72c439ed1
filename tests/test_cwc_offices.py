"""CWC office codes for every current member of Congress, from the members file."""

from collections import Counter

import pytest
import sqlalchemy as sa

from app.cwc import OFFICE_CODE
from app.extensions import db
from app.models import Target, TargetKind
from app.services.targets.cwc_offices import CwcOffice, cwc_office
from app.services.targets.importers import MalformedData
from app.services.targets.importers.congress import import_congress
from tests.factories import make_target
from tests.shared_data import CONGRESS_CSV, CONGRESS_YAML, requires_data

DELEGATES = {"Delegate", "Resident Commissioner"}


def members() -> list[Target]:
    kinds = (TargetKind.US_HOUSE, TargetKind.US_SENATE)
    return list(db.session.scalars(sa.select(Target).where(Target.kind.in_(kinds))))


@requires_data
def test_every_voting_member_has_a_well_formed_unique_office_code(app):
    import_congress(str(CONGRESS_YAML))
    db.session.commit()
    voting = [t for t in members() if t.title not in DELEGATES]
    assert len(voting) == 531  # 100 senators, 431 representatives (four House seats vacant)

    codes = {t.bioguide_id: cwc_office(t).code for t in voting}
    assert all(code and OFFICE_CODE.match(code) for code in codes.values())
    assert len(set(codes.values())) == len(voting)
    for t in voting:
        code = codes[t.bioguide_id]
        assert code[1:3] == t.state
        if t.kind == TargetKind.US_HOUSE:
            assert code == f"H{t.state}{int(t.district):02d}"
    # Each state's two senators sit in different classes, so their offices differ.
    senate = Counter(t.state for t in voting if t.kind == TargetKind.US_SENATE)
    assert set(senate.values()) == {2} and len(senate) == 50


@requires_data
def test_office_codes_agree_with_the_ones_public_cwc_clients_use(app):
    import_congress(str(CONGRESS_CSV))
    db.session.commit()
    by_name = {t.name: cwc_office(t).code for t in members()}
    assert by_name["Nancy Pelosi"] == "HCA11"
    assert by_name["Alex Padilla"] == "SCA03"
    assert by_name["Amy Klobuchar"] == "SMN01"
    at_large = [t for t in members() if t.state == "AK" and t.kind == TargetKind.US_HOUSE]
    assert [cwc_office(t).code for t in at_large] == ["HAK00"]


@requires_data
def test_delegates_have_house_offices_except_american_samoa_which_is_held_with_a_reason(app):
    import_congress(str(CONGRESS_YAML))
    db.session.commit()
    offices = {t.state: cwc_office(t) for t in members() if t.title in DELEGATES}
    assert {state: o.code for state, o in offices.items() if o.code} == {
        "DC": "HDC00",
        "GU": "HGU00",
        "MP": "HMP00",
        "PR": "HPR00",
        "VI": "HVI00",
    }
    assert offices["AS"] == CwcOffice(None, "American Samoa's delegate has no confirmed CWC office")


def test_a_member_who_left_the_seat_has_no_office_and_says_why(app):
    gone = make_target(
        kind=TargetKind.US_HOUSE, name="Ex Member", state="TX", district="23", active=False
    )
    assert cwc_office(gone) == CwcOffice(None, "Ex Member no longer holds this seat")


def test_a_senator_without_a_class_is_held_until_the_members_file_is_reimported(app):
    senator = make_target(kind=TargetKind.US_SENATE, name="Sen. Old Import", state="OH")
    assert cwc_office(senator).code is None
    assert "re-import" in cwc_office(senator).reason


def test_officials_outside_congress_have_no_cwc_office(app):
    mayor = make_target(kind=TargetKind.CUSTOM, name="Mayor", state="CA")
    assert cwc_office(mayor) == CwcOffice(None, "not a member of Congress")


@requires_data
@pytest.mark.parametrize("bad_class", ["", "4"])
def test_a_senator_without_a_valid_class_in_the_members_file_is_refused(app, tmp_path, bad_class):
    lines = CONGRESS_CSV.read_text().splitlines()[:2]
    assert ",sen,WA,,1," in lines[1]
    lines[1] = lines[1].replace(",sen,WA,,1,", f",sen,WA,,{bad_class},", 1)
    path = tmp_path / "legislators-current.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(MalformedData, match=f"C000127: bad senate class '{bad_class}'"):
        import_congress(str(path))
