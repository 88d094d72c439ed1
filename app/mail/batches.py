"""Confirmation emails in bulk: one provider request for many signers of one campaign.

The email is rendered once with placeholders; each recipient brings their own values, which
the provider fills in (SendGrid substitutions). HTML gets HTML-escaped values, so a name can
never become markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from markupsafe import escape

from app.extensions import db
from app.mail import render_email
from app.mail.backends import BatchRecipient
from app.mail.builders import withdraw_url
from app.mail.message import Message, format_address
from app.models import Campaign, Delivery, DeliveryKind, Signature, SignatureStatus
from app.services import tokens
from app.urls import external_url


def _placeholder(name: str, part: str) -> str:
    return f"%%{name}_{part}%%"


@dataclass(frozen=True)
class _PlaceholderSignature:
    first_name: str


def confirmation_recipient(delivery: Delivery) -> tuple[int, BatchRecipient] | None:
    """(campaign id, recipient) when this confirmation can share a batch, else None.

    Confirmations that quote a letter are sent one by one (the letter is the signer's own
    text); so is anything that should not be sent any more, which build_message decides.
    """
    signature = db.session.get(Signature, delivery.signature_id) if delivery.signature_id else None
    if (
        signature is None
        or signature.status != SignatureStatus.PENDING
        or not signature.email
        or signature.letter is not None
    ):
        return None
    values = {
        "first_name": signature.first_name or "there",
        "confirm_url": external_url(
            "public.confirm", token=tokens.make_token(tokens.CONFIRM, signature.id, signature.email)
        ),
        "withdraw_url": withdraw_url(signature),
    }
    substitutions = {}
    for name, value in values.items():
        substitutions[_placeholder(name, "text")] = value
        substitutions[_placeholder(name, "html")] = str(escape(value))
    recipient = BatchRecipient(
        to=format_address(signature.email, signature.name),
        delivery_id=delivery.id,
        substitutions=substitutions,
    )
    return signature.campaign_id, recipient


def confirmation_template(campaign_id: int) -> Message:
    """The confirmation email of a campaign with placeholders where each signer differs."""
    campaign = db.session.get(Campaign, campaign_id)
    text_parts = _render(campaign, "text")
    html_parts = _render(campaign, "html")
    return Message(
        to=current_app.config["MAIL_FROM"],
        subject=text_parts[0],
        text=text_parts[1],
        html=html_parts[2],
        from_addr=current_app.config["MAIL_FROM"],
        category=DeliveryKind.CONFIRMATION,
    )


def _render(campaign: Campaign | None, part: str) -> tuple[str, str, str]:
    return render_email(
        "confirm_signature",
        signature=_PlaceholderSignature(_placeholder("first_name", part)),
        campaign=campaign,
        letter=None,
        confirm_url=_placeholder("confirm_url", part),
        withdraw_url=_placeholder("withdraw_url", part),
        site_name=current_app.config["SITE_NAME"],
    )
