"""Composing email: what to say, to whom, and whether it is still wanted at send time.

One small function per kind of email turns an outbox row into the Message to send (None
when there is nothing to send any more). Confirmations can also go out in bulk: rendered
once with placeholders, each recipient bringing their own values, which the provider fills
in (SendGrid substitutions); HTML gets HTML-escaped values, so a name never becomes markup.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale, gettext
from markupsafe import escape

from app.extensions import db
from app.i18n import DEFAULT_LOCALE, NAMES
from app.mail.backends import BatchRecipient
from app.mail.message import Attachment, Message, format_address, split_address
from app.models import (
    Campaign,
    Delivery,
    DeliveryKind,
    Letter,
    Milestone,
    Moderation,
    Organizer,
    Response,
    Signature,
    SignatureStatus,
    SupporterUpdate,
    Target,
)
from app.services import tokens
from app.services.campaigns import milestones
from app.services.campaigns.languages import in_language
from app.services.delivery import digests, webhooks
from app.services.letters import receipts, writing
from app.services.targets import access, petition
from app.services.targets.packets import petition_pdf
from app.services.workspace import accounts
from app.services.workspace.organization import sponsor_of
from app.urls import external_url


def compose(delivery: Delivery) -> Message | None:
    """The message for a delivery, or None when there is nothing to send any more.

    An email to a signer is written in the language they signed in (its links open the
    site in it too); one to an office or an organizer in the default language.
    """
    with force_locale(reader_locale(delivery)):
        return _COMPOSERS[delivery.kind](delivery)


def reader_locale(delivery: Delivery) -> str:
    """The language of the person a delivery goes to."""
    if delivery.kind in _TO_SIGNERS and delivery.signature_id:
        signature = db.session.get(Signature, delivery.signature_id)
        if signature is not None:
            return signature.locale
    return DEFAULT_LOCALE


def confirm_url(signature: Signature) -> str:
    """The link that confirms a signature, and the letter it carries (if any)."""
    letter_id = signature.letter.id if signature.letter else None
    token = tokens.make_token(tokens.CONFIRM, signature.id, signature.email, letter_id=letter_id)
    return external_url("public.confirm", token=token)


def withdraw_url(signature: Signature) -> str:
    """The link that withdraws a signature and erases its signer's data."""
    token = tokens.make_token(tokens.WITHDRAW, signature.id, signature.email)
    return external_url("public.withdraw", token=token)


def unsubscribe_url(signature: Signature) -> str:
    """The link that stops a supporter's updates (also their one-click List-Unsubscribe)."""
    token = tokens.make_token(tokens.UNSUBSCRIBE, signature.id, signature.email)
    return external_url("public.unsubscribe", token=token)


def campaign_url(campaign: Campaign) -> str:
    """The campaign's public page."""
    return external_url("public.campaign", slug=campaign.slug)


def confirmation_message(delivery: Delivery) -> Message | None:
    """A signer's confirmation link: for their signature, or for the letter they added."""
    signature = _signer(delivery)
    if signature is None or not _awaits_click(signature):
        return None
    return _to_signer(delivery, signature, "confirm_signature", confirm_url(signature))


def letter_not_taken_message(delivery: Delivery) -> Message | None:
    """Why a repeat signer's new letter was not added to their signature."""
    signature = _signer(delivery)
    live = (SignatureStatus.PENDING, SignatureStatus.CONFIRMED)
    if signature is None or signature.status not in live:
        return None
    pending = signature.status == SignatureStatus.PENDING
    return _to_signer(
        delivery, signature, "letter_not_taken", confirm_url(signature) if pending else ""
    )


def moderation_message(delivery: Delivery) -> Message | None:
    """What a moderator decided about a writer's public comment or letter."""
    signature = _signer(delivery)
    letter = signature.letter if signature is not None else None
    if letter is None:
        return None
    return _message(
        delivery,
        "moderation",
        to=format_address(signature.email, signature.name),
        context={
            "signature": signature,
            "campaign": in_language(signature.campaign),
            "letter_rejected": letter.moderation == Moderation.REJECTED,
            "letter_pending": letter.moderation == Moderation.PENDING,
            "campaign_url": campaign_url(signature.campaign),
        },
    )


def password_reset_message(delivery: Delivery) -> Message | None:
    """A reset link for an organizer; its hour starts when it is sent."""
    organizer = db.session.scalar(sa.select(Organizer).where(Organizer.email == delivery.recipient))
    if organizer is None or not organizer.active:
        return None
    link = external_url("organizer.reset_password", token=accounts.reset_token(organizer))
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    return _message(
        delivery, "password_reset", to=organizer.email, context={"link": link, "minutes": minutes}
    )


def _signer(delivery: Delivery) -> Signature | None:
    """The signature an email to its signer is about, while it still has an address."""
    signature = db.session.get(Signature, delivery.signature_id) if delivery.signature_id else None
    return signature if signature is not None and signature.email else None


def _awaits_click(signature: Signature) -> bool:
    if signature.status == SignatureStatus.PENDING:
        return True
    # A signer who wrote a letter after confirming confirms once more before it is sent.
    return (
        signature.status == SignatureStatus.CONFIRMED
        and signature.letter is not None
        and writing.awaits_confirmation(signature.letter)
    )


def _to_signer(delivery: Delivery, signature: Signature, template: str, confirm: str) -> Message:
    context = {"letter": signature.letter, "confirm_url": confirm}
    return _to_writer(delivery, signature, template, context)


def letter_message(delivery: Delivery) -> Message | None:
    """A constituent's letter to one representative, unless its writer withdrew meanwhile."""
    letter = db.session.get(Letter, delivery.letter_id) if delivery.letter_id else None
    target = db.session.get(Target, delivery.target_id) if delivery.target_id else None
    if letter is None or target is None or not delivery.recipient:
        return None
    signature = letter.signature
    if signature.status != SignatureStatus.CONFIRMED or not signature.email:
        return None
    site_name = current_app.config["SITE_NAME"]
    _, platform_address = split_address(current_app.config["MAIL_FROM"])
    return _message(
        delivery,
        "letter",
        to=format_address(delivery.recipient, target.name),
        context={
            "letter": letter,
            "target": target,
            "signature": signature,
            "campaign": signature.campaign,
            "district": access.constituency(target, letter),
            # The letter is in its writer's language; staff also see the campaign's own.
            "written_in": NAMES.get(signature.locale, signature.locale)
            if signature.locale != DEFAULT_LOCALE
            else "",
        },
        # Staff see who wrote; the address stays the platform's (we cannot send as them).
        from_addr=format_address(platform_address, f"{signature.name} via {site_name}"),
        reply_to=format_address(signature.email, signature.name) if letter.reply_to_ok else "",
    )


def receipt_message(delivery: Delivery) -> Message | None:
    """What happened to a writer's letter, office by office, once every delivery settled."""
    signature = _confirmed_writer(delivery)
    if signature is None or signature.letter is None:
        return None
    letter = signature.letter
    context = {"letter": letter, "outcomes": writing.letter_outcomes(letter)}
    return _to_writer(delivery, signature, "receipt", context)


def response_message(delivery: Delivery) -> Message | None:
    """A representative's response, to a writer who asked to hear back."""
    signature = _confirmed_writer(delivery)
    response = db.session.get(Response, receipts.response_id(delivery.dedupe_key))
    if signature is None or response is None or not response.published:
        return None
    context = {"response": response, "campaign_url": campaign_url(signature.campaign)}
    return _to_writer(delivery, signature, "response", context)


def _confirmed_writer(delivery: Delivery) -> Signature | None:
    """The confirmed signer an email about their letter is for, while they have an address."""
    signature = _signer(delivery)
    return (
        signature
        if signature is not None and signature.status == SignatureStatus.CONFIRMED
        else None
    )


def _to_writer(delivery: Delivery, signature: Signature, template: str, context: dict) -> Message:
    """An email to a signer or letter writer, with the link that withdraws their signature."""
    return _message(
        delivery,
        template,
        to=format_address(signature.email, signature.name),
        context={
            "signature": signature,
            "campaign": in_language(signature.campaign),
            "withdraw_url": withdraw_url(signature),
            **context,
        },
    )


def update_message(delivery: Delivery) -> Message | None:
    """An organizer's update to one supporter, unless they have withdrawn or unsubscribed."""
    signature = _supporter(delivery)
    update = db.session.get(SupporterUpdate, delivery.update_id) if delivery.update_id else None
    if update is None or signature is None:
        return None
    return _to_supporter(delivery, signature, "supporter_update", {"update": update})


def milestone_message(delivery: Delivery) -> Message | None:
    """A milestone reached, to one supporter who agreed to updates (and still does)."""
    signature = _supporter(delivery)
    milestone = db.session.get(Milestone, milestones.milestone_id(delivery.dedupe_key))
    if milestone is None or signature is None:
        return None
    return _to_supporter(delivery, signature, "milestone", {"milestone": milestone})


def _supporter(delivery: Delivery) -> Signature | None:
    """The confirmed signer an update is for, while they still agree to updates."""
    signature = db.session.get(Signature, delivery.signature_id) if delivery.signature_id else None
    if (
        signature is None
        or signature.status != SignatureStatus.CONFIRMED
        or not signature.consent_updates
        or not signature.email
    ):
        return None
    return signature


def _to_supporter(delivery: Delivery, signature: Signature, template: str, context: dict):
    """An email to a supporter, with the one-click unsubscribe every update carries."""
    unsubscribe = unsubscribe_url(signature)
    return _message(
        delivery,
        template,
        to=format_address(signature.email, signature.name),
        context={
            "campaign": in_language(signature.campaign),
            "signature": signature,
            "campaign_url": campaign_url(signature.campaign),
            "unsubscribe_url": unsubscribe,
            **context,
        },
        # RFC 8058: mail clients offer a one-click unsubscribe that POSTs to this URL.
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def milestone_notice_message(delivery: Delivery) -> Message | None:
    """A milestone reached, told to one organizer."""
    milestone = db.session.get(Milestone, milestones.milestone_id(delivery.dedupe_key))
    if milestone is None or not delivery.recipient:
        return None
    campaign = db.session.get(Campaign, milestone.campaign_id)
    return _message(
        delivery,
        "milestone_notice",
        to=delivery.recipient,
        context={
            "milestone": milestone,
            "campaign": campaign,
            "workspace_url": external_url("organizer.campaign", campaign_id=campaign.id),
        },
    )


def webhook_disabled_message(delivery: Delivery) -> Message | None:
    """A webhook endpoint turned off after failing persistently, told to one admin."""
    endpoint = webhooks.disabled_endpoint(delivery)
    if endpoint is None or endpoint.active or not delivery.recipient:
        return None
    return _message(
        delivery,
        "webhook_disabled",
        to=delivery.recipient,
        context={"endpoint": endpoint, "workspace_url": external_url("organizer.webhooks")},
    )


def packet_message(delivery: Delivery) -> Message | None:
    """The petition to one target: its text, the total, their constituents (PDF and CSV)."""
    target = db.session.get(Target, delivery.target_id) if delivery.target_id else None
    campaign = db.session.get(Campaign, delivery.campaign_id) if delivery.campaign_id else None
    if target is None or campaign is None or not delivery.recipient:
        return None
    total = petition.signature_total(campaign)
    constituents = (
        petition.constituent_count(campaign, target)
        if petition.represents_constituents(target)
        else None
    )
    sponsor = sponsor_of(campaign)
    pdf = petition_pdf(
        target, campaign, sponsor, total, constituents, petition.signers(campaign, target)
    )
    attachments = [Attachment(f"petition-{campaign.slug}.pdf", pdf, "application/pdf")]
    if constituents:
        attachments.append(
            Attachment(
                f"constituents-{campaign.slug}.csv",
                petition.signers_csv(campaign, target).encode(),
            )
        )
    return _message(
        delivery,
        "petition_packet",
        to=format_address(delivery.recipient, target.name),
        context={
            "target": target,
            "campaign": campaign,
            "sponsor": sponsor,
            "total": total,
            "constituents": constituents,
            "campaign_url": campaign_url(campaign),
        },
        attachments=attachments,
    )


def digest_message(delivery: Delivery) -> Message | None:
    """A target's daily digest: the new constituent signatures, the count of letters, the
    first letters in full, all of them as CSV."""
    target = db.session.get(Target, delivery.target_id) if delivery.target_id else None
    if target is None or not delivery.recipient:
        return None
    carried = digests.digest_letters(delivery)
    signed = digests.digest_signatures(delivery)
    if not carried and not signed:
        return None
    day = digests.digest_day(delivery)
    csv_file = Attachment(f"letters-{day.isoformat()}.csv", digests.letters_csv(carried))
    return _message(
        delivery,
        "digest",
        to=format_address(delivery.recipient, target.name),
        context={
            "target": target,
            "day": day,
            "count": len(carried),
            "shown": carried[: current_app.config["DIGEST_LETTERS_SHOWN"]],
            "by_campaign": Counter(letter.campaign for letter in carried).most_common(),
            "signed": signed,
            "signed_total": sum(n for _, n in signed),
            "campaigns_url": external_url("public.index"),
        },
        attachments=[csv_file] if carried else [],
    )


def _message(delivery: Delivery, template: str, to: str, context: dict, **fields) -> Message:
    """Render templates/email/<template>/ into a Message from the platform for this delivery."""
    subject, text, html = render_email(
        template, site_name=current_app.config["SITE_NAME"], **context
    )
    fields.setdefault("from_addr", current_app.config["MAIL_FROM"])
    return Message(
        to=to,
        subject=subject,
        text=text,
        html=html,
        category=delivery.kind,
        delivery_id=delivery.id,
        **fields,
    )


def render_email(name: str, **context) -> tuple[str, str, str]:
    """Render templates/email/<name>/ into (subject, text body, HTML body)."""
    subject = render_template(f"email/{name}/subject.txt", **context)
    text = render_template(f"email/{name}/body.txt", **context)
    html = render_template(f"email/{name}/body.html", **context)
    return " ".join(subject.split()), text, html


# Kinds of email whose reader is the signer (the rest go to offices and organizers).
_TO_SIGNERS = {
    DeliveryKind.CONFIRMATION,
    DeliveryKind.LETTER_NOT_TAKEN,
    DeliveryKind.MILESTONE,
    DeliveryKind.MODERATION,
    DeliveryKind.RECEIPT,
    DeliveryKind.RESPONSE,
    DeliveryKind.UPDATE,
}

_COMPOSERS: dict[str, Callable[[Delivery], Message | None]] = {
    DeliveryKind.CONFIRMATION: confirmation_message,
    DeliveryKind.DIGEST: digest_message,
    DeliveryKind.LETTER: letter_message,
    DeliveryKind.LETTER_NOT_TAKEN: letter_not_taken_message,
    DeliveryKind.MILESTONE: milestone_message,
    DeliveryKind.MODERATION: moderation_message,
    DeliveryKind.MILESTONE_NOTICE: milestone_notice_message,
    DeliveryKind.PACKET: packet_message,
    DeliveryKind.RECEIPT: receipt_message,
    DeliveryKind.RESPONSE: response_message,
    DeliveryKind.PASSWORD_RESET: password_reset_message,
    DeliveryKind.UPDATE: update_message,
    DeliveryKind.WEBHOOK_DISABLED: webhook_disabled_message,
}


def confirmation_recipient(delivery: Delivery) -> tuple[tuple[int, str], BatchRecipient] | None:
    """((campaign id, language), recipient) when this confirmation can share a batch (one
    per campaign and language), else None.

    Confirmations that quote a letter are sent one by one (the letter is the signer's own
    text); so is anything that should not be sent any more, which compose decides.
    """
    signature = _signer(delivery)
    if (
        signature is None
        or signature.status != SignatureStatus.PENDING
        or signature.letter is not None
    ):
        return None
    with force_locale(signature.locale):
        values = {
            "first_name": signature.first_name or gettext("there"),
            "confirm_url": confirm_url(signature),
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
    return (signature.campaign_id, signature.locale), recipient


def confirmation_template(batch: tuple[int, str]) -> Message:
    """The confirmation email of a campaign, in one language, with placeholders where each
    signer differs; batch is (campaign id, language) as confirmation_recipient gives it."""
    campaign_id, locale = batch
    campaign = db.session.get(Campaign, campaign_id)
    with force_locale(locale):
        text_parts = _render_placeholders(campaign, "text")
        html_parts = _render_placeholders(campaign, "html")
    return Message(
        to=current_app.config["MAIL_FROM"],
        subject=text_parts[0],
        text=text_parts[1],
        html=html_parts[2],
        from_addr=current_app.config["MAIL_FROM"],
        category=DeliveryKind.CONFIRMATION,
    )


def _placeholder(name: str, part: str) -> str:
    return f"%%{name}_{part}%%"


@dataclass(frozen=True)
class _PlaceholderSignature:
    first_name: str


def _render_placeholders(campaign: Campaign | None, part: str) -> tuple[str, str, str]:
    return render_email(
        "confirm_signature",
        signature=_PlaceholderSignature(_placeholder("first_name", part)),
        campaign=in_language(campaign) if campaign is not None else None,
        letter=None,
        confirm_url=_placeholder("confirm_url", part),
        withdraw_url=_placeholder("withdraw_url", part),
        site_name=current_app.config["SITE_NAME"],
    )
