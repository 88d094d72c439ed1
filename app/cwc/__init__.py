"""Communicating with Congress (CWC 2.0): the message, its schema, and the client that posts it.

An adapter like app/mail: it knows the protocol and nothing of campaigns. What to send, to
which office, is the delivery service's decision. docs/cwc.md says where the format comes from.
"""

from app.cwc.client import CwcClient, cwc_client, delivery_agent
from app.cwc.message import (
    PREFIXES,
    TOPICS,
    CwcMessage,
    CwcSchemaError,
    DeliveryAgent,
    delivery_id,
    validate,
)
from app.cwc.offices import OFFICE_CODE, house_office, senate_office

__all__ = [
    "OFFICE_CODE",
    "PREFIXES",
    "TOPICS",
    "CwcClient",
    "CwcMessage",
    "CwcSchemaError",
    "DeliveryAgent",
    "cwc_client",
    "delivery_agent",
    "delivery_id",
    "house_office",
    "senate_office",
    "validate",
]
