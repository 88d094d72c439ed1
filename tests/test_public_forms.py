"""The sign form's quick check of plain addresses agrees with email_validator."""

import random

import pytest
from email_validator import EmailNotValidError, validate_email

from app.public.forms import is_plain_address


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
