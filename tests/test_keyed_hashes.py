"""Nothing a link carries or a withdrawal leaves is an unkeyed hash of what a person wrote."""

import hashlib

import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer

from app.extensions import db
from app.models import Letter, Signature, SignatureStatus
from app.services.delivery.sending import drain
from app.services.letters.writing import body_hash
from app.services.signing import signatures
from app.services.tokens import CONFIRM, WITHDRAW, email_fingerprint, read_token
from tests.factories import make_campaign, make_signature
from tests.helpers import link_token, sign_via_form


def _unkeyed(value: str, chars: int) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:chars]


def test_a_link_carries_a_keyed_fingerprint_of_the_address(app, client, outbox):
    sign_via_form(client, make_campaign().slug)
    drain()
    link = read_token(CONFIRM, link_token(outbox[0], "confirm"))
    assert link.fingerprint != _unkeyed("ann@example.org", 16)
    assert email_fingerprint("ann@example.org") == link.fingerprint
    app.config["SECRET_KEY"] = "another key"
    assert email_fingerprint("ann@example.org") != link.fingerprint, "it depends on the key"


def test_a_link_sent_before_the_fingerprint_was_keyed_still_works(app, client):
    signature = make_signature(make_campaign(), confirmed=False, email="ann@example.org")
    old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=f"chorus.{WITHDRAW}")
    token = old.dumps([signature.id, _unkeyed("ann@example.org", 16)])
    assert signatures.signature_from_token(WITHDRAW, token).id == signature.id
    assert client.post(f"/withdraw/{token}").status_code == 200
    assert db.session.scalar(sa.select(Signature.status)) == SignatureStatus.WITHDRAWN


def test_a_withdrawn_letter_leaves_no_unkeyed_hash_of_its_text(client, outbox):
    campaign = make_campaign(collects_letters=True)
    signature = make_signature(campaign, confirmed=False)
    body = "My own words about this, which nobody else wrote. " * 2
    db.session.add(
        Letter(
            signature_id=signature.id,
            campaign_id=campaign.id,
            subject="Mine",
            body=body,
            body_hash=body_hash(body),
        )
    )
    db.session.commit()
    token = signatures.tokens.make_token(WITHDRAW, signature.id, signature.email)
    client.post(f"/withdraw/{token}")
    letter = db.session.scalar(sa.select(Letter))
    assert letter.body == ""
    normalised = " ".join(body.casefold().split())
    assert letter.body_hash != hashlib.sha256(normalised.encode()).hexdigest()
