"""Hostile input: markup, header injection, huge fields and odd Unicode are all harmless."""

import io
import re
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.mail.backends import ConsoleBackend, to_email_message
from app.models import Delivery, Signature
from app.services import text
from app.services.delivery.sending import drain
from app.services.signing.counting import count_signatures
from tests.factories import make_campaign
from tests.helpers import link_token, sign_via_form

SCRIPT_NAME = "<script>alert(1)</script> Smith"


def _signatures() -> list[Signature]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Signature)))


def _sign_and_confirm(client, outbox, campaign, **fields) -> None:
    assert sign_via_form(client, campaign.slug, **fields).status_code == 302
    drain()
    assert client.post(f"/confirm/{link_token(outbox[-1], 'confirm')}").status_code == 200
    count_signatures()


def _wire_headers(message) -> dict[str, list[str]]:
    """Headers as a mail server would parse them from the bytes SMTP sends."""
    wire = to_email_message(message).as_bytes(policy=policy.SMTP)
    parsed = message_from_bytes(wire, policy=policy.default)
    return {name.lower(): parsed.get_all(name) for name in parsed}


def test_script_in_a_name_is_shown_as_text_among_recent_signers(client, outbox):
    campaign = make_campaign()
    _sign_and_confirm(client, outbox, campaign, name=SCRIPT_NAME, show_publicly="y")
    page = client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_markup_in_a_name_is_escaped_in_the_confirmation_email(client, outbox):
    campaign = make_campaign(title="Rights & <wrongs>")
    sign_via_form(client, campaign.slug, name="<b>Ann</b> Lee")
    drain()
    message = outbox[0]
    assert "Hello &lt;b&gt;Ann&lt;/b&gt;," in message.html
    assert "<b>" not in message.html
    assert "Rights &amp; &lt;wrongs&gt;" in message.html
    assert "Hello <b>Ann</b>," in message.text, "the plain-text part shows the name literally"


def test_line_breaks_in_a_name_cannot_add_a_mail_header(client, outbox):
    campaign = make_campaign()
    sign_via_form(client, campaign.slug, name="Ann\r\nBcc: victim@example.org\r\n\r\nHi")
    drain()
    message = outbox[0]
    assert "\n" not in message.to and "\r" not in message.to

    headers = _wire_headers(message)
    assert "bcc" not in headers
    assert headers["to"] == ['"Ann Bcc: victim@example.org Hi" <ann@example.org>']

    console = io.StringIO()
    ConsoleBackend(stream=console).send(message)
    header_lines = console.getvalue().split("\n\n")[0].splitlines()
    assert not any(line.lower().startswith("bcc:") for line in header_lines)


def test_line_breaks_in_a_campaign_title_stay_on_one_subject_line(client, outbox):
    campaign = make_campaign(title="Save the park\r\nBcc: victim@example.org")
    sign_via_form(client, campaign.slug)
    drain()
    headers = _wire_headers(outbox[0])
    assert "bcc" not in headers
    assert headers["subject"] == [
        "Please confirm your signature: Save the park Bcc: victim@example.org"
    ]


def test_line_breaks_in_an_email_address_are_refused_at_the_form(client):
    campaign = make_campaign()
    response = sign_via_form(client, campaign.slug, email="ann@example.org\r\nBcc: x@example.net")
    assert response.status_code == 400
    assert "Please enter a valid email address." in response.get_data(as_text=True)
    assert _signatures() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 0


def test_a_one_megabyte_field_gets_a_friendly_too_large_page(client):
    campaign = make_campaign()
    response = sign_via_form(client, campaign.slug, name="x" * 1_000_000)
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Too much text" in page
    assert "Go to the home page" in page
    assert "Traceback" not in page
    assert _signatures() == []


# Too long as typed; too long once cleaned: NFKC makes each U+FDFA 18 characters, so 12 of
# them pass a check on what was typed but not the 216 that would be stored.
@pytest.mark.parametrize("name", ["N" * 500, "\ufdfa" * 12])
def test_a_too_long_name_is_a_field_error_and_nothing_typed_is_lost(client, name):
    campaign = make_campaign()
    response = sign_via_form(
        client, campaign.slug, name=name, email="keep@example.org", zip="10001"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="name-error"' in page
    assert "120 characters" in page
    assert 'value="keep@example.org"' in page
    assert 'value="10001"' in page
    assert f'value="{text.one_line(name)}"' in page
    assert _signatures() == []


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("\u202eevil\u202c Lee", "evil Lee"),  # right-to-left override cannot flip the page
        ("Ann\u200b Lee", "Ann Lee"),  # zero-width space
        ("Ann\x00Lee", "Ann Lee"),  # a null byte (PostgreSQL refuses them in text)
        ("Ann \U0001f33b Lee", "Ann \U0001f33b Lee"),  # emoji are fine
        ("Zoë Ünïcode", "Zoë Ünïcode"),
        ("\uff21nn Lee", "Ann Lee"),  # fullwidth letters fold to ASCII (NFKC)
    ],
)
def test_odd_unicode_in_a_name_is_cleaned_before_it_is_stored(client, typed, stored):
    campaign = make_campaign()
    assert sign_via_form(client, campaign.slug, name=typed).status_code == 302
    assert [s.name for s in _signatures()] == [stored]


def test_lookalike_fullwidth_email_is_the_same_signer(client):
    campaign = make_campaign()
    sign_via_form(client, campaign.slug, email="ann@example.org")
    response = sign_via_form(client, campaign.slug, email="\uff41\uff4e\uff4e@\uff25xample.org")
    assert response.status_code == 302
    assert [s.email for s in _signatures()] == ["ann@example.org"]


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("email", "ann\x00@example.org", "Please enter a valid email address."),
        ("email", "ann\u200b@example.org", "Please enter a valid email address."),
        ("zip", "10001\x00", "Please enter a 5-digit US ZIP code."),
        # A name of invisible characters only is empty once cleaned.
        ("name", "\u200b\u200b\u202e", "Please enter your name."),
        # "a＠b@example.org" is "a@b@example.org" in NFKC, the form addresses are kept in.
        ("email", "a\uff20b@example.org", "Please enter a valid email address."),
    ],
)
def test_invisible_or_lookalike_characters_are_field_errors(client, field, value, error):
    campaign = make_campaign()
    response = sign_via_form(client, campaign.slug, **{field: value})
    assert response.status_code == 400
    assert error in response.get_data(as_text=True)
    assert _signatures() == []


@pytest.mark.parametrize("path", ["/c/abc%00def", "/confirm/abc%00def", "/withdraw/%00"])
def test_null_bytes_in_links_get_a_friendly_page_not_a_server_error(client, path):
    response = client.get(path)
    assert response.status_code in (400, 404)
    assert "<h1>" in response.get_data(as_text=True)


# Full-width and Arabic-Indic digits.
@pytest.mark.parametrize(
    "zip_code", ["\uff11\uff10\uff10\uff10\uff11", "\u0661\u0660\u0660\u0660\u0661"]
)
def test_a_zip_code_in_non_ascii_digits_is_a_field_error_on_both_forms(client, zip_code):
    # Such digits once passed the ZIP check and crashed the zipcodes package, taking the
    # whole worker process down with every request it was serving.
    campaign = make_campaign(collects_letters=True, target_kinds=["us_senate"])
    signed = sign_via_form(client, campaign.slug, zip=zip_code)
    where = client.get(f"/c/{campaign.slug}/write", query_string={"zip": zip_code})
    for response in (signed, where):
        assert response.status_code == 400
        assert "Please enter a 5-digit US ZIP code." in response.get_data(as_text=True)
    assert _signatures() == []


def test_each_field_error_is_one_element_that_the_input_points_at_with_its_hint(client):
    campaign = make_campaign()
    # An email that is both too long and malformed has two errors.
    response = sign_via_form(client, campaign.slug, email="x" * 300, zip="1")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    [errors] = re.findall(r'<p class="error" id="email-error">([^<]*)</p>', page)
    assert "254 characters" in errors
    assert "Please enter a valid email address." in errors
    zip_input = re.search(r"<input[^>]*id=\"zip\"[^>]*>", page).group(0)
    assert 'aria-describedby="zip-hint zip-error"' in zip_input
    assert 'aria-invalid="true"' in zip_input
