"""Forms citizens fill in."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField
from wtforms.validators import DataRequired, Email, Length, Regexp


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class SignForm(FlaskForm):
    name = StringField(
        "Full name",
        filters=[strip],
        validators=[DataRequired("Please enter your name."), Length(max=120)],
    )
    email = EmailField(
        "Email",
        filters=[strip],
        validators=[
            DataRequired("Please enter your email address."),
            Length(max=254),
            Email("Please enter a valid email address.", check_deliverability=False),
        ],
    )
    zip = StringField(
        "ZIP code",
        filters=[strip],
        validators=[
            DataRequired("Please enter your ZIP code."),
            Regexp(r"^\s*\d{5}(-?\d{4})?\s*$", message="Please enter a 5-digit US ZIP code."),
        ],
    )
    consent_updates = BooleanField("Email me updates about this campaign")
    show_publicly = BooleanField("Show my first name and state as a recent signer")
    # A honeypot: hidden from people, filled in by naive bots.
    website = StringField("Leave this field empty", validators=[Length(max=200)])
