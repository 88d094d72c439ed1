"""The switch to a new Congress, rehearsed on small synthetic 119th and 120th datasets.

ZIP 75001 moves from TX-3 to TX-4 on 3 January 2027; TX-3's member leaves and a new one
takes the seat; TX-4's member stays; vacant TX-10 (ZIP 73301) is filled.
"""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.extensions import db
from app.models import Dataset, DatasetKind, Letter, Signature, Target, TargetKind, ZipDistrict
from app.services.letters.places import Place
from app.services.letters.routing import route_letter
from app.services.letters.writing import LetterDraft
from app.services.signing import signatures
from app.services.targets.datasets import reference_status
from app.services.workspace.remapping import remap_tallies
from tests.factories import make_campaign

BEFORE = datetime(2027, 1, 2, 23, 59)
SWITCH_DAY = datetime(2027, 1, 3, 0, 0)
AFTER = datetime(2027, 2, 1, 12, 0)

ZIPS = {
    119: "state_fips,state_abbr,zcta,cd\n48,TX,75001,3\n48,TX,73301,10\n",
    120: "state_fips,state_abbr,zcta,cd\n48,TX,75001,4\n48,TX,73301,10\n",
}
HEADER = "bioguide_id,full_name,type,state,district,party,senate_class\n"
SENATORS = "S000001,Sam Senior,sen,TX,,Republican,1\nS000002,Jo Junior,sen,TX,,Republican,2\n"
MEMBERS = {
    119: HEADER + SENATORS + "H000001,Lee Leaving,rep,TX,3,Republican,\n"
    "H000002,Sue Staying,rep,TX,4,Democrat,\n",
    120: HEADER + SENATORS + "H000003,Nia New,rep,TX,3,Democrat,\n"
    "H000002,Sue Staying,rep,TX,4,Democrat,\n"
    "H000004,Val Filled,rep,TX,10,Republican,\n",
}


@pytest.fixture
def import_congress_data(runner, tmp_path):
    """Import a Congress's synthetic ZIP map and members through the CLI, as an operator would."""

    def run(congress: int, zips: bool = True, members: bool = True) -> list[str]:
        outputs = []
        if zips:
            path = tmp_path / f"zccd-{congress}.csv"
            path.write_text(ZIPS[congress])
            args = ["zips", "import", str(path), "--congress", str(congress)]
            outputs.append(runner.invoke(args=args))
        if members:
            path = tmp_path / f"legislators-{congress}.csv"
            path.write_text(MEMBERS[congress])
            args = ["targets", "import", "congress", str(path), "--congress", str(congress)]
            outputs.append(
                runner.invoke(
                    args=[*args, "--effective", "2027-01-03"] if congress == 120 else args
                )
            )
        for result in outputs:
            assert result.exit_code == 0, result.output
        return [result.output for result in outputs]

    return run


@pytest.fixture
def campaign(app):
    return make_campaign(
        target_kinds=[TargetKind.US_SENATE, TargetKind.US_HOUSE], collects_letters=True
    )


def house(route) -> list[str]:
    return [t.name for t in route.targets if t.kind == TargetKind.US_HOUSE]


def test_a_zip_that_moves_district_goes_to_each_days_member(campaign, import_congress_data):
    import_congress_data(119)
    import_congress_data(120)
    before = route_letter(campaign, "75001", now=BEFORE)
    assert (before.district, house(before)) == ("3", ["Lee Leaving"])
    for moment in (SWITCH_DAY, AFTER):
        route = route_letter(campaign, "75001", now=moment)
        assert (route.district, house(route)) == ("4", ["Sue Staying"]), moment
        assert sorted(t.name for t in route.targets if t.kind == TargetKind.US_SENATE) == [
            "Jo Junior",
            "Sam Senior",
        ]
        assert route.held_reason == ""


def test_a_vacancy_filled_at_the_switch_gets_letters_from_that_day(campaign, import_congress_data):
    import_congress_data(119)
    import_congress_data(120)
    vacant = route_letter(campaign, "73301", now=BEFORE)
    assert house(vacant) == []
    assert "The House seat for Texas, 10th district is vacant" in " ".join(vacant.notes)
    assert house(route_letter(campaign, "73301", now=SWITCH_DAY)) == ["Val Filled"]


def test_the_departed_members_seat_goes_to_the_new_member(campaign, import_congress_data):
    import_congress_data(119)
    import_congress_data(120)
    # A PO-box ZIP in Texas: the signer picks TX-3 from the list of that day's districts.
    route = route_letter(campaign, "75001", district="TX-3", now=AFTER)
    assert house(route) == ["Sue Staying"], "the ZIP decides; a stale choice is ignored"
    options = route_letter(campaign, "73344", now=AFTER).district_choices
    assert {(o.code, o.members) for o in options} >= {("TX-3", ("Nia New",))}
    assert all("Lee Leaving" not in o.members for o in options)


def test_without_member_data_for_the_new_congress_letters_are_held_with_the_reason(
    campaign, import_congress_data
):
    import_congress_data(119)
    import_congress_data(120, members=False)
    route = route_letter(campaign, "75001", now=SWITCH_DAY)
    assert route.complete
    assert route.targets == []
    assert route.held_reason == "no member data for the 120th Congress yet"
    assert "Letters to your U.S. senators are held" in " ".join(route.notes)
    warnings = reference_status(SWITCH_DAY).warnings
    assert warnings == [
        "No members of Congress imported for the 120th Congress, which began on 03 January "
        "2027: new letters to U.S. senators and U.S. representative are held."
    ]
    assert reference_status(datetime(2026, 12, 5)).warnings == [
        "No members of Congress imported yet for the 120th Congress, sworn in on 03 January "
        "2027 (in 29 days): from that day new letters to U.S. senators and U.S. "
        "representative will be held."
    ]


def test_without_a_zip_map_for_the_new_congress_only_house_letters_are_held(
    campaign, import_congress_data
):
    import_congress_data(119)
    import_congress_data(120, zips=False)
    route = route_letter(campaign, "75001", now=AFTER)
    assert route.held_reason == "no ZIP-to-district map for the 120th Congress yet"
    assert house(route) == [] and len(route.targets) == 2
    first = reference_status(AFTER).warnings[0]
    assert first.startswith("No ZIP-to-district map imported for the 120th Congress, which began")


def test_with_no_data_at_all_a_letter_is_accepted_and_records_why_it_is_held(client, campaign):
    page = client.get(f"/c/{campaign.slug}/write?zip=75001").get_data(as_text=True)
    assert "Letters to your U.S. senators are held: no member data for the" in page
    route = route_letter(campaign, "75001", now=datetime(2029, 1, 5))
    assert route.held_reason == "no member data for the 121st Congress yet"
    draft = LetterDraft("Subject", "Body", (), held_reason=route.held_reason)
    request = signatures.SignatureRequest("Ana", "ana@example.org", route.signer_place)
    signatures.sign(campaign.slug, request, letter=draft)
    letter = db.session.scalar(sa.select(Letter))
    assert letter.held_reason == route.held_reason


def test_importing_one_congress_again_leaves_the_other_as_it_is(app, import_congress_data):
    import_congress_data(119)
    import_congress_data(120)
    tables = (
        lambda: sorted(
            db.session.execute(
                sa.select(ZipDistrict.dataset_id, ZipDistrict.zcta, ZipDistrict.district)
            ).all()
        ),
        lambda: sorted(
            db.session.execute(
                sa.select(Target.dataset_id, Target.bioguide_id, Target.district, Target.active)
            ).all()
        ),
        lambda: sorted(
            db.session.execute(
                sa.select(
                    Dataset.kind, Dataset.congress, Dataset.effective_from, Dataset.effective_until
                )
            ).all()
        ),
    )
    first = [table() for table in tables]
    outputs = import_congress_data(119) + import_congress_data(120)
    assert [table() for table in tables] == first
    assert outputs[1].startswith(
        "members of Congress: 0 added, 0 updated, 0 deactivated, 4 unchanged"
    )
    assert outputs[3].startswith(
        "members of Congress: 0 added, 0 updated, 0 deactivated, 5 unchanged"
    )
    assert len(first[2]) == 4


def test_a_signature_keeps_the_district_and_map_it_was_routed_with(
    app, campaign, import_congress_data
):
    import_congress_data(119)
    route = route_letter(campaign, "75001", now=BEFORE)
    signature_id = signatures.sign(
        campaign.slug,
        signatures.SignatureRequest(name="Ana", email="ana@example.org", place=route.signer_place),
    )
    import_congress_data(120)
    signature = db.session.get(Signature, signature_id)
    map_119 = db.session.scalar(sa.select(Dataset).filter_by(kind=DatasetKind.ZIPS, congress=119))
    assert (signature.district, signature.zip_dataset_id) == ("3", map_119.id)


def test_remapping_a_campaign_changes_its_district_counts_and_not_its_signatures(
    app, runner, campaign, import_congress_data
):
    import_congress_data(119)
    import_congress_data(120)
    for n, (zip_code, district) in enumerate([("75001", "3"), ("75001", "3"), ("73301", "10")]):
        place = Place(zip_code, (("TX", district),), True)
        signatures.sign(
            campaign.slug,
            signatures.SignatureRequest(name="S", email=f"s{n}@example.org", place=place),
        )
    db.session.execute(sa.update(Signature).values(status="confirmed"))
    db.session.commit()
    map_120 = db.session.scalar(sa.select(Dataset).filter_by(kind=DatasetKind.ZIPS, congress=120))
    figures = {
        (row.state, row.district): (row.counted, row.remapped)
        for row in remap_tallies(campaign, map_120)
    }
    assert figures == {("TX", "3"): (2, 0), ("TX", "4"): (0, 2), ("TX", "10"): (1, 1)}
    assert sorted(db.session.scalars(sa.select(Signature.district))) == ["10", "3", "3"]
    result = runner.invoke(args=["datasets", "remap", campaign.slug, "--congress", "120"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == [
        "TX-3              2         0      -2",
        "TX-4              0         2      +2",
        "TX-10             1         1        ",
    ]


def test_status_lists_each_dataset_with_its_period_and_warns(app, runner, import_congress_data):
    import_congress_data(119, members=False)
    output = runner.invoke(args=["datasets", "status"]).output
    assert "ZIP-to-district map, 119th Congress: 2025-01-03 to 2027-01-03, " in output
    assert "; 2 rows from " in output
    assert "WARNING: No members of Congress imported for the " in output


def test_a_spanish_writer_reads_why_letters_wait_in_spanish_and_the_letter_keeps_english(
    client, campaign
):
    page = client.get(f"/es/c/{campaign.slug}/write?zip=75001").get_data(as_text=True)
    assert "Las cartas a sus senadores de EE. UU. quedan en espera: aún no hay datos" in page
    with force_locale("es"):
        route = route_letter(campaign, "75001", now=datetime(2029, 1, 5))
        assert "los miembros del 121.º Congreso." in " ".join(route.notes)
        assert route.held_reason == "no member data for the 121st Congress yet"
