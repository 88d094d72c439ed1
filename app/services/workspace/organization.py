"""Who runs this site: the organization profile admins set, named on every page and email."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from app import clock
from app.extensions import db
from app.models import Campaign, Organization, Organizer
from app.services import audit, text
from app.services.unit_of_work import unit_of_work

# Pages read the profile at most this often per process (an admin's own edit shows at once).
CACHE_SECONDS = 60
_CACHE = "chorus_organization"


@dataclass
class OrganizationInput:
    name: str
    contact_address: str = ""
    contact_email: str = ""
    website: str = ""
    privacy_contact: str = ""


def profile() -> Organization:
    """The saved profile, or an unsaved one named after the site until an admin sets it."""
    saved = db.session.scalar(sa.select(Organization).order_by(Organization.id).limit(1))
    return saved or Organization(
        name=current_app.config["SITE_NAME"],
        contact_address="",
        contact_email="",
        website="",
        privacy_contact="",
    )


def shown_profile() -> OrganizationInput:
    """The profile as pages and emails show it: read at most once a minute per process,
    and named after the site while the database cannot be reached, so that error pages
    still render."""
    cache = current_app.extensions.setdefault(_CACHE, {})
    if cache.get("until", 0) > clock.monotonic():
        return cache["profile"]
    try:
        saved = profile()
    except SQLAlchemyError:
        return OrganizationInput(name=current_app.config["SITE_NAME"])
    shown = OrganizationInput(**{name: getattr(saved, name) for name in _FIELDS})
    cache.update(profile=shown, until=clock.monotonic() + CACHE_SECONDS)
    return shown


_FIELDS = tuple(OrganizationInput.__dataclass_fields__)


def update_profile(values: OrganizationInput, organizer: Organizer) -> Organization:
    """Save the profile and log which fields changed."""
    with unit_of_work():
        organization = profile()
        before = {name: getattr(organization, name) for name in _FIELDS}
        after = {
            "name": text.one_line(values.name),
            "contact_address": text.paragraphs(values.contact_address),
            "contact_email": values.contact_email.strip(),
            "website": values.website.strip(),
            "privacy_contact": values.privacy_contact.strip(),
        }
        for name, value in after.items():
            setattr(organization, name, value)
        db.session.add(organization)
        db.session.flush()
        changed = sorted(name for name in after if after[name] != before[name])
        audit.record(organizer, "organization.edit", organization, fields=changed)
    current_app.extensions.pop(_CACHE, None)
    return organization


def sponsor_of(campaign: Campaign) -> str:
    """Who runs a campaign: its sponsoring organization, else the site's."""
    return campaign.sponsor or shown_profile().name
