"""Composing a letter for CWC: the message one member office receives from one writer.

The CWC channel's composer (channels.py pairs it with the CWC adapter). Built from the
letter, its writer's signature and the campaign; None when there is nothing to send any
more (the writer withdrew, so their address is gone).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from app.cwc import CwcMessage, delivery_agent, delivery_id
from app.extensions import db
from app.models import Delivery, Letter, SignatureStatus
from app.services.workspace.organization import sponsor_of

# Campaigns carry no Library of Congress policy area yet; this one is CWC's broadest.
TOPIC = "Government Operations and Politics"


@dataclass(frozen=True)
class CwcPayload:
    """What the CWC adapter posts: the XML for one office, and its stable DeliveryId."""

    office: str
    delivery_id: str
    xml: bytes


def cwc_letter(delivery: Delivery) -> CwcPayload | None:
    """The CWC message for a letter's delivery to one office, unless its writer withdrew."""
    letter = db.session.get(Letter, delivery.letter_id) if delivery.letter_id else None
    if letter is None or not delivery.recipient:
        return None
    signature = letter.signature
    if signature.status != SignatureStatus.CONFIRMED or not signature.email:
        return None
    config = current_app.config
    first_name, _, last_name = signature.name.partition(" ")
    message = CwcMessage(
        # Stable per row, so CWC can tell a retry from a new message.
        delivery_id=delivery_id(config["BASE_URL"], delivery.id),
        delivery_date=delivery.created_at.date(),
        agent=delivery_agent(config),
        campaign_id=signature.campaign.slug,
        organization=sponsor_of(signature.campaign),
        member_office=delivery.recipient,
        prefix=letter.prefix,
        first_name=first_name,
        last_name=last_name,
        address=letter.street_address,
        city=letter.city,
        state=signature.state,
        zip_code=signature.zip,
        email=signature.email,
        subject=letter.subject,
        topics=(TOPIC,),
        body=letter.body,
        response_requested=letter.reply_to_ok,
    )
    return CwcPayload(delivery.recipient, message.delivery_id, message.to_xml())
