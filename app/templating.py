"""Template filters and globals shared by every page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask
from flask_babel import format_date, format_number

from app.i18n import DEFAULT_LOCALE, NAMES, current_locale
from app.models import DeliveryKind, TargetKind
from app.rendering import citation_places, render_markdown
from app.services import text
from app.services.workspace import organization
from app.urls import external_url


def web_url(value: str | None) -> str:
    """The URL when it is an http(s) address, else "": links from data or organizers never
    carry javascript:, data: or other schemes into an href or src."""
    value = (value or "").strip()
    return value if urlsplit(value).scheme.lower() in ("http", "https") else ""


def thousands(value: int | None) -> str:
    """A count grouped as the reader's language writes it: 1,234 in English, 1.234 in Spanish."""
    return format_number(value or 0)


def long_date(value) -> str:
    """A date written out in the reader's language: "December 5, 2026", "5 de diciembre de 2026"."""
    return format_date(value, "long")


def register_template_helpers(app: Flask) -> None:
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(citation_places, "citation_places")
    app.add_template_filter(thousands, "thousands")
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(text.full_stop, "full_stop")
    app.add_template_filter(web_url, "web_url")
    app.add_template_global(TargetKind.LABELS, "target_kind_labels")
    app.add_template_global(DeliveryKind.LABELS, "delivery_kind_labels")
    app.add_template_global(organization.shown_profile, "organization")
    # Emails are rendered by workers, outside any request: their links need BASE_URL.
    app.add_template_global(external_url, "external_url")

    @app.context_processor
    def site():
        return {
            "site_name": app.config["SITE_NAME"],
            "base_url": app.config["BASE_URL"],
            "locale": current_locale(),
            "locale_names": NAMES,
            "default_locale": DEFAULT_LOCALE,
        }
