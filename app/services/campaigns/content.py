"""Campaign content files: content/campaigns/<slug>.md, YAML front matter then Markdown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
import yaml

from app.extensions import db
from app.models import Campaign
from app.services.campaigns import revisions
from app.services.campaigns.editing import CampaignError, to_utc
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
# A seeded revision's reason when the content file gives none.
SEEDED = "Loaded from the campaign's content file."


class ContentError(ValueError):
    """A content file that cannot be loaded, with the file named."""


@dataclass
class SeedResult:
    created: list[str]
    updated: list[str]


def parse_content_file(path: Path) -> dict:
    """Split a content file into its front matter fields and Markdown explainer."""
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
    unknown = set(meta) - FIELDS - {"slug"}
    if unknown:
        raise ContentError(f"{path}: unknown fields {sorted(unknown)}")
    if "title" not in meta:
        raise ContentError(f"{path}: 'title' is required")
    meta.setdefault("slug", path.stem)
    meta["explainer"] = body.strip() + "\n"
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


def seed_campaigns(directory: Path, overwrite: bool = False) -> SeedResult:
    """Create a campaign per content file (matched by slug); safe to run again.

    Existing campaigns are left alone, since organizers may have edited them in the
    browser, unless overwrite is set. A change of public text is kept as a revision with
    the file's change_reason.
    """
    with unit_of_work():
        result = SeedResult(created=[], updated=[])
        for path in sorted(directory.glob("*.md")):
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
        return result
