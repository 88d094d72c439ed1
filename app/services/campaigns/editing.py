"""Creating and editing campaigns, and moving them through draft -> open -> closed."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

from app.clock import utcnow
from app.extensions import db
from app.i18n import N_
from app.models import Campaign, CampaignStatus, Organizer, Response, Target, TargetKind
from app.services import audit, text
from app.services.campaigns import page, revisions
from app.services.errors import ChorusError
from app.services.letters import receipts
from app.services.unit_of_work import unit_of_work

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Which status changes an organizer may make. A public campaign never goes back to draft:
# people have signed it and its page has been shared.
TRANSITIONS = {
    CampaignStatus.DRAFT: (CampaignStatus.OPEN,),
    CampaignStatus.OPEN: (CampaignStatus.CLOSED,),
    CampaignStatus.CLOSED: (CampaignStatus.OPEN,),
}


class CampaignError(ChorusError):
    message = N_("The campaign could not be saved.")


@dataclass
class CampaignInput:
    """Everything an organizer can edit on a campaign, as plain values."""

    title: str
    slug: str
    summary: str = ""
    petition: str = ""
    sponsor: str = ""
    explainer: str = ""
    sources: list[dict[str, str]] = field(default_factory=list)
    goal: int = 1000
    thresholds: list[dict[str, Any]] = field(default_factory=list)
    timezone: str = "America/New_York"
    # Local wall-clock times in `timezone`; stored as naive UTC.
    opens_at_local: datetime | None = None
    closes_at_local: datetime | None = None
    collects_signatures: bool = True
    collects_letters: bool = False
    collects_comments: bool = False
    letter_subject: str = ""
    letter_body: str = ""
    letter_prompt: str = ""
    target_kinds: list[str] = field(default_factory=list)
    fixed_target_ids: list[int] = field(default_factory=list)
    # Why the public text changed, in one line; shown in the page's public list of changes.
    reason: str = ""
    retention_days: int | None = None


def to_utc(local: datetime | None, timezone: str) -> datetime | None:
    """A wall-clock time in `timezone` as the naive UTC datetime the database stores."""
    if local is None:
        return None
    aware = local.replace(tzinfo=_zone(timezone))
    try:
        return aware.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    except OverflowError:  # 9999-12-31 in a zone behind UTC is in the year 10000
        raise CampaignError(N_("That date is out of range.")) from None


def to_local(utc: datetime | None, timezone: str) -> datetime | None:
    """A stored naive UTC datetime as a naive wall-clock time in `timezone`."""
    if utc is None:
        return None
    return utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(_zone(timezone)).replace(tzinfo=None)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise CampaignError(N_("Unknown time zone %(name)r."), name=name) from error


def input_from(campaign: Campaign) -> CampaignInput:
    """The editable values of an existing campaign, to pre-fill its form."""
    return CampaignInput(
        title=campaign.title,
        slug=campaign.slug,
        summary=campaign.summary,
        petition=campaign.petition,
        sponsor=campaign.sponsor,
        explainer=campaign.explainer,
        sources=list(campaign.sources or []),
        goal=campaign.goal,
        thresholds=list(campaign.thresholds or []),
        timezone=campaign.timezone,
        opens_at_local=to_local(campaign.opens_at, campaign.timezone),
        closes_at_local=to_local(campaign.closes_at, campaign.timezone),
        collects_signatures=campaign.collects_signatures,
        collects_letters=campaign.collects_letters,
        collects_comments=campaign.collects_comments,
        letter_subject=campaign.letter_subject,
        letter_body=campaign.letter_body,
        letter_prompt=campaign.letter_prompt,
        target_kinds=list(campaign.target_kinds or []),
        fixed_target_ids=[t.id for t in campaign.fixed_targets],
        retention_days=campaign.retention_days,
    )


def create_campaign(values: CampaignInput, organizer: Organizer) -> Campaign:
    """Create a draft campaign from the organizer's values."""
    with unit_of_work():
        campaign = Campaign(status=CampaignStatus.DRAFT)
        _apply(campaign, values)
        db.session.add(campaign)
        db.session.flush()
        revisions.record_revision(campaign, values.reason or "First draft.", organizer)
        audit.record(organizer, "campaign.create", campaign, slug=campaign.slug)
        return campaign


def update_campaign(campaign: Campaign, values: CampaignInput, organizer: Organizer) -> Campaign:
    """Save an organizer's edits, log which fields changed and keep any new public text.

    Once a campaign is public, a change of its public text needs a reason: readers see it in
    the page's list of changes.
    """
    with unit_of_work():
        before = asdict(input_from(campaign))
        text_before = revisions.public_text(campaign)
        _apply(campaign, values)
        keep_text_change(campaign, text_before, values.reason, organizer)
        after = asdict(values)
        changed = sorted(
            name
            for name in after
            if name != "reason" and _comparable(after[name]) != _comparable(before[name])
        )
        if changed:
            audit.record(organizer, "campaign.edit", campaign, fields=changed)
        page.refresh(campaign.id)  # public comments shown or not
        return campaign


def keep_text_change(
    campaign: Campaign, text_before: dict[str, Any], reason: str, organizer: Organizer
) -> None:
    """Keep the campaign's public text as a revision if an edit changed it from
    text_before. Once a campaign is public, such a change needs a reason: readers see it
    in the page's list of changes."""
    if revisions.public_text(campaign) == text_before:
        return
    if campaign.is_public and not reason.strip():
        raise CampaignError(N_("Say in one line why the public text changed."))
    revisions.record_revision(
        campaign, reason or "Edited as a draft.", organizer, before=text_before
    )
    campaign.last_updated = utcnow().date()


def _comparable(value: Any) -> Any:
    return (
        sorted(value)
        if isinstance(value, list) and all(isinstance(v, int) for v in value)
        else value
    )


def _apply(campaign: Campaign, values: CampaignInput) -> None:
    # Cleaned as citizens' text is (app.services.text): a control character in a title
    # would be refused in every email's subject, and invisible ones only mislead readers.
    title = text.one_line(values.title)
    if not title:
        raise CampaignError(N_("A campaign needs a title."))
    slug = values.slug.strip().lower()
    if not SLUG.match(slug):
        raise CampaignError(N_("The slug may use lower-case letters, digits and single hyphens."))
    taken = db.session.scalar(
        sa.select(Campaign.id).where(Campaign.slug == slug, Campaign.id != campaign.id)
    )
    if taken is not None:
        raise CampaignError(N_("Another campaign uses the slug %(slug)r."), slug=slug)
    if campaign.status not in (None, CampaignStatus.DRAFT) and slug != campaign.slug:
        # Its address is in shared links and in every email already sent.
        raise CampaignError(N_("A published campaign keeps its address (slug)."))
    unknown = set(values.target_kinds) - set(TargetKind.ROUTED)
    if unknown:
        raise CampaignError(
            N_("Unknown target kinds: %(kinds)s."), kinds=", ".join(sorted(unknown))
        )
    opens_at = to_utc(values.opens_at_local, values.timezone)
    closes_at = to_utc(values.closes_at_local, values.timezone)
    if opens_at and closes_at and closes_at <= opens_at:
        raise CampaignError(N_("The campaign must close after it opens."))
    if values.goal < 1:
        raise CampaignError(N_("The goal must be at least 1."))
    fixed = list(
        db.session.scalars(sa.select(Target).where(Target.id.in_(values.fixed_target_ids)))
    )
    if len(fixed) != len(set(values.fixed_target_ids)):
        raise CampaignError(N_("One of the fixed targets does not exist any more."))
    campaign.slug = slug
    campaign.title = title
    campaign.summary = text.paragraphs(values.summary)
    campaign.explainer = text.paragraphs(values.explainer)
    campaign.petition = text.paragraphs(values.petition)
    campaign.sponsor = text.one_line(values.sponsor)
    campaign.sources = [
        {key: text.one_line(value) for key, value in source.items()} for source in values.sources
    ]
    campaign.goal = values.goal
    campaign.thresholds = sorted(
        ({**t, "label": text.one_line(t["label"])} for t in values.thresholds),
        key=lambda t: t["count"],
    )
    campaign.timezone = values.timezone
    campaign.opens_at = opens_at
    campaign.closes_at = closes_at
    campaign.collects_signatures = values.collects_signatures
    campaign.collects_letters = values.collects_letters
    campaign.collects_comments = values.collects_comments
    campaign.letter_subject = text.one_line(values.letter_subject)
    campaign.letter_body = text.paragraphs(values.letter_body)
    campaign.letter_prompt = text.paragraphs(values.letter_prompt)
    campaign.target_kinds = [k for k in TargetKind.ROUTED if k in values.target_kinds]
    campaign.fixed_targets = fixed
    campaign.retention_days = values.retention_days


def change_status(campaign: Campaign, status: str, organizer: Organizer) -> Campaign:
    """Move a campaign to `status` if that step is allowed (draft -> open -> closed)."""
    with unit_of_work():
        if status not in TRANSITIONS.get(campaign.status, ()):
            raise CampaignError(
                N_("A %(status)s campaign cannot become %(next)s."),
                status=campaign.status,
                next=status,
            )
        if status == CampaignStatus.OPEN and campaign.closes_at and campaign.closes_at <= utcnow():
            raise CampaignError(
                N_("Its closing time has passed: move it later first, then open it.")
            )
        audit.record(organizer, "campaign.status", campaign, status=[campaign.status, status])
        campaign.status = status
        campaign.closed_at = utcnow() if status == CampaignStatus.CLOSED else None
        return campaign


def hide_response(campaign: Campaign, response_id: int, organizer: Organizer) -> None:
    """Take a representative's response off the campaign page (one posted through a link
    that leaked, say); it stays stored and the audit log says who hid it."""
    with unit_of_work():
        response = db.session.get(Response, response_id)
        if response is None or response.campaign_id != campaign.id:
            raise CampaignError(N_("That response is not on this campaign."))
        response.published = False
        page.refresh(campaign.id)
        audit.record(organizer, "response.hide", campaign, response_id=response.id)


def show_response(campaign: Campaign, response_id: int, organizer: Organizer) -> None:
    """Show a representative's response on the campaign page: one awaiting approval
    (RESPONSES_NEED_APPROVAL), or one hidden before."""
    with unit_of_work():
        response = db.session.get(Response, response_id)
        if response is None or response.campaign_id != campaign.id:
            raise CampaignError(N_("That response is not on this campaign."))
        response.published = True
        page.refresh(campaign.id)
        receipts.announce_response(response)
        audit.record(organizer, "response.show", campaign, response_id=response.id)


def all_campaigns() -> list[Campaign]:
    """Every campaign, drafts included, newest first."""
    return list(db.session.scalars(sa.select(Campaign).order_by(Campaign.created_at.desc())))
