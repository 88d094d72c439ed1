"""The CWC adapter against a fake CWC server: the XML, the schema, and how answers are sorted."""

from __future__ import annotations

import time
from datetime import date

import pytest
from lxml import etree

from app.cwc import (
    TOPICS,
    CwcClient,
    CwcMessage,
    CwcSchemaError,
    cwc_client,
    delivery_agent,
    delivery_id,
    validate,
)
from app.mail.errors import PermanentDeliveryError, TemporaryDeliveryError
from tests.fakes.cwc import API_KEY, FakeCwc, Reply, cwc_settings, refused

SETTINGS = cwc_settings("http://cwc.test/v2/message")


def message(**fields) -> CwcMessage:
    values = dict(
        delivery_id=delivery_id("http://chorus.test", 41),
        delivery_date=date(2026, 12, 1),
        agent=delivery_agent(SETTINGS),
        campaign_id="clean-water-act",
        member_office="HCA11",
        prefix="Ms.",
        first_name="Ana",
        last_name="Reyes",
        address="3200 24th Street",
        city="San Francisco",
        state="CA",
        zip_code="94110",
        email="ana@example.org",
        subject="Protect the Clean Water Act",
        topics=("Environmental Protection",),
        body="Dear Representative,\n\nPlease protect our water.\n\nAna",
        organization="Friends of the River",
    )
    return CwcMessage(**(values | fields))


def client(fake: FakeCwc, timeout: float = 2) -> CwcClient:
    return CwcClient(fake.url, API_KEY, timeout=timeout)


def test_a_valid_message_is_accepted_and_arrives_as_built(fake_cwc):
    sent = message()
    client(fake_cwc).post(sent.to_xml())

    [received] = fake_cwc.accepted()
    assert received.path == "/v2/message"
    assert received.delivery_id == sent.delivery_id
    assert received.member_office == "HCA11"
    assert received.text("CWCVersion") == "2.0"
    assert received.text("Delivery/DeliveryAgent") == "Chorus Test Agent"
    assert received.text("Constituent/Address1") == "3200 24th Street"
    assert received.text("Message/ConstituentMessage") == sent.body


def test_elements_come_in_the_order_cwc_documents():
    root = etree.fromstring(message().to_xml())
    assert [child.tag for child in root] == [
        "CWCVersion",
        "Delivery",
        "Recipient",
        "Constituent",
        "Message",
    ]
    assert [child.tag for child in root.find("Delivery")] == [
        "DeliveryId",
        "DeliveryDate",
        "DeliveryAgent",
        "DeliveryAgentAckEmailAddress",
        "DeliveryAgentContact",
        "Organization",
        "CampaignId",
    ]
    assert root.findtext("Delivery/DeliveryDate") == "20261201"


def test_the_validate_endpoint_takes_the_same_message(fake_cwc):
    validating = CwcClient(fake_cwc.url.replace("/message", "/validate"), API_KEY)
    validating.post(message().to_xml())
    assert [r.path for r in fake_cwc.accepted()] == ["/v2/validate"]


def test_cwc_error_elements_are_a_permanent_failure_with_their_text(fake_cwc):
    fake_cwc.reply(refused("Invalid MemberOffice", "Zip does not match district"))
    with pytest.raises(PermanentDeliveryError) as caught:
        client(fake_cwc).post(message().to_xml())
    assert not isinstance(caught.value, TemporaryDeliveryError)
    assert caught.value.reason == "CWC 400: Invalid MemberOffice; Zip does not match district"


def test_a_wrong_api_key_is_permanent(fake_cwc):
    with pytest.raises(PermanentDeliveryError, match="CWC 401: Invalid API key"):
        CwcClient(fake_cwc.url, "not-the-key").post(message().to_xml())


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_cwc_server_error_is_temporary(fake_cwc, status):
    fake_cwc.reply(Reply(status))
    with pytest.raises(TemporaryDeliveryError, match=f"CWC {status}"):
        client(fake_cwc).post(message().to_xml())


def test_rate_limiting_is_temporary_and_says_when_to_come_back(fake_cwc):
    fake_cwc.reply(Reply(429, ("Too many requests",), {"Retry-After": "30"}))
    with pytest.raises(TemporaryDeliveryError, match="Too many requests") as caught:
        client(fake_cwc).post(message().to_xml())
    assert caught.value.retry_after == 30


def test_a_server_that_hangs_is_a_temporary_timeout(fake_cwc):
    fake_cwc.reply(Reply(delay=1.5))
    started = time.monotonic()
    with pytest.raises(TemporaryDeliveryError, match="timed out after 0.3 s"):
        client(fake_cwc, timeout=0.3).post(message().to_xml())
    assert time.monotonic() - started < 1.2


def test_an_unreachable_server_is_temporary():
    fake = FakeCwc().start()
    url = fake.url
    fake.stop()
    with pytest.raises(TemporaryDeliveryError, match="CWC connection"):
        CwcClient(url, API_KEY, timeout=1).post(message().to_xml())


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"zip_code": "9411"}, "Constituent/Zip"),
        ({"address": " \r\n "}, "Constituent/Address1"),
        ({"email": "not an address"}, "Constituent/Email"),
        ({"topics": ("Feelings",)}, "Message/LibraryOfCongressTopics/LibraryOfCongressTopic"),
        ({"member_office": "HCA1"}, "Recipient/MemberOffice"),
        ({"body": "\x00\x07"}, "Message/ConstituentMessage"),
    ],
)
def test_a_schema_failure_is_permanent_and_names_the_field(fields, field):
    with pytest.raises(CwcSchemaError) as caught:
        validate(message(**fields).to_xml())
    assert isinstance(caught.value, PermanentDeliveryError)
    assert caught.value.field == field
    assert caught.value.reason.startswith(f"CWC schema: {field}: ")


def test_a_schema_failure_keeps_the_writers_data_out_of_the_reason():
    with pytest.raises(CwcSchemaError) as caught:
        validate(message(zip_code="1 Secret Lane").to_xml())
    assert "Secret" not in caught.value.reason


def test_the_fake_refuses_what_the_schema_refuses(fake_cwc):
    with pytest.raises(PermanentDeliveryError, match="CWC 400: CWC schema: Constituent/Zip"):
        client(fake_cwc).post(message(zip_code="ABCDE").to_xml())
    assert fake_cwc.accepted() == []


def test_hostile_text_is_escaped_and_arrives_intact_or_safely_cleaned(fake_cwc):
    hostile = message(
        first_name="<b>Ana</b> & Co",
        last_name="O'Reyes\r\nBcc: evil@example.org",
        city="Zoë\u2028Town",
        subject="]]><Injected/> \U0001f30a",
        body="Line one\r\nLine two\rLine three <script>&amp;\x00\x1b\ufffe done",
    )
    client(fake_cwc).post(hostile.to_xml())

    [received] = fake_cwc.accepted()
    assert received.text("Constituent/FirstName") == "<b>Ana</b> & Co"
    assert received.text("Constituent/LastName") == "O'Reyes Bcc: evil@example.org"
    assert received.text("Constituent/City") == "Zoë Town"
    assert received.text("Message/Subject") == "]]><Injected/> \U0001f30a"
    assert received.text("Message/ConstituentMessage") == (
        "Line one\nLine two\nLine three <script>&amp; done"
    )
    assert etree.fromstring(received.xml).find(".//Injected") is None


def test_retries_of_one_row_repeat_its_delivery_id(fake_cwc):
    fake_cwc.reply(Reply(503), Reply(delay=1.5))
    row_id = 7
    for timeout in (2, 0.3, 2):
        attempt = message(delivery_id=delivery_id("http://chorus.test", row_id))
        try:
            client(fake_cwc, timeout=timeout).post(attempt.to_xml())
        except TemporaryDeliveryError:
            continue
    received = fake_cwc.wait_for(3)
    assert sorted(r.status for r in received) == [200, 200, 503]
    assert {r.delivery_id for r in received} == {delivery_id("http://chorus.test", row_id)}


def test_delivery_ids_are_32_characters_and_differ_by_row_and_site():
    ids = {delivery_id(site, row) for site in ("https://a.org", "https://b.org") for row in (1, 2)}
    assert len(ids) == 4
    assert all(len(i) == 32 and i.isalnum() for i in ids)
    assert delivery_id("https://a.org", 1) == delivery_id("https://a.org", 1)
    assert delivery_id("https://a.org", 123).endswith("123")


def test_every_listed_topic_passes_the_schema():
    assert len(TOPICS) == 32
    validate(message(topics=TOPICS).to_xml())


def test_each_chamber_is_enabled_separately_and_may_have_its_own_endpoint():
    house_only = SETTINGS | {"CWC_SENATE": False}
    assert cwc_client(house_only, "HCA11").url == "http://cwc.test/v2/message"
    assert cwc_client(house_only, "SCA03") is None

    senate = SETTINGS | {
        "CWC_SENATE_API_URL": "https://soapbox.test/api/messages/",
        "CWC_SENATE_API_KEY": "senate-key",
    }
    chosen = cwc_client(senate, "SCA03")
    assert (chosen.url, chosen.api_key) == ("https://soapbox.test/api/messages/", "senate-key")
    assert cwc_client(senate, "HCA11").api_key == API_KEY


def test_without_settings_no_chamber_is_delivered_by_cwc(app):
    assert cwc_client(app.config, "HCA11") is None
    assert cwc_client(app.config, "SCA03") is None
    assert cwc_client(SETTINGS | {"CWC_API_KEY": ""}, "HCA11") is None
