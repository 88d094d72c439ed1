"""Forms citizens fill in."""

import re
import unicodedata
from dataclasses import dataclass, fields
from functools import cached_property

from email_validator import SPECIAL_USE_DOMAIN_NAMES
from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Email, Length, Regexp

from app.cwc import PREFIXES
from app.ratelimits import client_ip, count_submission
from app.services import text
from app.services.letters.places import ZIP_PATTERN, Place
from app.services.signing.signatures import SignatureRequest


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


# The sign form's length limits, shared by SignForm and its plain path (_plain_fields).
NAME_MAX = 120
EMAIL_MAX = 254
HONEYPOT_MAX = 200


class SignForm(FlaskForm):
    """A signature. Citizens' forms carry no CSRF token (app/cross_origin.py): a token needs
    a session, so a cookie, and the campaign page is shared by caches."""

    class Meta:
        csrf = False

    name = StringField(
        _l("Full name"),
        filters=[one_line],
        validators=[DataRequired(_l("Please enter your name.")), Length(max=NAME_MAX)],
    )
    email = EmailField(
        _l("Email"),
        filters=[nfkc],
        validators=[
            DataRequired(_l("Please enter your email address.")),
            Length(max=EMAIL_MAX),
            EmailAddress(_l("Please enter a valid email address."), check_deliverability=False),
        ],
    )
    zip = StringField(
        _l("ZIP code"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please enter your ZIP code.")),
            Regexp(ZIP_PATTERN, message=_l("Please enter a 5-digit US ZIP code.")),
        ],
    )
    consent_updates = BooleanField(_l("Email me updates about this campaign"))
    show_publicly = BooleanField(_l("Show my first name and state as a recent signer"))
    # A honeypot: hidden from people, filled in by naive bots.
    website = StringField(_l("Leave this field empty"), validators=[Length(max=HONEYPOT_MAX)])
    # The share link's or embed's `?src=`, copied in by static/share.js (pages are cached
    # without their query string); signing.source_code keeps only a well-formed code.
    # It is never shown, so it gets no label (WTForms would translate one from its name, which
    # loads WTForms' catalog for every form built).
    source = HiddenField("", filters=[strip])


@dataclass(frozen=True)
class SignFields:
    """An accepted sign form's fields, as SignForm's filters leave them."""

    name: str
    email: str
    zip: str
    consent_updates: bool
    show_publicly: bool
    website: str | None  # the honeypot: anything in it means a bot
    source: str | None

    @classmethod
    def from_form(cls, form: SignForm) -> "SignFields":
        return cls(**{field.name: form[field.name].data for field in fields(cls)})

    def to_request(self, place: Place, source: str, locale: str = "en") -> SignatureRequest:
        """The signature this accepted form asks for; counting it against the review limits
        (count_submission) gives its review reason."""
        return SignatureRequest(
            name=self.name,
            email=self.email,
            place=place,
            consent_updates=self.consent_updates,
            show_publicly=self.show_publicly,
            ip=client_ip(),
            review_reason=count_submission(self.email),
            locale=locale,
            source=source,
        )


class SignSubmission:
    """A submitted sign form (the request's, or formdata given), judged by SignForm's rules.

    Why not SignForm alone: building and validating it was a quarter of a signature's CPU.
    Nearly every submission is plain (_plain_fields) and accepted without building it;
    SignForm judges whatever is not, gives the errors, and is built to show the form again.
    """

    def __init__(self, formdata: MultiDict | None = None):
        self._form_args = {} if formdata is None else {"formdata": formdata}
        self.fields = _plain_fields(_submitted() if formdata is None else formdata)
        if self.fields is None and self.form.validate():
            self.fields = SignFields.from_form(self.form)

    @cached_property
    def form(self) -> SignForm:
        """The form to show again; its errors are set when it judged the submission."""
        return SignForm(**self._form_args)


def _submitted() -> MultiDict:
    # Flask-WTF reads files and JSON bodies too; those are left to SignForm.
    return MultiDict() if request.files else request.form


def _plain_fields(formdata: MultiDict) -> SignFields | None:
    """The fields when they pass SignForm's rules as nearly every signer's do: filtered by
    the same filters, judged by the same limits, with a plain address; else None, and
    SignForm judges (tests hold the two together)."""
    name, email, zip_code = (_first(formdata, field) for field in ("name", "email", "zip"))
    if not (isinstance(name, str) and isinstance(email, str) and isinstance(zip_code, str)):
        return None
    name, email, zip_code = one_line(name), nfkc(email), zip_code.strip()
    website = _first(formdata, "website")
    accepted = (
        name
        and len(name) <= NAME_MAX
        and len(email) <= EMAIL_MAX
        and is_plain_address(email)
        and ZIP_PATTERN.match(zip_code)
        and (website is None or len(website) <= HONEYPOT_MAX)
    )
    if not accepted:
        return None
    return SignFields(
        name=name,
        email=email,
        zip=zip_code,
        consent_updates=_checked(formdata, "consent_updates"),
        show_publicly=_checked(formdata, "show_publicly"),
        website=website,
        source=strip(_first(formdata, "source")),
    )


def _first(formdata: MultiDict, name: str):
    # As WTForms reads a field; MultiDict.get would raise (and build) a BadRequestKeyError
    # inside for each field not sent, such as the honeypot.
    values = formdata.getlist(name)
    return values[0] if values else None


def _checked(formdata: MultiDict, name: str) -> bool:
    """A checkbox's value as BooleanField reads it."""
    value = _first(formdata, name)
    return value is not None and value not in BooleanField.false_values


class WhereForm(FlaskForm):
    """Where a letter writer lives: a GET form (step 1), so no CSRF token."""

    class Meta:
        csrf = False

    zip = StringField(
        _l("ZIP code"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please enter your ZIP code.")),
            Regexp(ZIP_PATTERN, message=_l("Please enter a 5-digit US ZIP code.")),
        ],
    )
    # Choices the writer made when the ZIP code could not decide; checked by routing.
    district = StringField(
        _l("Congressional district"), filters=[strip], validators=[Length(max=8)]
    )
    upper = StringField(_l("State senate district"), filters=[strip], validators=[Length(max=64)])
    lower = StringField(_l("State house district"), filters=[strip], validators=[Length(max=64)])


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
        _l("Subject"),
        filters=[one_line],
        validators=[DataRequired(_l("Please give your letter a subject.")), Length(max=200)],
    )
    body = TextAreaField(
        _l("Your letter"),
        filters=[paragraphs],
        validators=[
            DataRequired(_l("Please write your letter.")),
            Length(min=20, max=10000, message=_l("Please write between 20 and 10,000 characters.")),
        ],
    )
    reply_to_ok = BooleanField(
        _l("Let their office reply to me by email (they will see my address)")
    )
    public_comment = BooleanField(
        _l(
            "Also show my letter on the campaign page, with my first name and state, once a "
            "moderator has read it"
        )
    )
    consent_updates = SignForm.consent_updates
    website = SignForm.website
    # Asked only when an office takes letters through CWC, which requires them (address_checks).
    prefix = SelectField(
        "Title",
        choices=[SelectChoice("", "Choose…"), *(SelectChoice(p) for p in PREFIXES)],
        # Not asked unless the letter goes through CWC; address_checks checks it then.
        validate_choice=False,
    )
    street_address = StringField("Street address", filters=[one_line], validators=[Length(max=200)])
    city = StringField("City", filters=[one_line], validators=[Length(max=100)])

    @staticmethod
    def address_checks() -> dict:
        """The extra checks when the letter goes through CWC (validate's extra_validators)."""
        return {
            "name": [_first_and_last_name],
            "prefix": [
                DataRequired("Congress asks for a title: please choose one."),
                AnyOf(PREFIXES, message="Please choose a title from the list."),
            ],
            "street_address": [DataRequired("Please enter your street address.")],
            "city": [DataRequired("Please enter your city.")],
        }


def _first_and_last_name(form, field) -> None:
    if len((field.data or "").split()) < 2:
        raise ValidationError("Congress asks for your first and last name.")
