"""Forms organizers fill in, and their conversion to the plain values services take."""

from __future__ import annotations

import re
from zoneinfo import available_timezones

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.models import Role, Scope, SignatureStatus, TargetKind, WebhookEvent
from app.services.audit import EventFilters
from app.services.campaigns.editing import CampaignInput
from app.services.campaigns.translating import TranslationInput
from app.services.targets.access import DEFAULT_DAYS, MAX_DAYS
from app.templating import web_url

# Zones people in the US campaign from come first; then every city zone of the world, but
# none of the database's aliases and oddities ("Factory", "EST5EDT", "Etc/GMT+5", "US/...").
WORLD_REGIONS = (
    "Africa/", "America/", "Antarctica/", "Asia/", "Atlantic/", "Australia/", "Europe/",
    "Indian/", "Pacific/",
)  # fmt: skip
US_ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
    "UTC",
]
TIMEZONES = US_ZONES + sorted(
    zone for zone in available_timezones() - set(US_ZONES) if zone.startswith(WORLD_REGIONS)
)


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), filters=[strip], validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1000)])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=1000)])


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email"), filters=[strip], validators=[DataRequired(), Length(max=254)])


class ResetForm(FlaskForm):
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=1000)])


class AuditFilterForm(FlaskForm):
    """The audit log's filters: a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), validate_choice=False)
    actor = SelectField(_l("Who"), validate_choice=False)
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])

    def to_filters(self) -> EventFilters:
        actor = self.actor.data or ""
        return EventFilters(
            action=self.action.data or "",
            actor=int(actor) if actor.isascii() and actor.isdigit() else None,
            since=self.since.data if not self.since.errors else None,
            until=self.until.data if not self.until.errors else None,
        )


class ActionForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that POST."""


class OfficeLinkForm(FlaskForm):
    """A private link for a representative's office, valid for some days."""

    days = IntegerField(
        _l("Valid for (days)"),
        default=DEFAULT_DAYS,
        validators=[
            DataRequired(_l("Say for how many days.")),
            NumberRange(min=1, max=MAX_DAYS, message=_l("From 1 to %(max)s days.", max=MAX_DAYS)),
        ],
    )


def _parse_lines(text: str, names: list[str]) -> list[dict[str, str]]:
    """'a | b | c' lines into dicts keyed by names (missing trailing parts are empty)."""
    items = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) > len(names):
            raise ValidationError(gettext("Too many parts in %(line)r.", line=line.strip()))
        items.append(dict(zip(names, parts + [""] * (len(names) - len(parts)), strict=True)))
    return items


# "file" names the source's text in the source pack, for the content checks; never shown.
SOURCE_PARTS = ["title", "publisher", "date", "url", "note", "file"]


class CampaignForm(FlaskForm):
    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Slug (the address: /c/<slug>)"),
        filters=[strip],
        validators=[DataRequired(), Length(max=80)],
    )
    summary = TextAreaField(_l("Summary"), filters=[strip], validators=[Length(max=1000)])
    petition = TextAreaField(
        _l("Petition statement: what the signers ask, and of whom"),
        filters=[strip],
        validators=[Length(max=5000)],
    )
    sponsor = StringField(
        _l("Sponsoring organization (empty: the site's own)"),
        filters=[strip],
        validators=[Length(max=200)],
    )
    explainer = TextAreaField(_l("Explainer (Markdown)"), validators=[Length(max=100_000)])
    sources = TextAreaField(
        _l("Sources, one per line: title | publisher | date | URL | note | source-pack file"),
        validators=[Length(max=20_000)],
    )
    goal = IntegerField(
        _l("Signature goal"), default=1000, validators=[NumberRange(min=1, max=1_000_000_000)]
    )
    thresholds = TextAreaField(
        _l("Milestones, one per line: count | label"), validators=[Length(max=5000)]
    )
    timezone = SelectField(_l("Time zone"), choices=TIMEZONES, default="America/New_York")
    opens_at = DateTimeLocalField(_l("Opens at (local time)"), validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Closes at (local time)"), validators=[Optional()])
    collects_signatures = BooleanField(_l("Collects signatures"), default=True)
    collects_letters = BooleanField(_l("Collects letters to representatives"))
    collects_comments = BooleanField(_l("Collects public comments"))
    letter_subject = StringField(
        _l("Letter subject"), filters=[strip], validators=[Length(max=200)]
    )
    letter_body = TextAreaField(_l("Letter template"), validators=[Length(max=20_000)])
    letter_prompt = TextAreaField(
        _l("Prompt for a personal paragraph"), validators=[Length(max=2000)]
    )
    target_kinds = MultiCheckboxField(
        _l("Letters go to the signer's"),
        choices=[SelectChoice(kind, _l(TargetKind.LABELS[kind])) for kind in TargetKind.ROUTED],
    )
    fixed_targets = MultiCheckboxField(_l("Fixed targets (every letter)"), coerce=int, choices=[])
    reason = StringField(
        _l("Why the public text changed (one line, shown in the page's list of changes)"),
        filters=[strip],
        validators=[Length(max=300)],
    )
    retention_days = IntegerField(
        _l("Erase signers' personal data this many days after closing (empty: keep)"),
        validators=[Optional(), NumberRange(min=0, max=3650)],
    )

    def validate_sources(self, field) -> None:
        for source in _parse_lines(field.data, SOURCE_PARTS):
            if source["url"] and not web_url(source["url"]):
                raise ValidationError(
                    gettext(
                        "A source's link must start with https:// or http://: %(url)r.",
                        url=source["url"],
                    )
                )

    def validate_thresholds(self, field) -> None:
        for item in _parse_lines(field.data, ["count", "label"]):
            if not re.fullmatch(r"[0-9]{1,9}", item["count"]):
                raise ValidationError(
                    gettext("A milestone's count must be a number: %(count)r.", count=item["count"])
                )

    def to_input(self) -> CampaignInput:
        """The form's values as the campaign service takes them."""
        return CampaignInput(
            title=self.title.data,
            slug=self.slug.data,
            summary=self.summary.data or "",
            petition=self.petition.data or "",
            sponsor=self.sponsor.data or "",
            explainer=self.explainer.data or "",
            sources=[
                {k: v for k, v in source.items() if v}
                for source in _parse_lines(self.sources.data, SOURCE_PARTS)
            ],
            goal=self.goal.data,
            thresholds=[
                {"count": int(item["count"]), "label": item["label"]}
                for item in _parse_lines(self.thresholds.data, ["count", "label"])
            ],
            timezone=self.timezone.data,
            opens_at_local=self.opens_at.data,
            closes_at_local=self.closes_at.data,
            collects_signatures=self.collects_signatures.data,
            collects_letters=self.collects_letters.data,
            collects_comments=self.collects_comments.data,
            letter_subject=self.letter_subject.data or "",
            letter_body=self.letter_body.data or "",
            letter_prompt=self.letter_prompt.data or "",
            target_kinds=self.target_kinds.data or [],
            fixed_target_ids=self.fixed_targets.data or [],
            reason=self.reason.data or "",
            retention_days=self.retention_days.data,
        )

    def fill_from(self, values: CampaignInput) -> None:
        """Pre-fill the form from a campaign's current values."""
        self.title.data = values.title
        self.slug.data = values.slug
        self.summary.data = values.summary
        self.petition.data = values.petition
        self.sponsor.data = values.sponsor
        self.explainer.data = values.explainer
        self.sources.data = "\n".join(
            " | ".join(source.get(k, "") for k in SOURCE_PARTS).rstrip(" |")
            for source in values.sources
        )
        self.goal.data = values.goal
        self.thresholds.data = "\n".join(f"{t['count']} | {t['label']}" for t in values.thresholds)
        self.timezone.data = values.timezone
        self.opens_at.data = values.opens_at_local
        self.closes_at.data = values.closes_at_local
        self.collects_signatures.data = values.collects_signatures
        self.collects_letters.data = values.collects_letters
        self.collects_comments.data = values.collects_comments
        self.letter_subject.data = values.letter_subject
        self.letter_body.data = values.letter_body
        self.letter_prompt.data = values.letter_prompt
        self.target_kinds.data = values.target_kinds
        self.fixed_targets.data = values.fixed_target_ids
        self.retention_days.data = values.retention_days


class TranslationForm(FlaskForm):
    """A campaign's text in one language; the milestone labels and source notes are listed
    in the campaign's order of milestones and sources."""

    title = StringField(_l("Title"), filters=[strip], validators=[Length(max=200)])
    summary = TextAreaField(_l("Summary"), filters=[strip], validators=[Length(max=1000)])
    petition = TextAreaField(
        _l("Petition statement"), filters=[strip], validators=[Length(max=5000)]
    )
    explainer = TextAreaField(_l("Explainer (Markdown)"), validators=[Length(max=100_000)])
    letter_subject = StringField(
        _l("Letter subject"), filters=[strip], validators=[Length(max=200)]
    )
    letter_body = TextAreaField(_l("Letter template"), validators=[Length(max=20_000)])
    letter_prompt = TextAreaField(
        _l("Prompt for a personal paragraph"), validators=[Length(max=2000)]
    )
    milestone_labels = FieldList(StringField(filters=[strip], validators=[Length(max=300)]))
    source_notes = FieldList(TextAreaField(filters=[strip], validators=[Length(max=2000)]))
    reason = StringField(
        _l("Why the public text changed (one line, shown in the page's list of changes)"),
        filters=[strip],
        validators=[Length(max=300)],
    )

    def to_input(self, locale: str, counts: list[str], numbers: list[str]) -> TranslationInput:
        """The form's values as the translation service takes them; counts and numbers key
        the milestone labels and source notes, in the form's order."""
        return TranslationInput(
            locale=locale,
            title=self.title.data or "",
            summary=self.summary.data or "",
            petition=self.petition.data or "",
            explainer=self.explainer.data or "",
            letter_subject=self.letter_subject.data or "",
            letter_body=self.letter_body.data or "",
            letter_prompt=self.letter_prompt.data or "",
            milestone_labels=dict(zip(counts, self.milestone_labels.data, strict=False)),
            source_notes=dict(zip(numbers, self.source_notes.data, strict=False)),
            reason=self.reason.data or "",
        )


class TargetDeliveryForm(FlaskForm):
    email = EmailField(
        _l("Delivery email (empty: letters are held)"),
        filters=[strip],
        validators=[Optional(), Length(max=254), Email(check_deliverability=False)],
    )
    wants_digest = BooleanField(_l("Send one daily digest instead of one email per letter"))


class CustomTargetForm(FlaskForm):
    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(), Length(max=200)])
    title = StringField(
        _l("Title (e.g. Secretary of Homeland Security)"),
        filters=[strip],
        validators=[Length(max=200)],
    )
    state = StringField(
        _l("State (two letters, optional)"), filters=[strip], validators=[Length(max=2)]
    )
    email = EmailField(
        _l("Delivery email (optional)"),
        filters=[strip],
        validators=[Optional(), Length(max=254), Email(check_deliverability=False)],
    )


class UpdateForm(FlaskForm):
    subject = StringField(
        _l("Subject"), filters=[strip], validators=[DataRequired(), Length(max=200)]
    )
    body = TextAreaField(_l("Message (Markdown)"), validators=[DataRequired(), Length(max=20_000)])


class ExportForm(FlaskForm):
    """Filters for a CSV export, posted with its CSRF token (each export is logged)."""

    status = SelectField(
        _l("Signature status"),
        choices=[SelectChoice("", _l("Any"))] + [SelectChoice(s) for s in SignatureStatus.ALL],
        default="",
    )
    state = StringField(_l("State"), filters=[strip], validators=[Optional(), Length(max=2)])
    since = DateField(_l("Created from"), validators=[Optional()])
    until = DateField(_l("Created until"), validators=[Optional()])


class NewOrganizerForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        filters=[strip],
        validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)],
    )
    password = PasswordField(_l("Password (at least 12 characters)"), validators=[DataRequired()])
    role = SelectField(_l("Role"), choices=[SelectChoice(r) for r in Role.ALL], default=Role.VIEWER)


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(r) for r in Role.ALL])
    active = BooleanField(_l("Active"))


class OrganizationForm(FlaskForm):
    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(), Length(max=200)])
    contact_address = TextAreaField(
        _l("Postal address"), filters=[strip], validators=[Length(max=1000)]
    )
    contact_email = EmailField(
        _l("Contact email"),
        filters=[strip],
        validators=[Optional(), Length(max=254), Email(check_deliverability=False)],
    )
    website = StringField(_l("Website"), filters=[strip], validators=[Length(max=500)])
    privacy_contact = EmailField(
        _l("Privacy contact (email for questions about personal data)"),
        filters=[strip],
        validators=[Optional(), Length(max=254), Email(check_deliverability=False)],
    )

    def validate_website(self, field) -> None:
        if field.data and not web_url(field.data):
            raise ValidationError(gettext("The website must start with https:// or http://."))


class ApiKeyForm(FlaskForm):
    name = StringField(
        _l("Name (who uses it, e.g. our CRM sync)"),
        filters=[strip],
        validators=[DataRequired(), Length(max=100)],
    )
    scopes = MultiCheckboxField(
        _l("What it may do besides reading the public API"),
        choices=[
            SelectChoice(
                Scope.SUPPORTERS_READ, _l("Read signatures and letters, with names and emails")
            ),
            SelectChoice(Scope.SIGNATURES_WRITE, _l("Record signatures from a partner site")),
        ],
        validators=[DataRequired(_l("Choose at least one."))],
    )


class WebhookForm(FlaskForm):
    url = StringField(_l("Endpoint URL (https://)"), filters=[strip], validators=[DataRequired()])
    events = MultiCheckboxField(
        _l("Events"),
        choices=[SelectChoice(event) for event in WebhookEvent.ALL],
        default=list(WebhookEvent.ALL),
        validators=[DataRequired(_l("Choose at least one."))],
    )
