"""One small function per kind of email: from an outbox row to the Message to send."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app

from app.extensions import db
from app.mail import render_email
from app.mail.message import Message, format_address
from app.models import Delivery, DeliveryKind, Signature, SignatureStatus
from app.services import tokens
from app.urls import external_url


def build_message(delivery: Delivery) -> Message | None:
    """The message for a delivery, or None when there is nothing to send any more."""
    return BUILDERS[delivery.kind](delivery)


def confirmation_message(delivery: Delivery) -> Message | None:
    signature = db.session.get(Signature, delivery.signature_id) if delivery.signature_id else None
    if signature is None or signature.status != SignatureStatus.PENDING or not signature.email:
        return None
    campaign = signature.campaign
    subject, text, html = render_email(
        "confirm_signature",
        signature=signature,
        campaign=campaign,
        letter=signature.letter,
        confirm_url=external_url(
            "public.confirm", token=tokens.make_token(tokens.CONFIRM, signature.id, signature.email)
        ),
        withdraw_url=withdraw_url(signature),
        site_name=current_app.config["SITE_NAME"],
    )
    return Message(
        to=format_address(signature.email, signature.name),
        subject=subject,
        text=text,
        html=html,
        from_addr=current_app.config["MAIL_FROM"],
        category=DeliveryKind.CONFIRMATION,
        delivery_id=delivery.id,
    )


def withdraw_url(signature: Signature) -> str:
    token = tokens.make_token(tokens.WITHDRAW, signature.id, signature.email)
    return external_url("public.withdraw", token=token)


BUILDERS: dict[str, Callable[[Delivery], Message | None]] = {
    DeliveryKind.CONFIRMATION: confirmation_message,
}
