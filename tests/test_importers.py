"""Importing the real public datasets in ../shared/data, again, and from malformed copies."""

import csv
import shutil

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Target, TargetKind, ZipDistrict
from app.services.targets.importers.congress import import_congress
from app.services.targets.importers.openstates import import_openstates
from app.services.targets.importers.zips import import_zips
from tests.shared_data import (
    CONGRESS_CSV,
    CONGRESS_YAML,
    OFFICES_CSV,
    OFFICES_YAML,
    OPENSTATES,
    ZCCD,
    requires_data,
)

pytestmark = requires_data


def count(*where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Target).where(*where))


def target(name: str) -> Target:
    return db.session.scalar(sa.select(Target).where(Target.name == name))


def test_zip_import_loads_every_zcta_and_a_new_file_replaces_the_table(app, tmp_path):
    summary = import_zips(str(ZCCD))
    db.session.commit()
    assert summary.added == 42033
    assert db.session.scalar(sa.select(sa.func.count(sa.distinct(ZipDistrict.zcta)))) == 33774
    excerpt = tmp_path / "zccd.csv"
    excerpt.write_text("state_fips,state_abbr,zcta,cd\n06,CA,94110,11\n02,AK,99501,0\n")
    again = import_zips(str(excerpt))
    db.session.commit()
    assert (again.added, again.unchanged, again.deactivated) == (0, 2, 42031)
    rows = db.session.execute(sa.select(ZipDistrict.zcta, ZipDistrict.district)).all()
    assert sorted(rows) == [("94110", "11"), ("99501", "0")]


def test_congress_import_loads_all_537_members_and_the_csv_agrees_with_the_yaml(app):
    summary = import_congress(str(CONGRESS_YAML))
    db.session.commit()
    assert (summary.added, summary.updated, summary.deactivated) == (537, 0, 0)
    assert count(Target.kind == TargetKind.US_SENATE) == 100
    assert count(Target.kind == TargetKind.US_HOUSE) == 437
    assert count(Target.title == "Delegate") == 5
    assert count(Target.title == "Resident Commissioner") == 1
    assert count(Target.email != "") == 0, "congress-legislators publishes no addresses"
    vacant = [("CA", "14"), ("FL", "20"), ("GA", "13"), ("TX", "23")]
    for state, district in vacant:
        assert count(Target.state == state, Target.district == district) == 0
    pelosi = target("Nancy Pelosi")
    assert (pelosi.bioguide_id, pelosi.state, pelosi.district) == ("P000197", "CA", "11")

    from_csv = import_congress(str(CONGRESS_CSV))
    db.session.commit()
    assert (from_csv.added, from_csv.updated, from_csv.unchanged) == (0, 0, 537)


def test_congress_reimport_updates_changes_retires_departed_and_keeps_organizer_email(
    app, tmp_path
):
    import_congress(str(CONGRESS_CSV))
    warren = target("Elizabeth Warren")
    warren.email, warren.email_set_by_organizer = "staff@warren.example", True
    db.session.commit()
    with CONGRESS_CSV.open(newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [row for row in reader if row["full_name"] != "Nancy Pelosi"]
        fields = reader.fieldnames
    for row in rows:
        if row["full_name"] == "Bernard Sanders":
            row["party"] = "Democrat"
    changed = tmp_path / "legislators-current.csv"
    with changed.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)

    summary = import_congress(str(changed))
    db.session.commit()
    assert (summary.added, summary.updated, summary.deactivated) == (0, 1, 1)
    assert target("Bernard Sanders").party == "Democrat"
    assert target("Nancy Pelosi").active is False, "a departed member stays on file, inactive"
    assert target("Elizabeth Warren").email == "staff@warren.example"


def test_congress_import_with_district_offices_keeps_each_members_offices(app):
    summary = import_congress(str(CONGRESS_YAML), offices=str(OFFICES_YAML))
    db.session.commit()
    assert (summary.added, summary.offices) == (537, 1312)
    assert "1312 district offices" in str(summary)
    assert target("Nancy Pelosi").offices == [
        {
            "id": "P000197-san_francisco",
            "address": "90 7th St.",
            "suite": "Suite 2-800",
            "building": "",
            "city": "San Francisco",
            "state": "CA",
            "zip": "94103",
            "phone": "415-556-4862",
        }
    ]
    stored = db.session.scalars(sa.select(Target.offices)).all()
    assert sum(len(offices) for offices in stored) == 1312

    from_csv = import_congress(str(CONGRESS_CSV), offices=str(OFFICES_CSV))
    db.session.commit()
    assert (from_csv.added, from_csv.updated, from_csv.unchanged) == (0, 0, 537)
    without_offices = import_congress(str(CONGRESS_CSV))
    db.session.commit()
    assert without_offices.unchanged == 537
    assert target("Nancy Pelosi").offices[0]["phone"] == "415-556-4862"


def test_openstates_import_loads_every_states_legislators_and_reruns_change_nothing(app):
    files = list((OPENSTATES / "data").glob("*/legislature/*.yml"))
    legislators = [f for f in files if f.parts[-3] != "us"]
    summary = import_openstates(str(OPENSTATES))
    db.session.commit()
    chambers = Target.kind.in_((TargetKind.STATE_UPPER, TargetKind.STATE_LOWER))
    assert count(chambers) == len(legislators) == 7453
    assert count(chambers, Target.active) >= 7400
    assert count(chambers, Target.email != "") >= 7400
    states = db.session.scalars(sa.select(Target.state).where(chambers).distinct()).all()
    assert len(states) == 52, "50 states, DC and Puerto Rico"
    michlewitz = target("Aaron Michlewitz")
    assert (michlewitz.kind, michlewitz.district, michlewitz.email) == (
        TargetKind.STATE_LOWER,
        "3rd Suffolk",
        "aaron.m.michlewitz@mahouse.gov",
    )
    assert target("Maura Healey").kind == TargetKind.GOVERNOR
    assert summary.added == count()

    again = import_openstates(str(OPENSTATES))
    db.session.commit()
    assert (again.added, again.updated, again.deactivated) == (0, 0, 0)
    assert again.unchanged == summary.added


def test_openstates_reimport_retires_a_legislator_whose_file_is_gone(app, tmp_path):
    data = tmp_path / "people" / "data"
    shutil.copytree(OPENSTATES / "data" / "ne", data / "ne")
    import_openstates(str(tmp_path / "people"))
    gone = sorted((data / "ne" / "legislature").glob("*.yml"))[0]
    name = gone.read_text().split("\nname: ")[1].split("\n")[0]
    gone.unlink()
    summary = import_openstates(str(tmp_path / "people"))
    db.session.commit()
    assert (summary.added, summary.updated, summary.deactivated) == (0, 0, 1)
    assert target(name).active is False


def malformed_zccd(tmp_path):
    path = tmp_path / "zccd.csv"
    path.write_text("state_fips,state_abbr,zcta,cd\n06,CA,94110,11\n06,CA,9411,11\n")
    return ["zips", "import", str(path)], f"{path}:3: bad ZCTA '9411'"


def malformed_congress_csv(tmp_path):
    path = tmp_path / "legislators-current.csv"
    lines = CONGRESS_CSV.read_text().splitlines()[:6]
    lines[4] = lines[4].replace(",sen,", ",senator,", 1)
    path.write_text("\n".join(lines) + "\n")
    return ["targets", "import", "congress", str(path)], f"{path}:5: "


def malformed_congress_yaml(tmp_path):
    path = tmp_path / "legislators-current.yaml"
    text = CONGRESS_YAML.read_text()
    good = text[: text.index("\n- id:", 1) + 1]  # the first legislator, complete
    bad = "- id:\n    govtrack: 1\n  name:\n    official_full: No Id\n  terms:\n  - type: rep\n"
    path.write_text(good + bad)
    return ["targets", "import", "congress", str(path)], (
        f"{path}:{good.count(chr(10)) + 1}: legislator without a bioguide id"
    )


def offices_csv_for_someone_not_in_the_members_file(tmp_path):
    path = tmp_path / "legislators-district-offices.csv"
    lines = OFFICES_CSV.read_text().splitlines()[:4]
    lines[2] = lines[2].replace("A000055,", "Z999999,", 1)
    path.write_text("\n".join(lines) + "\n")
    args = ["targets", "import", "congress", str(CONGRESS_CSV), "--offices", str(path)]
    return args, f"{path}:3: office 'A000055-jasper': Z999999 is not a member"


def offices_yaml_for_someone_not_in_the_members_file(tmp_path):
    path = tmp_path / "legislators-district-offices.yaml"
    text = OFFICES_YAML.read_text()
    good = text[: text.index("\n- id:", 1) + 1]
    bad = "- id:\n    bioguide: Z999999\n  offices:\n  - id: Z999999-x\n    city: Nowhere\n"
    path.write_text(good + bad)
    args = ["targets", "import", "congress", str(CONGRESS_YAML), "--offices", str(path)]
    line = good.count("\n") + 1
    return args, f"{path}:{line}: office 'Z999999-x': Z999999 is not a member"


def malformed_openstates(tmp_path):
    shutil.copytree(OPENSTATES / "data" / "vt", tmp_path / "data" / "vt")
    broken = sorted((tmp_path / "data" / "vt" / "legislature").glob("*.yml"))[3]
    broken.write_text(broken.read_text().replace("roles:\n", "roles: [\n", 1))
    return ["targets", "import", "openstates", str(tmp_path)], f"{broken}:"


def overlong_openstates_district(tmp_path):
    shutil.copytree(OPENSTATES / "data" / "ma", tmp_path / "data" / "ma")
    person = (
        tmp_path
        / "data"
        / "ma"
        / "legislature"
        / ("Aaron-Michlewitz-4183f327-e2a6-4b1a-9d23-161da1b5e261.yml")
    )
    person.write_text(person.read_text().replace("3rd Suffolk", "Suffolk " * 10))
    return ["targets", "import", "openstates", str(tmp_path)], (
        f"{person}:1: district is longer than 64 characters"
    )


@pytest.mark.parametrize(
    "make_copy",
    [
        malformed_zccd,
        malformed_congress_csv,
        malformed_congress_yaml,
        offices_csv_for_someone_not_in_the_members_file,
        offices_yaml_for_someone_not_in_the_members_file,
        malformed_openstates,
        overlong_openstates_district,
    ],
)
def test_malformed_file_is_reported_with_file_and_line_and_nothing_is_imported(
    app, runner, tmp_path, make_copy
):
    args, where = make_copy(tmp_path)
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert where in result.output
    assert "nothing was imported" in result.output
    assert count() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ZipDistrict)) == 0


def test_commands_print_a_summary(app, runner, tmp_path):
    path = tmp_path / "zccd.csv"
    path.write_text("state_fips,state_abbr,zcta,cd\n50,VT,05401,0\n")
    result = runner.invoke(args=["zips", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "ZIP districts: 1 added, 0 updated, 0 deactivated, 0 unchanged" in result.output
    result = runner.invoke(args=["targets", "import", "congress", str(CONGRESS_CSV)])
    assert "members of Congress: 537 added, 0 updated, 0 deactivated" in result.output
    offices = ["--offices", str(OFFICES_CSV)]
    result = runner.invoke(args=["targets", "import", "congress", str(CONGRESS_CSV), *offices])
    # One member (of 537) lists no district office upstream.
    assert "0 added, 536 updated, 0 deactivated, 1 unchanged, 1312 district offices" in (
        result.output
    )
