"""Updates to supporters: only confirmed signers who agreed, through the outbox, once each."""

from __future__ import annotations

import sqlalchemy as sa

from app.clock import utcnow
from app.extensions import db
from app.i18n import N_
from app.models import (
    Campaign,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Organizer,
    Signature,
    SupporterUpdate,
)
from app.services import audit, text, tokens
from app.services.delivery import outbox
from app.services.errors import ChorusError
from app.services.signing.signatures import signature_from_token
from app.services.signing.supporters import recipients
from app.services.unit_of_work import unit_of_work

# Enqueued and committed in chunks so a campaign with many supporters never holds one huge
# transaction; the dedupe key makes a send that stopped half-way safe to run again.
CHUNK = 5000


class UpdateError(ChorusError):
    message = N_("The update could not be sent.")


def recipient_count(campaign: Campaign) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(recipients(campaign).subquery())
    )


def write_update(
    campaign: Campaign, subject: str, body: str, organizer: Organizer
) -> SupporterUpdate:
    """Save an update as a draft, ready to send."""
    with unit_of_work():
        if not text.one_line(subject) or not text.paragraphs(body):
            raise UpdateError(N_("An update needs a subject and a message."))
        update = SupporterUpdate(
            campaign_id=campaign.id,
            # Cleaned as citizens' text is: a control character in a subject could never be
            # sent (it is refused as a header), and invisible ones only confuse readers.
            subject=text.one_line(subject),
            body=text.paragraphs(body),
            created_by_id=organizer.id,
        )
        db.session.add(update)
        db.session.flush()
        audit.record(organizer, "update.create", update, campaign_id=campaign.id)
        return update


def send_update(update: SupporterUpdate, organizer: Organizer) -> int:
    """Queue the update for every current recipient; return how many were newly queued.

    Each chunk of recipients is one INSERT ... SELECT that skips anyone queued already: a
    large audience is queued in seconds, and a second click or another organizer sending at
    the same moment queues nobody twice.
    """
    campaign = db.session.get(Campaign, update.campaign_id)
    queued, after = 0, 0
    while True:
        chunk = (
            recipients(campaign)
            .where(Signature.id > after)
            .order_by(Signature.id)
            .limit(CHUNK)
            .subquery()
        )
        last = db.session.scalar(sa.select(sa.func.max(chunk.c.id)))
        if last is None:
            break
        with unit_of_work():  # one transaction per chunk: no lock held for the whole audience
            queued += outbox.enqueue_select(
                ["kind", "dedupe_key", "recipient", "signature_id", "campaign_id", "update_id"],
                sa.select(
                    sa.literal(DeliveryKind.UPDATE),
                    sa.literal(f"update:{update.id}:") + sa.cast(chunk.c.id, sa.String),
                    chunk.c.email,
                    chunk.c.id,
                    sa.literal(update.campaign_id),
                    sa.literal(update.id),
                ),
            )
        after = last
    with unit_of_work():
        update.queued_at = update.queued_at or utcnow()
        audit.record(organizer, "update.send", update, queued=queued)
    return queued


def updates_for(campaign: Campaign) -> list[SupporterUpdate]:
    return list(
        db.session.scalars(
            sa.select(SupporterUpdate)
            .where(SupporterUpdate.campaign_id == campaign.id)
            .order_by(SupporterUpdate.created_at.desc())
        )
    )


def unsubscribe(token: str) -> Campaign:
    """Stop updates to the signer behind a link; unsubscribing twice is harmless."""
    with unit_of_work():
        signature = signature_from_token(tokens.UNSUBSCRIBE, token)
        signature.consent_updates = False
        db.session.execute(
            sa.update(Delivery)
            .where(
                Delivery.signature_id == signature.id,
                Delivery.kind == DeliveryKind.UPDATE,
                Delivery.status == DeliveryStatus.QUEUED,
            )
            .values(status=DeliveryStatus.CANCELLED)
        )
        return signature.campaign
