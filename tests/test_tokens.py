"""Sealed tokens (tokens.seal): unreadable to their holder, refused when altered, moved to
another purpose or key, or too old."""

import base64

import pytest

from app.services import tokens
from app.services.errors import InvalidToken

PAYLOAD = ["third-country-deportations", "jane@example.com", True, 0]


def test_a_sealed_token_gives_back_its_payload_and_shows_none_of_it(app, frozen_clock):
    token = tokens.seal(tokens.AWAITING, PAYLOAD)
    assert tokens.unseal(tokens.AWAITING, token, max_age=60) == PAYLOAD
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert b"jane" not in raw and b"example" not in raw
    assert tokens.seal(tokens.AWAITING, PAYLOAD) != token  # a fresh nonce each time


def test_an_altered_token_or_one_for_another_purpose_or_key_is_refused(app, frozen_clock):
    token = tokens.seal(tokens.AWAITING, PAYLOAD)
    flipped = token[:30] + ("A" if token[30] != "A" else "B") + token[31:]
    for forged in (flipped, token[:-2], "", "not a token", "A" + token):
        with pytest.raises(InvalidToken):
            tokens.unseal(tokens.AWAITING, forged, max_age=60)
    with pytest.raises(InvalidToken):
        tokens.unseal(tokens.CONFIRM, token, max_age=60)
    app.config["SECRET_KEY"] = "another key"
    with pytest.raises(InvalidToken):
        tokens.unseal(tokens.AWAITING, token, max_age=60)


def test_a_sealed_token_expires_after_max_age(app, frozen_clock):
    token = tokens.seal(tokens.AWAITING, PAYLOAD)
    frozen_clock.advance(60)
    assert tokens.unseal(tokens.AWAITING, token, max_age=60) == PAYLOAD
    frozen_clock.advance(1)
    with pytest.raises(InvalidToken):
        tokens.unseal(tokens.AWAITING, token, max_age=60)


def test_a_token_sealed_by_a_server_whose_clock_runs_a_little_ahead_is_read(app, frozen_clock):
    frozen_clock.advance(30)
    token = tokens.seal(tokens.AWAITING, PAYLOAD)
    frozen_clock.advance(-30)
    assert tokens.unseal(tokens.AWAITING, token, max_age=60) == PAYLOAD
    frozen_clock.advance(120)
    sealed_far_ahead = tokens.seal(tokens.AWAITING, PAYLOAD)
    frozen_clock.advance(-120)
    with pytest.raises(InvalidToken):
        tokens.unseal(tokens.AWAITING, sealed_far_ahead, max_age=60)
