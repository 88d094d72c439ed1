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
        # Fields the campaign has in its default language but not in this one: the page
        # says they are shown in English.
        self.untranslated = locale != DEFAULT_LOCALE and any(
            getattr(campaign, name) and name not in self._text for name in TRANSLATABLE
        )

    def __getattr__(self, name: str) -> Any:
        if name in TRANSLATABLE and name in self._text:
            return self._text[name]
        return getattr(self.campaign, name)


def in_language(campaign: Campaign, locale: str | None = None) -> CampaignInLanguage:
    """The campaign as read in locale (by default the one being rendered now)."""
    return CampaignInLanguage(campaign, locale or current_locale())
