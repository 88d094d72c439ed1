"""Forms citizens fill in."""

import re
import unicodedata

from email_validator import SPECIAL_USE_DOMAIN_NAMES
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Regexp

from app.services import text
from app.services.letters.places import ZIP_PATTERN


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


# The filters below turn what was typed into what will be stored (app.services.text), so
# the required and length checks judge that: NFKC can lengthen a name many times over, and
# a subject of zero-width spaces is empty once cleaned.
def one_line(value: str | None) -> str | None:
    return text.one_line(value) if isinstance(value, str) else value


def paragraphs(value: str | None) -> str | None:
    return text.paragraphs(value) if isinstance(value, str) else value


def nfkc(value: str | None) -> str | None:
    # An address is compared in NFKC (signing.normalize_email): a full-width "＠" must be
    # judged as the "@" it becomes.
    return unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else value


# An address with a plain ASCII dot-atom local part and a dotted host name ending in letters.
_PLAIN_ADDRESS = re.compile(
    r"(?P<local>[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
)


def is_plain_address(address: str) -> bool:
    """Whether an address is plain enough to be accepted without email_validator: one it
    would accept too (tests hold the two together)."""
    match = _PLAIN_ADDRESS.fullmatch(address)
    return (
        match is not None
        and len(address) <= 254
        and len(match["local"]) <= 64
        and "--" not in match["domain"]  # "ab--" labels are Punycode's, which it checks
        and match["domain"].rpartition(".")[2].lower() not in SPECIAL_USE_DOMAIN_NAMES
    )


class EmailAddress(Email):
    """WTForms' Email check, passing plain addresses without running email_validator.

    Nearly every signer types a plain address, and email_validator (IDNA, Unicode and
    quoting rules) costs a tenth of a signature's CPU; anything less plain still gets it.
    """

    def __call__(self, form, field) -> None:
        if not (isinstance(field.data, str) and is_plain_address(field.data)):
            super().__call__(form, field)


class SignForm(FlaskForm):
    """A signature. Citizens' forms carry no CSRF token (app/cross_origin.py): a token needs
    a session, so a cookie, and the campaign page is shared by caches."""

    class Meta:
        csrf = False

    name = StringField(
        "Full name",
        filters=[one_line],
        validators=[DataRequired("Please enter your name."), Length(max=120)],
    )
    email = EmailField(
        "Email",
        filters=[nfkc],
        validators=[
            DataRequired("Please enter your email address."),
            Length(max=254),
            EmailAddress("Please enter a valid email address.", check_deliverability=False),
        ],
    )
    zip = StringField(
        "ZIP code",
        filters=[strip],
        validators=[
            DataRequired("Please enter your ZIP code."),
            Regexp(ZIP_PATTERN, message="Please enter a 5-digit US ZIP code."),
        ],
    )
    consent_updates = BooleanField("Email me updates about this campaign")
    show_publicly = BooleanField("Show my first name and state as a recent signer")
    # A honeypot: hidden from people, filled in by naive bots.
    website = StringField("Leave this field empty", validators=[Length(max=200)])


class WhereForm(FlaskForm):
    """Where a letter writer lives: a GET form (step 1), so no CSRF token."""

    class Meta:
        csrf = False

    zip = StringField(
        "ZIP code",
        filters=[strip],
        validators=[
            DataRequired("Please enter your ZIP code."),
            Regexp(ZIP_PATTERN, message="Please enter a 5-digit US ZIP code."),
        ],
    )
    # Choices the writer made when the ZIP code could not decide; checked by routing.
    district = StringField("Congressional district", filters=[strip], validators=[Length(max=8)])
    upper = StringField("State senate district", filters=[strip], validators=[Length(max=64)])
    lower = StringField("State house district", filters=[strip], validators=[Length(max=64)])


class LetterForm(FlaskForm):
    """The letter itself, with the signer's details and consents (step 2); no CSRF token,
    as for SignForm."""

    class Meta:
        csrf = False

    name = SignForm.name
    email = SignForm.email
    zip = HiddenField(filters=[strip], validators=[DataRequired(), Length(max=10)])
    district = HiddenField(filters=[strip], validators=[Length(max=8)])
    upper = HiddenField(filters=[strip], validators=[Length(max=64)])
    lower = HiddenField(filters=[strip], validators=[Length(max=64)])
    subject = StringField(
        "Subject",
        filters=[one_line],
        validators=[DataRequired("Please give your letter a subject."), Length(max=200)],
    )
    body = TextAreaField(
        "Your letter",
        filters=[paragraphs],
        validators=[
            DataRequired("Please write your letter."),
            Length(min=20, max=10000, message="Please write between 20 and 10,000 characters."),
        ],
    )
    reply_to_ok = BooleanField("Let their office reply to me by email (they will see my address)")
    public_comment = BooleanField(
        "Also show my letter on the campaign page, with my first name and state, once a "
        "moderator has read it"
    )
    consent_updates = SignForm.consent_updates
    website = SignForm.website
