"""One CWC 2.0 constituent message, its XML, and the schema it must pass before it is sent."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lxml import etree

from app.mail.errors import PermanentDeliveryError

SCHEMA_PATH = Path(__file__).with_name("cwc-2.0.xsd")
_SCHEMA_DOCUMENT = etree.parse(str(SCHEMA_PATH))
_SCHEMA = etree.XMLSchema(_SCHEMA_DOCUMENT)
# The Library of Congress policy areas a message may name, as the schema lists them.
TOPICS: tuple[str, ...] = tuple(
    _SCHEMA_DOCUMENT.xpath(
        "//xs:simpleType[@name='Topic']//xs:enumeration/@value",
        namespaces={"xs": "http://www.w3.org/2001/XMLSchema"},
    )
)

# The salutations CWC clients offer (EFF congress_forms, lib/cwc/fixtures.rb).
PREFIXES = (
    "Mr.", "Mrs.", "Ms.", "Mr. and Mrs.", "Miss", "Dr.", "Dr. and Mrs.", "Dr. and Mr.",
    "Admiral", "Captain", "Chief Master Sergeant", "Colonel", "Commander", "Corporal",
    "Father", "Lieutenant", "Lieutenant Colonel", "Master Sergeant", "Reverend", "Sergeant",
    "Second Lieutenant", "Sergeant Major", "Sister", "Technical Sergeant",
)  # fmt: skip

# Characters XML 1.0 cannot carry at all (C0 controls but tab and line breaks, lone
# surrogates, U+FFFE/U+FFFF): a writer's stray control character must not stop the letter.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Every kind of line break and run of blanks, folded to one space in one-line fields.
_BLANKS = re.compile(r"[\s\u2028\u2029\x85]+")
# libxml2 quotes the offending value, which may be the writer's street address; the reason
# is kept on the delivery row, which must not hold it once they withdraw. Say what is wrong.
_PROBLEMS = (
    ("[facet 'pattern']", "not in the expected form"),
    ("is not a valid value", "not in the expected form"),
    ("[facet 'enumeration']", "not one of the allowed values"),
    ("[facet 'maxLength']", "too long"),
)


class CwcSchemaError(PermanentDeliveryError):
    """The message does not pass the CWC schema; resending the same data cannot help."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"CWC schema: {field}: {problem}")
        self.field = field


@dataclass(frozen=True)
class DeliveryAgent:
    """Who sends on the constituent's behalf: the vendor the API key was issued to."""

    name: str
    ack_email: str
    contact_name: str
    contact_email: str
    contact_phone: str


@dataclass(frozen=True)
class CwcMessage:
    """One constituent's message to one member office, in CWC's terms."""

    delivery_id: str
    delivery_date: date
    agent: DeliveryAgent
    campaign_id: str
    member_office: str
    prefix: str
    first_name: str
    last_name: str
    address: str
    city: str
    state: str
    zip_code: str
    email: str
    subject: str
    topics: tuple[str, ...]
    body: str
    organization: str = ""
    address2: str = ""
    response_requested: bool = False

    def to_xml(self) -> bytes:
        """The message as CWC 2.0 XML (UTF-8), element order as the schema requires."""
        root = etree.Element("CWC")
        _add(root, "CWCVersion", "2.0")
        delivery = etree.SubElement(root, "Delivery")
        _add(delivery, "DeliveryId", self.delivery_id)
        _add(delivery, "DeliveryDate", self.delivery_date.strftime("%Y%m%d"))
        _add(delivery, "DeliveryAgent", _line(self.agent.name))
        _add(delivery, "DeliveryAgentAckEmailAddress", _line(self.agent.ack_email))
        contact = etree.SubElement(delivery, "DeliveryAgentContact")
        _add(contact, "DeliveryAgentContactName", _line(self.agent.contact_name))
        _add(contact, "DeliveryAgentContactEmail", _line(self.agent.contact_email))
        _add(contact, "DeliveryAgentContactPhone", _line(self.agent.contact_phone))
        if self.organization:
            _add(delivery, "Organization", _line(self.organization))
        _add(delivery, "CampaignId", _line(self.campaign_id))

        recipient = etree.SubElement(root, "Recipient")
        _add(recipient, "MemberOffice", self.member_office)
        _add(recipient, "IsResponseRequested", "Y" if self.response_requested else "N")

        constituent = etree.SubElement(root, "Constituent")
        _add(constituent, "Prefix", _line(self.prefix))
        _add(constituent, "FirstName", _line(self.first_name))
        _add(constituent, "LastName", _line(self.last_name))
        _add(constituent, "Address1", _line(self.address))
        if _line(self.address2):
            _add(constituent, "Address2", _line(self.address2))
        _add(constituent, "City", _line(self.city))
        _add(constituent, "StateAbbreviation", _line(self.state).upper())
        _add(constituent, "Zip", _line(self.zip_code))
        _add(constituent, "Email", _line(self.email))

        message = etree.SubElement(root, "Message")
        _add(message, "Subject", _line(self.subject))
        topics = etree.SubElement(message, "LibraryOfCongressTopics")
        for topic in self.topics:
            _add(topics, "LibraryOfCongressTopic", topic)
        _add(message, "ConstituentMessage", _text(self.body))
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def validate(xml: bytes) -> None:
    """Check a message against the CWC schema; raise CwcSchemaError naming the first bad field."""
    try:
        document = etree.fromstring(xml)
    except etree.XMLSyntaxError as error:
        raise CwcSchemaError("document", f"not well-formed XML ({error.msg})") from error
    if _SCHEMA.validate(document):
        return
    error = _SCHEMA.error_log[0]
    field_path = (error.path or "/CWC").removeprefix("/CWC").strip("/") or "CWC"
    problem = next((p for marker, p in _PROBLEMS if marker in error.message), None)
    # The remaining messages (a missing or unexpected element) name elements, not values.
    raise CwcSchemaError(field_path, problem or error.message.split(": ", 1)[-1])


def delivery_id(site: str, row_id: int) -> str:
    """The stable 32-character DeliveryId of an outbox row: retries repeat it, sites differ.

    Eight hex digits of the site's address keep two installations on one vendor key apart;
    the row id, zero-padded, lets an operator find the row from CWC's acknowledgement.
    """
    site_part = hashlib.sha256(site.encode()).hexdigest()[:8]
    return f"{site_part}{row_id:024d}"


def _add(parent: etree._Element, tag: str, text: str) -> None:
    etree.SubElement(parent, tag).text = text


def _text(value: str) -> str:
    """Free text XML can carry: illegal characters dropped, line breaks as plain \\n."""
    return _NOT_XML.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _line(value: str) -> str:
    """One-line text: every line break and run of blanks becomes a single space."""
    return _BLANKS.sub(" ", _text(value)).strip()
