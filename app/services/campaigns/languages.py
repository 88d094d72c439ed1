"""A campaign's public text in the reader's language, falling back to its default (English)."""

from __future__ import annotations

from typing import Any

from app.i18n import DEFAULT_LOCALE, current_locale
from app.models import Campaign

# The fields an organizer (or a content file) may give in each language.
TRANSLATABLE = (
    "title",
    "summary",
    "petition",
    "explainer",
    "letter_subject",
    "letter_body",
    "letter_prompt",
)
# A translation may also name the milestones and annotate the sources, each keyed as JSON
# keys are, by string: {"milestone_labels": {"10000": ...}, "source_notes": {"1": ...}},
# a threshold by its count and a source by its number (from 1, as the page cites it).
MILESTONE_LABELS = "milestone_labels"
SOURCE_NOTES = "source_notes"


class CampaignInLanguage:
    """A campaign as read in one language: its translatable text from the translation where
    there is one, everything else (slug, counts, is_open...) from the campaign itself.

    For templates and emails only; services and queries take the Campaign.
    """

    def __init__(self, campaign: Campaign, locale: str):
        self.campaign = campaign
        self.locale = locale
        text = (campaign.translations or {}).get(locale, {}) if locale != DEFAULT_LOCALE else {}
        self._text = {name: text[name] for name in TRANSLATABLE if text.get(name)}
        self._labels = {k: v for k, v in (text.get(MILESTONE_LABELS) or {}).items() if v}
        self._notes = {k: v for k, v in (text.get(SOURCE_NOTES) or {}).items() if v}
        # Text the campaign has in its default language but not in this one: the page says
        # it is shown in English.
        self.untranslated = locale != DEFAULT_LOCALE and (
            any(getattr(campaign, name) and name not in self._text for name in TRANSLATABLE)
            or any(
                t.get("label") and str(t["count"]) not in self._labels
                for t in campaign.thresholds or []
            )
            or any(
                s.get("note") and str(number) not in self._notes
                for number, s in enumerate(campaign.sources or [], start=1)
            )
        )

    def __getattr__(self, name: str) -> Any:
        if name in TRANSLATABLE and name in self._text:
            return self._text[name]
        return getattr(self.campaign, name)

    @property
    def sources(self) -> list[dict[str, Any]]:
        """The sources, each with its note in this language where the translation gives it."""
        return [
            {**s, "note": self._notes.get(str(number), s.get("note", ""))}
            for number, s in enumerate(self.campaign.sources or [], start=1)
        ]

    def milestone_label(self, count: int, default: str) -> str:
        """The label of the milestone at count in this language, else default."""
        return self._labels.get(str(count), default)


def in_language(campaign: Campaign, locale: str | None = None) -> CampaignInLanguage:
    """The campaign as read in locale (by default the one being rendered now)."""
    return CampaignInLanguage(campaign, locale or current_locale())
