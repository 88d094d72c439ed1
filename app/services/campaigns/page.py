"""What the public campaign page shows, and the one small read that names its version.

The campaign's own text and counts are its row. Everything else the page shows (recent
public signers, published responses, public comments, milestones reached) is kept as one
snapshot, CampaignPage, which whoever changes one of them refreshes in the same
transaction: the counting job (confirmations, withdrawals and fraud counted, milestones
reached), a withdrawal and a retention erasure (a signer's name leaves the page at once),
moderation, a response posted, hidden or shown, an organizer's edit and seeding. A request
reads only the page's version (version_of: the campaign row's version and counts, the
snapshot's version); the campaign and its snapshot are loaded to render a new version, and
the template reads nothing else from the database (the footer's organization profile is a
site setting each process caches). See app/public/page.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app import database
from app.clock import utcnow
from app.database import insert
from app.extensions import db
from app.models import (
    Campaign,
    CampaignPage,
    CampaignStatus,
    Letter,
    Milestone,
    Moderation,
    Response,
    Signature,
    SignatureStatus,
)
from app.models.campaign import open_now
from app.services.campaigns.languages import in_language
from app.services.unit_of_work import unit_of_work
from app.services.workspace.organization import sponsor_of

RECENT_SIGNERS = 8
PUBLIC_COMMENTS = 20


@dataclass(frozen=True, slots=True)
class ShownSigner:
    """A recent public signer: first name and state only."""

    first_name: str
    state: str


@dataclass(frozen=True, slots=True)
class ShownResponse:
    target_title: str
    target_name: str
    author_name: str
    created_at: datetime
    body: str


@dataclass(frozen=True, slots=True)
class ShownComment:
    first_name: str
    state: str
    body: str


@dataclass(frozen=True, slots=True)
class MilestoneStatus:
    """One threshold as the campaign page shows it."""

    count: int
    label: str
    reached_at: datetime | None
    is_next: bool


@dataclass(frozen=True, slots=True)
class PageVersion:
    """What names one rendering of a campaign's page: its row's version and the counts
    (which change by bulk UPDATE), its snapshot's version, and whether it is open now."""

    campaign_id: int
    public: bool
    is_open: bool
    row_version: int
    signature_count: int
    letter_count: int
    snapshot_version: int | None  # None until the snapshot is first written


# Built once: a page view should not pay for composing the same statement again.
_VERSION = (
    sa.select(
        Campaign.id,
        Campaign.status,
        Campaign.opens_at,
        Campaign.closes_at,
        Campaign.row_version,
        Campaign.signature_count,
        Campaign.letter_count,
        CampaignPage.version,
    )
    .outerjoin(CampaignPage, CampaignPage.campaign_id == Campaign.id)
    .where(Campaign.slug == sa.bindparam("slug"))
)


def version_of(slug: str) -> PageVersion | None:
    """The version of a campaign's page, in one query of a few columns (the campaign itself
    is loaded only to render a new version); None when no campaign has this slug."""
    row = database.read_row(_VERSION, {"slug": slug})
    if row is None:
        return None
    campaign_id, status, opens_at, closes_at, row_version, signatures, letters, version = row
    return PageVersion(
        campaign_id,
        status != CampaignStatus.DRAFT,
        open_now(status, opens_at, closes_at),
        row_version,
        signatures,
        letters,
        version,
    )


def version_of_campaign(campaign: Campaign) -> PageVersion:
    """The same for a campaign already loaded (the organizer's preview)."""
    return PageVersion(
        campaign.id,
        campaign.is_public,
        campaign.is_open(),
        campaign.row_version,
        campaign.signature_count,
        campaign.letter_count,
        snapshot_of(campaign).version,
    )


def snapshot_of(campaign: Campaign) -> CampaignPage:
    """The campaign's page snapshot, read by primary key (the organizer's preview, a sign
    form shown again); one never written yet is written now, so later renders find it."""
    return db.session.get(CampaignPage, campaign.id) or _fill(campaign)


def campaign_page(campaign: Campaign, page: CampaignPage) -> dict[str, Any]:
    """The campaign page's template context (besides the form and its notices)."""
    shown = page.shown
    return {
        "campaign": in_language(campaign),
        "recent_signers": [ShownSigner(*s) for s in shown["signers"]],
        "responses": [
            ShownResponse(r[0], r[1], r[2], datetime.fromisoformat(r[3]), r[4])
            for r in shown["responses"]
        ],
        "comments": [ShownComment(*c) for c in shown["comments"]],
        "milestones": milestone_statuses(
            campaign.thresholds,
            {threshold: datetime.fromisoformat(at) for threshold, at in shown["reached"]},
        ),
        "sponsor": sponsor_of(campaign),
    }


def refresh(campaign_id: int) -> None:
    """Rewrite the campaign's page snapshot from the rows, in the caller's transaction.

    The campaign's row is locked first, so two refreshes run one after the other and the
    later one reads every change committed before it: a refresh that read a signer just
    withdrawn can never be written after the withdrawal's own refresh.
    """
    campaign = db.session.scalar(
        sa.select(Campaign).where(Campaign.id == campaign_id).with_for_update()
    )
    if campaign is None:
        return
    shown = _snapshot(campaign)
    db.session.execute(
        insert(CampaignPage)
        .values(campaign_id=campaign_id, shown=shown, refreshed_at=utcnow())
        .on_conflict_do_update(
            index_elements=["campaign_id"],
            set_={
                "shown": shown,
                "version": CampaignPage.version + 1,
                "refreshed_at": utcnow(),
            },
        )
    )


def _fill(campaign: Campaign) -> CampaignPage:
    """Write the snapshot of a campaign that has none yet and return it. A refresh that
    committed meanwhile wins (it read the rows later than this render did)."""
    with unit_of_work():
        db.session.execute(
            insert(CampaignPage)
            .values(campaign_id=campaign.id, shown=_snapshot(campaign), refreshed_at=utcnow())
            .on_conflict_do_nothing(index_elements=["campaign_id"])
        )
    return db.session.get(CampaignPage, campaign.id)


def _snapshot(campaign: Campaign) -> dict[str, Any]:
    """What the page shows of the campaign's rows, as JSON-ready lists."""
    return {
        "signers": [[s.first_name, s.state] for s in recent_public_signers(campaign)],
        "responses": [
            [r.target.title, r.target.name, r.author_name, r.created_at.isoformat(), r.body]
            for r in published_responses(campaign)
        ],
        "comments": [
            [c.signature.first_name, c.signature.state, c.body] for c in public_comments(campaign)
        ],
        "reached": [[threshold, at.isoformat()] for threshold, at in reached_thresholds(campaign)],
    }


def recent_public_signers(campaign: Campaign) -> list[Signature]:
    """The latest confirmed signers who agreed to be shown (first name and state only)."""
    return list(
        db.session.scalars(
            sa.select(Signature)
            .where(
                Signature.campaign_id == campaign.id,
                Signature.status == SignatureStatus.CONFIRMED,
                # Written as the predicate of ix_signatures_recent_public, so PostgreSQL
                # reads the newest rows from that index ("IS TRUE" would not match it).
                Signature.show_publicly,
            )
            .order_by(Signature.confirmed_at.desc())
            .limit(RECENT_SIGNERS)
        )
    )


def published_responses(campaign: Campaign) -> list[Response]:
    """The campaign's published responses, newest first, with their representatives."""
    return list(
        db.session.scalars(
            sa.select(Response)
            .options(so.joinedload(Response.target))
            .where(Response.campaign_id == campaign.id, Response.published)
            .order_by(Response.created_at.desc(), Response.id.desc())
        )
    )


def public_comments(campaign: Campaign) -> list[Letter]:
    """Letters their confirmed writers let us show, once a moderator approved them."""
    if not campaign.collects_comments:
        return []
    return list(
        db.session.scalars(
            sa.select(Letter)
            .join(Signature, Letter.signature_id == Signature.id)
            .where(
                Letter.campaign_id == campaign.id,
                Letter.public_comment.is_(True),
                Letter.moderation == Moderation.APPROVED,
                Signature.status == SignatureStatus.CONFIRMED,
            )
            .options(so.contains_eager(Letter.signature))
            .order_by(Letter.created_at.desc(), Letter.id.desc())
            .limit(PUBLIC_COMMENTS)
        )
    )


def reached_thresholds(campaign: Campaign) -> list[tuple[int, datetime]]:
    """(threshold, when the count reached it) for each milestone the campaign reached."""
    return [
        (threshold, at)
        for threshold, at in db.session.execute(
            sa.select(Milestone.threshold, Milestone.reached_at).where(
                Milestone.campaign_id == campaign.id
            )
        )
    ]


def milestone_statuses(
    thresholds: list[dict[str, Any]] | None, reached: dict[int, datetime]
) -> list[MilestoneStatus]:
    """The thresholds in order, each with when it was reached, the first one not yet
    reached marked as next."""
    statuses, next_found = [], False
    for threshold in sorted(thresholds or [], key=lambda t: t["count"]):
        reached_at = reached.get(threshold["count"])
        is_next = reached_at is None and not next_found
        next_found = next_found or is_next
        statuses.append(
            MilestoneStatus(threshold["count"], threshold.get("label", ""), reached_at, is_next)
        )
    return statuses
