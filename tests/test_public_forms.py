"""The sign form's quick checks (of plain addresses, of plain submissions) agree with
email_validator and with SignForm."""

import random

import pytest
from email_validator import EmailNotValidError, validate_email
from werkzeug.datastructures import MultiDict

from app.public.forms import (
    SignFields,
    SignForm,
    SignSubmission,
    _plain_fields,
    is_plain_address,
)


def accepted_by_email_validator(address: str) -> bool:
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


@pytest.mark.parametrize(
    "address",
    [
        "ann.lee@example.org",
        "Ann.Lee+petitions@Mail.Example.CO.UK",
        "a_b-c@sub-domain.example.info",
        "x@a1.io",
        "o'brien@example.org",  # valid, but left to email_validator
        "ann@ab--cd.example.org",
        "ann@xn--bcher-kva.example",
        "ann@example.test",
        "ann@printer.local",
        "ann@example.c0m",
        "ann@example",
        "ann..lee@example.org",
        ".ann@example.org",
        "ann.@example.org",
        "ann@-example.org",
        "ann@example-.org",
        "ann@example..org",
        "ann@exa_mple.org",
        "ann@192.168.1.1",
        "ann@[192.168.1.1]",
        "a" * 65 + "@example.org",
        "a@" + "b" * 64 + ".org",
        "a@" + ".".join(["b" * 63] * 4) + ".org",
        "ann@example.org\n",
        "ann@éxample.org",
        "ánn@example.org",
        "ann lee@example.org",
        "<ann@example.org>",
        "ann@example.org.",
    ],
)
def test_a_plain_address_is_one_email_validator_accepts(address):
    if is_plain_address(address):
        assert accepted_by_email_validator(address)


def test_the_quick_check_agrees_on_many_near_addresses():
    # Random strings built from the characters that make addresses go wrong: every one the
    # quick check passes, email_validator must pass too.
    rng = random.Random(20261129)
    plain = ["ann", "Z", "0", "9", "_", "+", "a" * 30] * 4
    pieces = [*plain, ".", ".", "-", "-", "@", "xn--", "--", "é", "'", " ", ""]
    top_level = ["org", "CO", "test", "local", "onion", "c0m", "x", "", "-org", "xn--p1ai"]
    passed = 0
    for _ in range(20_000):
        local = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        labels = [
            "".join(rng.choice(pieces) for _ in range(rng.randint(1, 3)))
            for _ in range(rng.randint(1, 3))
        ]
        address = f"{local}@{'.'.join(labels)}.{rng.choice(top_level)}"
        if is_plain_address(address):
            passed += 1
            assert accepted_by_email_validator(address), address
    assert passed > 300, "the generator must reach the quick path often enough to test it"


def test_the_quick_check_takes_everyday_addresses():
    assert is_plain_address("ann.lee@example.org")
    assert is_plain_address("Ann.Lee+petitions@Mail.Example.CO.UK")
    assert not is_plain_address("ann@example.test")


# Sign submissions that go wrong, or nearly: each judged by SignSubmission and by SignForm.
EVERYDAY = {"name": "Ann Lee", "email": "ann.lee@example.org", "zip": "10001"}
ODD_SUBMISSIONS = [
    EVERYDAY,
    EVERYDAY | {"consent_updates": "y", "show_publicly": "on", "source": "  news_1 "},
    EVERYDAY | {"consent_updates": "false", "show_publicly": ""},
    EVERYDAY | {"zip": " 10001-1234 "},
    EVERYDAY | {"zip": "100011234"},
    EVERYDAY | {"name": "  Ann \t\n Lee  "},
    EVERYDAY | {"name": "Ann\u202eLee\u200b"},
    EVERYDAY | {"name": "\u200b\u200b"},
    EVERYDAY | {"name": "ｱﾝ"},
    EVERYDAY | {"name": "A" * 120},
    EVERYDAY | {"name": "A" * 121},
    EVERYDAY | {"name": "\ufb01" * 61},  # NFKC: 61 ligatures become 122 letters
    EVERYDAY | {"name": ""},
    EVERYDAY | {"name": "   "},
    EVERYDAY | {"email": "ANN@EXAMPLE.ORG"},
    EVERYDAY | {"email": " ann@example.org "},
    EVERYDAY | {"email": "ann＠example.org"},
    EVERYDAY | {"email": "o'brien@example.org"},
    EVERYDAY | {"email": "ann@éxample.org"},
    EVERYDAY | {"email": "ann@example.test"},
    EVERYDAY | {"email": "ann@example"},
    EVERYDAY | {"email": "ann@example.org\nBcc: x@example.org"},
    EVERYDAY | {"email": "a" * 65 + "@example.org"},
    EVERYDAY | {"email": "a@" + "b" * 250 + ".org"},
    EVERYDAY | {"email": ""},
    EVERYDAY | {"zip": "1000"},
    EVERYDAY | {"zip": "١٠٠٠١"},
    EVERYDAY | {"zip": "10001\n"},
    EVERYDAY | {"zip": "10001; DROP TABLE signatures"},
    EVERYDAY | {"zip": ""},
    EVERYDAY | {"website": "http://spam.example"},
    EVERYDAY | {"website": "x" * 200},
    EVERYDAY | {"website": "x" * 201},
    EVERYDAY | {"website": ""},
    EVERYDAY | {"name": "\x00Ann"},
    {"email": "ann@example.org", "zip": "10001"},
    {"name": "Ann Lee", "zip": "10001"},
    {"name": "Ann Lee", "email": "ann@example.org"},
    {},
]


def judged_by_the_form(data: MultiDict) -> SignFields | None:
    form = SignForm(formdata=data)
    return SignFields.from_form(form) if form.validate() else None


@pytest.mark.parametrize("data", ODD_SUBMISSIONS)
def test_the_plain_sign_check_gives_the_forms_verdict_and_fields(app, data):
    with app.test_request_context(method="POST"):
        submitted = MultiDict(data)
        assert SignSubmission(submitted).fields == judged_by_the_form(submitted)
        plain = _plain_fields(submitted)
        if plain is not None:
            assert plain == judged_by_the_form(submitted)


def test_repeated_fields_are_read_as_the_form_reads_them(app):
    with app.test_request_context(method="POST"):
        submitted = MultiDict(
            [*EVERYDAY.items(), ("name", "Bob"), ("show_publicly", "false"), ("show_publicly", "y")]
        )
        assert SignSubmission(submitted).fields == judged_by_the_form(submitted)


def test_an_everyday_signature_is_accepted_without_building_the_form(app):
    with app.test_request_context(method="POST", data=EVERYDAY | {"show_publicly": "y"}):
        submission = SignSubmission()
        assert submission.fields == SignFields(
            name="Ann Lee",
            email="ann.lee@example.org",
            zip="10001",
            consent_updates=False,
            show_publicly=True,
            website=None,
            source=None,
        )
        assert "form" not in vars(submission)


def test_a_refused_submission_builds_the_form_with_its_errors(app):
    with app.test_request_context(method="POST", data=EVERYDAY | {"zip": "1000"}):
        submission = SignSubmission()
        assert submission.fields is None
        assert list(submission.form.errors) == ["zip"]
        assert submission.form.zip.data == "1000"
