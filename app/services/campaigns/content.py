"""Campaign content files: content/campaigns/<slug>.md, YAML front matter then Markdown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
import yaml

from app.extensions import db
from app.i18n import DEFAULT_LOCALE, LOCALES
from app.models import Campaign
from app.services.campaigns import revisions
from app.services.campaigns.editing import CampaignError, to_utc
from app.services.campaigns.languages import MILESTONE_LABELS, SOURCE_NOTES, TRANSLATABLE
from app.services.unit_of_work import unit_of_work

FIELDS = {
    "title",
    "summary",
    "petition",
    "sponsor",
    "status",
    "goal",
    "thresholds",
    "sources",
    "last_updated",
    "opens_at",
    "closes_at",
    "timezone",
    "collects_signatures",
    "collects_letters",
    "collects_comments",
    "letter_subject",
    "letter_body",
    "letter_prompt",
    "target_kinds",
    # Why this version of the text differs from the last: the seeded revision's reason.
    "change_reason",
}
# A translation file, <slug>.<locale>.md, gives only the text a reader sees; its Markdown
# body is the explainer, and milestone_labels and source_notes map a threshold's count and a
# source's number to their text. Everything else (sources, counts, dates) comes from <slug>.md.
KEYED_FIELDS = (MILESTONE_LABELS, SOURCE_NOTES)
TRANSLATION_FIELDS = set(TRANSLATABLE) - {"explainer"} | {"change_reason", *KEYED_FIELDS}
# A seeded revision's reason when the content file gives none.
SEEDED = "Loaded from the campaign's content file."


class ContentError(ValueError):
    """A content file that cannot be loaded, with the file named."""


@dataclass
class SeedResult:
    created: list[str]
    updated: list[str]


def _split(path: Path, allowed: set[str]) -> dict:
    """The front matter fields (only those allowed) with the Markdown body as the explainer."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise ContentError(f"{path}: must start with '---' front matter")
    front, sep, body = text[4:].partition("\n---\n")
    if not sep:
        raise ContentError(f"{path}: front matter is not closed with '---'")
    try:
        meta = yaml.safe_load(front) or {}
    except yaml.YAMLError as error:
        raise ContentError(f"{path}: {error}") from error
    unknown = set(meta) - allowed
    if unknown:
        raise ContentError(f"{path}: unknown fields {sorted(unknown)}")
    meta["explainer"] = body.strip() + "\n"
    return meta


def parse_content_file(path: Path) -> dict:
    """Split a content file into its front matter fields and Markdown explainer."""
    meta = _split(path, FIELDS | {"slug"})
    if "title" not in meta:
        raise ContentError(f"{path}: 'title' is required")
    meta.setdefault("slug", path.stem)
    zone = meta.get("timezone") or Campaign.timezone.default.arg
    for key in ("opens_at", "closes_at"):
        value = meta.get(key)
        if isinstance(value, date) and not isinstance(value, datetime):
            value = datetime.combine(value, datetime.min.time())
        if isinstance(value, datetime):
            # A wall-clock time in the campaign's time zone, as organizers enter it in the
            # browser; stored as naive UTC like every other time.
            try:
                meta[key] = (
                    value.astimezone(UTC).replace(tzinfo=None)
                    if value.tzinfo
                    else to_utc(value, zone)
                )
            except CampaignError as error:
                raise ContentError(f"{path}: {key}: {error}") from error
    return meta


def parse_translation_file(path: Path) -> dict:
    """The translated text in a <slug>.<locale>.md file, with the Markdown body as explainer."""
    fields = _split(path, TRANSLATION_FIELDS)
    for name in KEYED_FIELDS:
        if name in fields:
            if not isinstance(fields[name], dict):
                raise ContentError(f"{path}: {name} maps numbers to text")
            # Keyed as the campaign's JSON keeps them (strings).
            fields[name] = {str(key): str(value) for key, value in fields[name].items()}
    return fields


def translation_files(directory: Path, slug: str) -> dict[str, Path]:
    """The campaign's translation files by locale: <slug>.<locale>.md beside <slug>.md."""
    found = {}
    for path in sorted(directory.glob(f"{slug}.*.md")):
        locale = path.stem.removeprefix(f"{slug}.")
        if locale not in LOCALES or locale == DEFAULT_LOCALE:
            raise ContentError(f"{path}: {locale!r} is not a language Chorus translates to")
        found[locale] = path
    return found


def seed_campaigns(directory: Path, overwrite: bool = False) -> SeedResult:
    """Create a campaign per content file (matched by slug); safe to run again.

    Existing campaigns are left alone, since organizers may have edited them in the
    browser, unless overwrite is set. A change of public text is kept as a revision with
    the file's change_reason; so is a change of a translation, with its own file's reason.
    """
    with unit_of_work():
        result = SeedResult(created=[], updated=[])
        main_files = [path for path in sorted(directory.glob("*.md")) if "." not in path.stem]
        orphans = {p.stem.partition(".")[0] for p in directory.glob("*.*.md")} - {
            p.stem for p in main_files
        }
        if orphans:
            raise ContentError(f"{directory}: translations of no campaign: {sorted(orphans)}")
        for path in main_files:
            fields = parse_content_file(path)
            reason = fields.pop("change_reason", None) or SEEDED
            campaign = db.session.scalar(sa.select(Campaign).where(Campaign.slug == fields["slug"]))
            if campaign is None:
                campaign = Campaign(slug=fields["slug"])
                db.session.add(campaign)
                result.created.append(campaign.slug)
            elif overwrite:
                result.updated.append(campaign.slug)
            else:
                continue
            before = revisions.public_text(campaign) if campaign.id else None
            for key, value in fields.items():
                setattr(campaign, key, value)
            db.session.flush()
            revisions.record_revision(campaign, reason, before=before)
            for locale, translation in translation_files(directory, path.stem).items():
                _translate(campaign, locale, parse_translation_file(translation))
        return result


def _translate(campaign: Campaign, locale: str, fields: dict) -> None:
    """Replace the campaign's text in locale with the file's, kept as a revision if it changed."""
    reason = fields.pop("change_reason", None) or SEEDED
    # A new dict, so the JSON column sees the change.
    campaign.translations = {**(campaign.translations or {}), locale: fields}
    db.session.flush()
    revisions.record_revision(campaign, reason)
