"""The form a representative's office uses to post an official response."""

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.services.targets.access import RESPONSE_MAX_LENGTH


class ResponseForm(FlaskForm):
    author_name = StringField(
        "Your name and role",
        validators=[DataRequired("Please say who is responding."), Length(max=200)],
    )
    body = TextAreaField(
        "Official response",
        validators=[
            DataRequired("Please write a response before posting it."),
            Length(max=RESPONSE_MAX_LENGTH),
        ],
    )
