"""Unit tests of the signing services: signing, tokens, places and counting."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner
from sqlalchemy.exc import IntegrityError

from app.clock import utcnow
from app.extensions import db
from app.models import (
    Campaign,
    CampaignStatus,
    CampaignTally,
    DatasetKind,
    Delivery,
    DeliveryStatus,
    Letter,
    Signature,
    SignatureStatus,
    ZipDistrict,
)
from app.services import text, tokens
from app.services.campaigns import page
from app.services.delivery import outbox
from app.services.errors import CampaignClosed, InvalidToken, UnknownZip
from app.services.letters.places import Place, locate_zip, normalize_zip
from app.services.letters.writing import LetterDraft, queue_letter
from app.services.signing import counting, signatures
from tests.factories import make_campaign, make_dataset, make_signature, make_target

NY_12 = Place("10001", (("NY", "12"),), from_zcta=True)


def _request(**fields) -> signatures.SignatureRequest:
    values = {"name": "Ann Lee", "email": "ann@example.org", "place": NY_12}
    values.update(fields)
    return signatures.SignatureRequest(**values)


def _sign(campaign, request: signatures.SignatureRequest) -> Signature:
    return db.session.get(Signature, signatures.sign(campaign.slug, request))


def _confirmation_deliveries() -> list[Delivery]:
    return list(db.session.scalars(sa.select(Delivery).order_by(Delivery.id)))


def _tallies(campaign) -> dict[tuple[str, str], int]:
    rows = db.session.scalars(
        sa.select(CampaignTally).where(CampaignTally.campaign_id == campaign.id)
    )
    return {(t.state, t.district): t.count for t in rows if t.count}


# signing ---------------------------------------------------------------------------


def test_normalize_email_folds_case_space_and_lookalikes():
    assert signatures.normalize_email("  Ann@Example.ORG ") == "ann@example.org"
    assert signatures.normalize_email("\uff41nn@example.org") == "ann@example.org"


def test_clean_name_removes_controls_and_collapses_space():
    assert text.one_line(" Ann\r\n\tLee\u202e ") == "Ann Lee"


def test_clean_name_keeps_the_joiners_that_shape_emoji_and_scripts():
    family = "\U0001f469\u200d\U0001f467"
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    assert text.one_line(f"{family} {persian}\u200b") == f"{family} {persian}"


def test_hash_ip_is_keyed_stable_and_empty_for_no_ip(app):
    assert signatures.hash_ip("203.0.113.9") == signatures.hash_ip("203.0.113.9")
    assert signatures.hash_ip("203.0.113.9") != signatures.hash_ip("203.0.113.10")
    assert "203.0.113.9" not in signatures.hash_ip("203.0.113.9")
    assert signatures.hash_ip("") == ""


def test_sign_stores_a_pending_signature_with_its_confirmation_queued(app):
    campaign = make_campaign()
    signature = _sign(campaign, _request(name=" Ann  Lee ", email="Ann@Example.org"))
    assert (signature.status, signature.name, signature.email) == (
        SignatureStatus.PENDING,
        "Ann Lee",
        "ann@example.org",
    )
    assert (signature.email_domain, signature.state, signature.district) == (
        "example.org",
        "NY",
        "12",
    )
    [delivery] = _confirmation_deliveries()
    assert (delivery.recipient, delivery.status) == ("ann@example.org", DeliveryStatus.QUEUED)


@pytest.mark.parametrize(
    "fields",
    [
        {"status": CampaignStatus.CLOSED},
        {"status": CampaignStatus.DRAFT},
        {"closes_at": utcnow() - timedelta(minutes=1)},
        {"opens_at": utcnow() + timedelta(days=1)},
    ],
)
def test_sign_refuses_a_campaign_that_is_not_open(app, fields):
    campaign = make_campaign(**fields)
    with pytest.raises(CampaignClosed):
        _sign(campaign, _request())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 0


def test_the_sql_open_rule_agrees_with_the_python_one(app):
    now = utcnow()
    hour = timedelta(hours=1)
    campaigns = [
        make_campaign(status=status, opens_at=opens, closes_at=closes)
        for status in CampaignStatus.ALL
        for opens in (None, now - hour, now + hour, now)
        for closes in (None, now - hour, now + hour, now)
    ]
    in_sql = set(db.session.scalars(sa.select(Campaign.id).where(Campaign.is_open(now))))
    in_python = {c.id for c in campaigns if c.is_open(now)}
    assert in_sql == in_python
    assert len(in_python) == 6, "status open, opened by now (3 ways), closing later or never"


def test_a_closed_campaign_keeps_nothing_even_for_a_repeat_signer(app):
    campaign = make_campaign()
    signatures.sign(campaign.slug, _request())
    campaign.status = CampaignStatus.CLOSED
    db.session.commit()
    with pytest.raises(CampaignClosed):
        signatures.sign(campaign.slug, _request())
    with pytest.raises(CampaignClosed):
        signatures.sign("no-such-campaign", _request())
    assert len(_confirmation_deliveries()) == 1


def test_a_signature_with_or_without_a_letter_wakes_the_workers_once_committed(app):
    campaign = make_campaign(collects_letters=True)
    target = make_target(email="office@example.gov")
    woken = []
    outbox.on_new_deliveries(app, lambda: woken.append("woken"))
    signatures.sign(campaign.slug, _request())
    assert woken == ["woken"]
    signatures.sign(
        campaign.slug, _request(email="bo@example.org"), letter=LetterDraft("S", "B", (target,))
    )
    assert woken == ["woken", "woken"]
    assert len(_confirmation_deliveries()) == 2


def test_only_a_repeat_signer_is_taken_for_one(app):
    # Any other integrity error (here: one target twice) is raised, not retried.
    campaign = make_campaign(collects_letters=True)
    target = make_target(email="office@example.gov")
    with pytest.raises(IntegrityError):
        signatures.sign(campaign.slug, _request(), letter=LetterDraft("S", "B", (target, target)))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 0


def test_signing_again_returns_the_same_signature_and_resends_within_the_cap(app):
    campaign = make_campaign()
    first = _sign(campaign, _request())
    again = [_sign(campaign, _request(email="ANN@example.org")) for _ in range(5)]
    assert {s.id for s in again} == {first.id}
    limit = app.config["CONFIRMATION_RESEND_LIMIT"]
    assert len(_confirmation_deliveries()) == limit
    assert db.session.get(Signature, first.id).confirmations_sent == limit


def test_the_same_email_may_sign_different_campaigns(app):
    one, two = make_campaign(), make_campaign()
    assert _sign(one, _request()).id != _sign(two, _request()).id


def test_confirm_marks_the_signature_and_queues_its_letter_once(app):
    campaign = make_campaign(collects_letters=True)
    signature = _sign(campaign, _request())
    target = make_target(email="office@example.gov")
    letter = Letter(
        signature_id=signature.id, campaign_id=campaign.id, subject="S", body="B", targets=[target]
    )
    db.session.add(letter)
    db.session.commit()
    token = tokens.make_token(tokens.CONFIRM, signature.id, signature.email, letter_id=letter.id)
    assert signatures.confirm(token).status == SignatureStatus.CONFIRMED
    assert signatures.confirm(token).status == SignatureStatus.CONFIRMED
    letters = [d for d in _confirmation_deliveries() if d.letter_id]
    assert [(d.target_id, d.status) for d in letters] == [(target.id, DeliveryStatus.QUEUED)]


def test_confirm_refuses_a_withdrawn_signature(app):
    campaign = make_campaign()
    signature = _sign(campaign, _request())
    confirm = tokens.make_token(tokens.CONFIRM, signature.id, signature.email)
    signatures.withdraw(tokens.make_token(tokens.WITHDRAW, signature.id, signature.email))
    with pytest.raises(InvalidToken):
        signatures.confirm(confirm)


def test_confirm_refuses_a_link_older_than_the_configured_age(app, monkeypatch):
    campaign = make_campaign()
    signature = _sign(campaign, _request())
    issued = int(time.time()) - app.config["CONFIRM_TOKEN_MAX_AGE"] - 60
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: issued)
    token = tokens.make_token(tokens.CONFIRM, signature.id, signature.email)
    monkeypatch.undo()
    with pytest.raises(InvalidToken, match="expired"):
        signatures.confirm(token)


def test_withdraw_erases_personal_data_and_cancels_unsent_mail(app):
    campaign = make_campaign()
    signature = _sign(campaign, _request(consent_updates=True, show_publicly=True))
    [delivery] = _confirmation_deliveries()
    delivery.last_error = f"SMTP 452: <{signature.email}>: mailbox full"  # a retry's reason
    db.session.commit()
    signatures.withdraw(tokens.make_token(tokens.WITHDRAW, signature.id, signature.email))
    db.session.expire_all()
    signature = db.session.get(Signature, signature.id)
    assert signature.status == SignatureStatus.WITHDRAWN
    assert (signature.name, signature.email, signature.zip, signature.ip_hash) == ("", None, "", "")
    assert (signature.consent_updates, signature.show_publicly) == (False, False)
    assert (signature.state, signature.district) == ("NY", "12"), "kept to correct the counts"
    [delivery] = _confirmation_deliveries()
    assert (delivery.status, delivery.recipient, delivery.last_error) == (
        DeliveryStatus.CANCELLED,
        "",
        "",
    )


def test_after_withdrawing_the_same_address_can_sign_again(app):
    campaign = make_campaign()
    first = _sign(campaign, _request())
    signatures.withdraw(tokens.make_token(tokens.WITHDRAW, first.id, first.email))
    second = _sign(campaign, _request())
    assert second.id != first.id
    assert second.status == SignatureStatus.PENDING


def test_recent_public_signers_are_confirmed_and_agreed_to_be_shown(app):
    campaign = make_campaign()
    shown = make_signature(campaign, show_publicly=True, name="Shown Person")
    make_signature(campaign, show_publicly=False)
    make_signature(campaign, confirmed=False, show_publicly=True)
    make_signature(make_campaign(), show_publicly=True)
    assert [s.id for s in page.recent_public_signers(campaign)] == [shown.id]
    assert shown.first_name == "Shown"


# tokens -----------------------------------------------------------------------------


def test_a_token_reads_back_its_signature_and_address_fingerprint(app):
    token = tokens.make_token(tokens.CONFIRM, 42, "ann@example.org")
    assert tokens.read_token(tokens.CONFIRM, token) == (
        42,
        tokens.email_fingerprint("ann@example.org"),
        None,
    )
    assert "ann" not in token
    with_letter = tokens.make_token(tokens.CONFIRM, 42, "ann@example.org", letter_id=7)
    assert tokens.read_token(tokens.CONFIRM, with_letter).letter_id == 7


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: "x" + t,
        lambda t: "",
    ],
)
def test_a_tampered_token_is_invalid(app, tamper):
    token = tokens.make_token(tokens.CONFIRM, 42, "ann@example.org")
    with pytest.raises(InvalidToken):
        tokens.read_token(tokens.CONFIRM, tamper(token))


def test_a_withdraw_token_cannot_confirm_and_the_reverse(app):
    withdraw = tokens.make_token(tokens.WITHDRAW, 42, "ann@example.org")
    confirm = tokens.make_token(tokens.CONFIRM, 42, "ann@example.org")
    with pytest.raises(InvalidToken):
        tokens.read_token(tokens.CONFIRM, withdraw)
    with pytest.raises(InvalidToken):
        tokens.read_token(tokens.WITHDRAW, confirm)


def test_a_token_from_another_secret_key_is_invalid(make_app):
    with make_app(SECRET_KEY="one").app_context():
        token = tokens.make_token(tokens.CONFIRM, 42, "ann@example.org")
    with make_app(SECRET_KEY="two").app_context(), pytest.raises(InvalidToken):
        tokens.read_token(tokens.CONFIRM, token)


# places -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "zip_code"), [("02139", "02139"), (" 02139-4307 ", "02139"), ("021394307", "02139")]
)
def test_normalize_zip_keeps_the_five_digit_zip(typed, zip_code):
    assert normalize_zip(typed) == zip_code


@pytest.mark.parametrize("typed", ["", "2139", "ABCDE", "02139-43", "021390"])
def test_normalize_zip_refuses_what_is_not_a_zip(typed):
    with pytest.raises(UnknownZip):
        normalize_zip(typed)


def test_locate_zip_uses_the_imported_districts_and_knows_when_a_zip_spans_several(app):
    zip_map = make_dataset(DatasetKind.ZIPS).id
    db.session.add_all(
        [
            ZipDistrict(zcta="20001", state="DC", district="0", dataset_id=zip_map),
            ZipDistrict(zcta="10001", state="NY", district="10", dataset_id=zip_map),
            ZipDistrict(zcta="10001", state="NY", district="12", dataset_id=zip_map),
        ]
    )
    db.session.commit()
    one = locate_zip("20001")
    assert (one.state, one.district, one.from_zcta) == ("DC", "0", True)
    many = locate_zip("10001")
    assert many.districts == (("NY", "10"), ("NY", "12"))
    assert (many.state, many.district) == ("NY", "")


def test_locate_zip_falls_back_to_the_state_when_districts_are_not_imported(app):
    place = locate_zip("00601")
    assert (place.state, place.district, place.from_zcta) == ("PR", "", False)


def test_locate_zip_refuses_an_unknown_zip(app):
    with pytest.raises(UnknownZip):
        locate_zip("00000")


# counting ---------------------------------------------------------------------------


def test_count_adds_only_newly_confirmed_signatures_per_campaign_and_place(app):
    campaign, other = make_campaign(), make_campaign()
    make_signature(campaign, state="NY", district="12")
    make_signature(campaign, state="NY", district="12")
    make_signature(campaign, state="CA", district="7")
    make_signature(campaign, confirmed=False)
    make_signature(other)
    assert counting.count_signatures() == 4
    assert counting.count_signatures() == 0, "a second run finds nothing new"
    db.session.expire_all()
    assert campaign.signature_count == 3
    assert other.signature_count == 1
    assert _tallies(campaign) == {("NY", "12"): 2, ("CA", "7"): 1}
    assert campaign.counted_at is not None


def test_count_takes_withdrawn_signatures_back_out(app):
    campaign = make_campaign()
    keep = make_signature(campaign)
    gone = make_signature(campaign, state="CA", district="7")
    counting.count_signatures()
    signatures.withdraw(tokens.make_token(tokens.WITHDRAW, gone.id, gone.email))
    assert counting.count_signatures() == 1
    db.session.expire_all()
    assert campaign.signature_count == 1
    assert _tallies(campaign) == {(keep.state, keep.district): 1}


def test_count_includes_the_letters_their_writers_confirmed(app):
    campaign = make_campaign(collects_letters=True)
    target = make_target(email="office@example.gov")
    for queued in (True, False):
        letter = Letter(
            signature_id=make_signature(campaign).id,
            campaign_id=campaign.id,
            subject="S",
            body="B",
            targets=[target],
        )
        db.session.add(letter)
        db.session.commit()
        if queued:  # as the writer's confirming click does; the other still waits for it
            queue_letter(letter)
            db.session.commit()
    counting.count_signatures()
    db.session.expire_all()
    assert (campaign.signature_count, campaign.letter_count) == (2, 1)
    assert counting.exact_counts(campaign) == (2, 1)


def test_recount_repairs_counts_that_drifted(app):
    campaign = make_campaign()
    make_signature(campaign)
    make_signature(campaign, confirmed=False)
    counting.count_signatures()
    campaign.signature_count = 999
    db.session.add(CampaignTally(campaign_id=campaign.id, state="ZZ", district="1", count=5))
    db.session.commit()
    counting.recount()
    db.session.expire_all()
    assert campaign.signature_count == 1
    assert _tallies(campaign) == {("NY", "12"): 1}
    assert counting.exact_counts(campaign) == (1, 0)


def test_zip_look_ups_are_kept_until_the_table_is_imported_again(app, tmp_path):
    zip_map = make_dataset(DatasetKind.ZIPS).id
    db.session.add(ZipDistrict(zcta="10001", state="NY", district="12", dataset_id=zip_map))
    db.session.commit()
    assert locate_zip("10001").district == "12"
    db.session.execute(sa.update(ZipDistrict).values(district="10"))
    db.session.commit()
    assert locate_zip("10001").district == "12", "answered from this process's cache"
    csv_file = tmp_path / "zccd.csv"
    csv_file.write_text("state_fips,state_abbr,zcta,cd\n36,NY,10001,10\n")
    result = app.test_cli_runner().invoke(args=["zips", "import", str(csv_file)])
    assert result.exit_code == 0, result.output
    assert locate_zip("10001").district == "10", "a re-import is seen at once"


def test_a_letter_racing_a_confirm_and_a_count_leaves_the_tallies_right(app, monkeypatch):
    # The signer sends a letter from another district of the same ZIP code while their
    # confirm click and the counting job land between reading the signature and adding the
    # letter: it was counted in NY-12, so it must stay there to be taken back on withdrawal.
    campaign = make_campaign(collects_letters=True)
    signature_id = signatures.sign(campaign.slug, _request())
    confirm = tokens.make_token(tokens.CONFIRM, signature_id, "ann@example.org")
    add_letter = signatures._add_letter

    def confirmed_and_counted_meanwhile(signature, request, letter):
        with app.app_context():
            signatures.confirm(confirm)
            counting.count_signatures()
        return add_letter(signature, request, letter)

    monkeypatch.setattr(signatures, "_add_letter", confirmed_and_counted_meanwhile)
    ny_10 = Place("10001", (("NY", "10"),), from_zcta=True)
    draft = LetterDraft(subject="S", body="B", targets=(make_target(),))
    signatures.sign(campaign.slug, _request(place=ny_10), draft)
    signatures.withdraw(tokens.make_token(tokens.WITHDRAW, signature_id, "ann@example.org"))
    counting.count_signatures()
    db.session.expire_all()
    tallies = db.session.execute(sa.select(CampaignTally.district, CampaignTally.count)).all()
    assert {district: n for district, n in tallies} == {"12": 0}
