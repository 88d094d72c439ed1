"""An organizer's text of a campaign in another language than its default (English)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.i18n import DEFAULT_LOCALE, LOCALES, N_
from app.models import Campaign, Organizer
from app.services import audit, text
from app.services.campaigns import revisions
from app.services.campaigns.editing import CampaignError, keep_text_change
from app.services.campaigns.languages import MILESTONE_LABELS, SOURCE_NOTES, TRANSLATABLE
from app.services.unit_of_work import unit_of_work

# Kept on one line, as the default language's are (a title ends up in email subjects).
ONE_LINE = ("title", "letter_subject")


@dataclass
class TranslationInput:
    """A campaign's text in one language, as plain values; empty means shown in English."""

    locale: str
    title: str = ""
    summary: str = ""
    petition: str = ""
    explainer: str = ""
    letter_subject: str = ""
    letter_body: str = ""
    letter_prompt: str = ""
    # By the milestone's count and the source's number (from 1), as strings.
    milestone_labels: dict[str, str] = field(default_factory=dict)
    source_notes: dict[str, str] = field(default_factory=dict)
    # Why the public text changed, in one line; shown in the page's public list of changes.
    reason: str = ""


def translatable_locales() -> list[str]:
    """The languages an organizer may give a campaign's text in, besides the default."""
    return [locale for locale in LOCALES if locale != DEFAULT_LOCALE]


def keys(campaign: Campaign) -> tuple[list[str], list[str]]:
    """How the campaign's milestones and sources are keyed in a translation, in order:
    by the milestone's count and the source's number (from 1)."""
    counts = [str(t["count"]) for t in campaign.thresholds or []]
    numbers = [str(n) for n in range(1, len(campaign.sources or []) + 1)]
    return counts, numbers


def translation_input(campaign: Campaign, locale: str) -> TranslationInput:
    """The campaign's current text in locale, to pre-fill its form."""
    _check_locale(locale)
    stored = (campaign.translations or {}).get(locale, {})
    return TranslationInput(
        locale=locale,
        **{name: stored.get(name, "") for name in TRANSLATABLE},
        milestone_labels=dict(stored.get(MILESTONE_LABELS) or {}),
        source_notes=dict(stored.get(SOURCE_NOTES) or {}),
    )


def translate_campaign(
    campaign: Campaign, values: TranslationInput, organizer: Organizer
) -> Campaign:
    """Save the campaign's text in one language, log which fields changed and keep the new
    public text as a revision, as an edit of the default language's text is kept (with a
    reason, once the campaign is public)."""
    with unit_of_work():
        _check_locale(values.locale)
        before = (campaign.translations or {}).get(values.locale, {})
        text_before = revisions.public_text(campaign)
        after = _cleaned(campaign, values)
        translations = {
            k: v for k, v in (campaign.translations or {}).items() if k != values.locale
        }
        if after:
            translations[values.locale] = after
        # A new dict, so the JSON column sees the change.
        campaign.translations = translations
        keep_text_change(campaign, text_before, values.reason, organizer)
        changed = sorted(
            name for name in set(before) | set(after) if before.get(name) != after.get(name)
        )
        if changed:
            audit.record(
                organizer, "campaign.translate", campaign, locale=values.locale, fields=changed
            )
        return campaign


def _check_locale(locale: str) -> None:
    if locale not in translatable_locales():
        raise CampaignError(N_("Chorus does not translate campaigns to %(locale)r."), locale=locale)


def _cleaned(campaign: Campaign, values: TranslationInput) -> dict[str, Any]:
    """The non-empty text, cleaned as the default language's is (app.services.text), with
    labels and notes only for the campaign's own milestones and sources."""
    kept: dict[str, Any] = {}
    for name in TRANSLATABLE:
        clean = text.one_line if name in ONE_LINE else text.paragraphs
        value = clean(getattr(values, name) or "")
        if value:
            kept[name] = value
    counts, numbers = keys(campaign)
    for name, given, allowed in (
        (MILESTONE_LABELS, values.milestone_labels, counts),
        (SOURCE_NOTES, values.source_notes, numbers),
    ):
        entries = {
            key: text.one_line(value)
            for key, value in given.items()
            if key in allowed and text.one_line(value)
        }
        if entries:
            kept[name] = entries
    return kept
