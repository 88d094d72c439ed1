"""A representative's private page: their constituents' letters, downloads, and responses."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.clock import utcnow
from app.extensions import db
from app.models import (
    Letter,
    Moderation,
    RepresentativeAccess,
    SignatureStatus,
    TargetKind,
)
from app.services.delivery.sending import drain
from app.services.letters.writing import queue_letter
from app.services.targets import access
from tests.factories import make_campaign, make_signature, make_target
from tests.helpers import csrf_token


def _letter(
    campaign, targets, body="Please vote no.", reply_to_ok=False, queued=True, **signature
) -> Letter:
    """A letter; queued (as its writer's confirming click does) unless told otherwise."""
    signer = make_signature(campaign, **signature)
    letter = Letter(
        signature_id=signer.id,
        campaign_id=campaign.id,
        subject=f"From {signer.name}",
        body=body,
        reply_to_ok=reply_to_ok,
        targets=targets,
    )
    db.session.add(letter)
    db.session.commit()
    if queued:
        queue_letter(letter)
        db.session.commit()
    return letter


@pytest.fixture
def house(app):
    """A House member with letters from two campaigns, and a colleague with letters of their own."""
    member = make_target(kind=TargetKind.US_HOUSE, name="Jo Rivera", title="Rep.", state="NY")
    other = make_target(kind=TargetKind.US_HOUSE, name="Sam Other", title="Rep.", state="CA")
    parks, roads = make_campaign(title="Save the parks"), make_campaign(title="Fix the roads")
    _letter(parks, [member], name="Zoë Ünïcode", zip="10001", district="12", reply_to_ok=True)
    _letter(parks, [member, other], name="Both Writer", body='=HYPERLINK("http://x")')
    _letter(roads, [member], name="Road Writer")
    _letter(roads, [other], name="Secret Writer", body="Only for Sam.")
    only_other = make_campaign(title="Only for Sam")
    _letter(only_other, [other], name="Other Writer")
    return {"member": member, "other": other, "parks": parks, "roads": roads, "only": only_other}


def _url(token: str, *rest: str) -> str:
    return "/".join(["/r", token, *rest])


def test_cli_prints_a_link_that_opens_the_page_and_stores_only_a_hash(app, runner, client, house):
    result = runner.invoke(args=["targets", "link", str(house["member"].id), "--days", "7"])
    assert result.exit_code == 0, result.output
    url = result.output.strip().splitlines()[-1]
    assert url.startswith("http://chorus.test/r/")
    token = url.rsplit("/", 1)[1]

    grant = db.session.scalar(sa.select(RepresentativeAccess))
    assert grant.target_id == house["member"].id
    assert token not in grant.token_hash
    assert timedelta(days=6, hours=23) < grant.expires_at - utcnow() <= timedelta(days=7)

    page = client.get(_url(token))
    assert page.status_code == 200
    assert "Letters to Rep. Jo Rivera" in page.get_data(as_text=True)


def test_cli_refuses_an_unknown_target(runner):
    result = runner.invoke(args=["targets", "link", "999999"])
    assert result.exit_code != 0
    assert "no target with id 999999" in result.output


@pytest.mark.parametrize("path", ["", "c/whatever", "c/whatever/letters.csv", "c/x/letters.pdf"])
def test_a_bad_token_is_not_found(client, house, path):
    assert client.get(_url("not-a-real-token", path)).status_code == 404


def test_an_expired_token_is_not_found(client, house):
    token = access.create_access(house["member"], days=1)
    grant = db.session.scalar(sa.select(RepresentativeAccess))
    grant.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(_url(token)).status_code == 404


def test_page_lists_only_this_targets_campaigns_and_letters(client, house):
    token = access.create_access(house["member"])
    index = client.get(_url(token)).get_data(as_text=True)
    assert "Save the parks" in index and "Fix the roads" in index
    assert "Only for Sam" not in index
    assert "2 letters" in index and "1 letter<" in index

    parks = client.get(_url(token, "c", house["parks"].slug))
    page = parks.get_data(as_text=True)
    assert "Zoë Ünïcode" in page and "ZIP 10001" in page and "district NY-12" in page
    assert "Both Writer" in page
    assert "Secret Writer" not in page
    assert parks.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in parks.headers["Cache-Control"]
    assert 'name="robots" content="noindex, nofollow"' in page


def test_another_targets_campaign_is_not_found(client, house):
    token = access.create_access(house["member"])
    slug = house["only"].slug
    for path in ("", "/letters.csv", "/letters.pdf"):
        assert client.get(_url(token, "c", slug) + path).status_code == 404


def test_a_page_number_past_the_end_is_not_found(client, house):
    token = access.create_access(house["member"])
    url = _url(token, "c", house["parks"].slug, "page", "99999999999999999999")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "change",
    [
        {"status": SignatureStatus.PENDING},
        {"status": SignatureStatus.WITHDRAWN},
        {"status": SignatureStatus.FRAUDULENT},
        {"moderation": Moderation.REJECTED},
        {"body": ""},
        {"flags": "link", "moderation": Moderation.PENDING},
        {"queued": False},
    ],
    ids=["pending", "withdrawn", "fraudulent", "rejected", "erased", "flagged", "unclicked"],
)
def test_unconfirmed_withdrawn_rejected_or_erased_letters_are_not_shown(client, house, change):
    change = dict(change)
    queued = change.pop("queued", True)
    letter = _letter(house["parks"], [house["member"]], name="Hidden Writer", queued=queued)
    for key, value in change.items():
        setattr(letter.signature if key == "status" else letter, key, value)
    db.session.commit()
    token = access.create_access(house["member"])
    page = client.get(_url(token, "c", house["parks"].slug)).get_data(as_text=True)
    assert "Hidden Writer" not in page
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(_url(token, "c", house["parks"].slug, "letters.csv")).get_data(
                    as_text=True
                )
            )
        )
    )
    assert "Hidden Writer" not in [row["name"] for row in rows]


def test_csv_has_every_letter_with_proof_of_constituency(client, house):
    token = access.create_access(house["member"])
    response = client.get(_url(token, "c", house["parks"].slug, "letters.csv"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["name"] for row in rows] == ["Zoë Ünïcode", "Both Writer"]
    zoe, both = rows
    assert (zoe["zip"], zoe["state"], zoe["congressional_district"]) == ("10001", "NY", "12")
    assert zoe["email"].endswith("@example.org"), "the writer agreed to a reply"
    assert both["email"] == "", "no address unless the writer agreed to a reply"
    assert both["body"].startswith("'="), "a formula is never run by a spreadsheet"


def test_pdf_packet_has_every_letter(client, house):
    office = {"id": "R1-nyc", "address": "1 Main St.", "suite": "Suite 5", "building": ""}
    office |= {"city": "New York", "state": "NY", "zip": "10001", "phone": "212-555-0100"}
    house["member"].offices = [office]
    db.session.commit()
    token = access.create_access(house["member"])
    response = client.get(_url(token, "c", house["parks"].slug, "letters.pdf"))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 3, "a cover page and one page per letter"
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Letters to Rep. Jo Rivera" in text
    cover = reader.pages[0].extract_text()
    assert "1 Main St., Suite 5, New York, NY 10001; phone 212-555-0100" in cover
    assert "Zoë Ünïcode" in text and "ZIP 10001" in text and "District NY-12" in text
    assert "Both Writer" in text and "Please vote no." in text
    assert "Secret Writer" not in text


def test_pdf_packet_queries_do_not_grow_with_its_letters(client, house):
    token = access.create_access(house["member"])
    path = _url(token, "c", house["parks"].slug, "letters.pdf")

    def statements() -> int:
        executed = []
        listener = lambda *args: executed.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(path).status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(executed)

    with_two = statements()
    for i in range(5):
        _letter(house["parks"], [house["member"]], name=f"Writer {i}")
    assert statements() == with_two


def test_a_posted_response_is_shown_on_the_campaign_page(client, house):
    token = access.create_access(house["member"])
    path = _url(token, "c", house["parks"].slug)
    posted = client.post(
        path + "/responses",
        data={
            "csrf_token": csrf_token(client, path),
            "author_name": "Pat Lee,\u202e chief of staff",
            # As a browser sends a textarea: CRLF line breaks.
            "body": "Thank you for writing.\r\n\r\nThe member will <b>vote</b> no.\u202e",
        },
    )
    assert posted.status_code == 302
    assert "published on the campaign page" in client.get(path).get_data(as_text=True)

    public = client.get(f"/c/{house['parks'].slug}").get_data(as_text=True)
    assert "Responses from representatives" in public
    assert "Rep. Jo Rivera, posted by Pat Lee, chief of staff" in public
    assert "<p>Thank you for writing.</p>" in public
    assert "will &lt;b&gt;vote&lt;/b&gt; no." in public
    assert "Responses from representatives" not in client.get(f"/c/{house['roads'].slug}").get_data(
        as_text=True
    )


def test_an_empty_response_is_a_field_error(client, house):
    token = access.create_access(house["member"])
    path = _url(token, "c", house["parks"].slug)
    response = client.post(
        path + "/responses",
        data={"csrf_token": csrf_token(client, path), "author_name": "Pat", "body": "   "},
    )
    assert response.status_code == 400
    assert "Please write a response before posting it." in response.get_data(as_text=True)
    assert house["parks"].published_responses == []


def test_a_response_cannot_be_posted_to_another_targets_campaign(client, house):
    token = access.create_access(house["member"])
    path = _url(token, "c", house["only"].slug, "responses")
    other_token = access.create_access(house["other"])
    csrf = csrf_token(client, _url(other_token, "c", house["only"].slug))
    response = client.post(path, data={"csrf_token": csrf, "author_name": "X", "body": "Y"})
    assert response.status_code == 404
    assert house["only"].published_responses == []


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (TargetKind.US_HOUSE, "NY-12"),
        (TargetKind.US_SENATE, "NY"),
        (TargetKind.STATE_UPPER, "27"),
        (TargetKind.STATE_LOWER, "74"),
    ],
)
def test_district_shown_is_the_one_for_the_targets_chamber(app, kind, expected):
    campaign = make_campaign()
    target = make_target(kind=kind, state="NY")
    letter = _letter(campaign, [target], state="NY", district="12")
    letter.state_upper_district, letter.state_lower_district = "27", "74"
    assert access.district_for(target, letter) == expected


def test_an_access_link_must_last_at_least_a_day(app):
    with pytest.raises(ValueError):
        access.create_access(make_target(), days=0)


def test_a_late_letter_is_dated_by_its_own_sending_not_its_signature(client, app):
    # Written ten days after its signature was confirmed, sent when its writer clicked.
    member = make_target(kind=TargetKind.US_HOUSE, name="Jo Rivera", title="Rep.", state="NY")
    campaign = make_campaign(title="Save the parks")
    long_ago = datetime(2026, 1, 1, 12, 0)
    letter = _letter(campaign, [member], confirmed_at=long_ago)
    [(listed, sent)] = list(access.letters_for(member, campaign))
    assert listed == letter
    assert sent > long_ago + timedelta(days=10)
    token = access.create_access(member)
    rows = csv.DictReader(
        io.StringIO(
            client.get(_url(token, "c", campaign.slug, "letters.csv")).get_data(as_text=True)
        )
    )
    assert [datetime.fromisoformat(row["sent_at"]).date() for row in rows] == [sent.date()]
    pdf = PdfReader(io.BytesIO(client.get(_url(token, "c", campaign.slug, "letters.pdf")).data))
    assert f"Sent {sent:%B %-d, %Y}" in pdf.pages[1].extract_text()
    page = client.get(_url(token, "c", campaign.slug)).get_data(as_text=True)
    assert f'sent <time datetime="{sent.date().isoformat()}">' in page


def test_a_state_senators_letter_shows_the_writers_state_senate_district(app, outbox):
    # The proof of constituency must be in the recipient's own chamber, not the House's.
    senator = make_target(kind=TargetKind.STATE_UPPER, name="Sam Senator", state="CA")
    senator.email = "sam@senate.example"
    campaign = make_campaign()
    signer = make_signature(campaign, state="CA", district="11", zip="94110")
    letter = Letter(
        signature_id=signer.id, campaign_id=campaign.id, subject="Hi", body="Please act.",
        targets=[senator], state_upper_district="3",
    )  # fmt: skip
    db.session.add(letter)
    db.session.commit()
    queue_letter(letter)
    db.session.commit()
    drain()
    [sent] = [message for message in outbox if message.category == "letter"]
    assert "ZIP code 94110, California, state senate district 3" in sent.text
    assert "11th district" not in sent.text and "11th district" not in sent.html


def test_a_link_ends_when_its_official_leaves_office_or_it_is_revoked(app, runner, client, house):
    kept, left = house["member"], house["other"]
    kept_link, left_link = access.create_access(kept), access.create_access(left)
    left.active = False  # as the importers mark an official who is no longer in office
    db.session.commit()
    assert client.get(_url(left_link)).status_code == 404
    assert client.get(_url(kept_link)).status_code == 200

    result = runner.invoke(args=["targets", "revoke", str(kept.id)])
    assert result.exit_code == 0, result.output
    assert "Revoked 1 live link(s) for Jo Rivera" in result.output
    assert client.get(_url(kept_link)).status_code == 404


def test_an_access_link_lasts_at_most_a_year(app, runner, house):
    result = runner.invoke(args=["targets", "link", str(house["member"].id), "--days", "400"])
    assert result.exit_code != 0 and "400 is not in the range 1<=x<=366" in result.output


def test_posting_responses_is_limited_per_hour(client, house):
    # A leaked link must not let anyone flood the campaign page.
    token = access.create_access(house["member"])
    path = _url(token, "c", house["parks"].slug)
    form = {"csrf_token": csrf_token(client, path), "author_name": "Staff", "body": "Hello."}
    statuses = [client.post(path + "/responses", data=form).status_code for _ in range(11)]
    assert statuses == [302] * 10 + [429]


def test_responses_are_limited_per_link_even_from_many_addresses(client, house):
    # Offices share government networks: the per-IP limit is looser, each link's is tight.
    token = access.create_access(house["member"])
    path = _url(token, "c", house["parks"].slug)
    form = {"csrf_token": csrf_token(client, path), "author_name": "Staff", "body": "Hello."}
    statuses = [
        client.post(
            path + "/responses", data=form, environ_base={"REMOTE_ADDR": f"192.0.2.{n}"}
        ).status_code
        for n in range(11)
    ]
    assert statuses == [302] * 10 + [429]


def test_an_office_behind_the_same_address_as_another_can_still_respond(client, house):
    first = _url(access.create_access(house["member"]), "c", house["parks"].slug)
    form = {"csrf_token": csrf_token(client, first), "author_name": "Staff", "body": "Hello."}
    assert [client.post(first + "/responses", data=form).status_code for _ in range(10)] == [
        302
    ] * 10
    colleague = make_target(kind=TargetKind.US_HOUSE, name="Al Near", title="Rep.", state="NY")
    _letter(house["parks"], [colleague], name="Near Writer")
    second = _url(access.create_access(colleague), "c", house["parks"].slug)
    assert client.post(second + "/responses", data=form).status_code == 302


def test_a_letter_written_in_spanish_shows_staff_the_campaign_s_english_letter(client, app):
    member = make_target(kind=TargetKind.US_HOUSE, name="Jo Rivera", title="Rep.", state="NY")
    campaign = make_campaign(
        letter_subject="Notice and a hearing",
        letter_body="Please make sure everyone gets notice.",
        translations={"es": {"letter_body": "Le pido que todos reciban aviso."}},
    )
    _letter(campaign, [member], body="Le pido que todos reciban aviso.", locale="es")
    _letter(campaign, [member], name="English Writer", body="Please act.")
    token = access.create_access(member, days=1)
    page = client.get(_url(token, "c", campaign.slug), headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert text.count("They read the campaign in Español and wrote in it.") == 1
    assert "Please make sure everyone gets notice." in text
    assert "2 letters to Rep. Jo Rivera." in text
