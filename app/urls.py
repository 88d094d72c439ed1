"""Absolute links for emails, built from BASE_URL so workers need no request."""

from urllib.parse import urlsplit

from flask import current_app

from app.i18n import DEFAULT_LOCALE, current_locale


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of endpoint under BASE_URL, e.g. for a link in an email.

    In another language than the default the link carries its prefix (/es/...), so a
    Spanish email's links open the site in Spanish.
    """
    base = urlsplit(current_app.config["BASE_URL"])
    locale = current_locale()
    prefix = "" if locale == DEFAULT_LOCALE else f"/{locale}"
    adapter = current_app.url_map.bind(
        base.netloc, script_name=(base.path.rstrip("/") + prefix) or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
