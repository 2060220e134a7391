import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from importlib import resources

import pytest

from signage_server.emergency.sources.cap import CapCircle, CapReference, CapRejected, parse_cap
from signage_server.emergency.sources.cap.model import CapInfo, preferred_info
from tests.support.cap_xml import (
    DESCRIPTION_VI,
    EN_INFO,
    HEADLINE_VI,
    INSTRUCTION_VI,
    SENDER,
    alert_xml,
    area_xml,
    info_xml,
    nfd,
)

ICT = timezone(timedelta(hours=7))


def test_storm_warning_header_fields():
    alert = parse_cap(alert_xml())
    assert (alert.identifier, alert.sender, alert.status, alert.msg_type, alert.scope) == (
        "VN-NCHMF-2026-1123-0013",
        SENDER,
        "Actual",
        "Alert",
        "Public",
    )
    assert alert.references == ()
    assert len(alert.infos) == 2


def test_sent_keeps_its_offset_and_is_aware():
    sent = parse_cap(alert_xml()).sent
    assert sent.utcoffset() == timedelta(hours=7)
    assert sent == datetime(2026, 11, 23, 7, 5, tzinfo=UTC)


def test_minus_zero_offset_means_utc():
    sent = parse_cap(alert_xml(sent="2026-11-23T07:05:00-00:00")).sent
    assert sent == datetime(2026, 11, 23, 7, 5, tzinfo=UTC)


def test_vietnamese_info_is_preferred_over_an_earlier_english_one():
    info = parse_cap(alert_xml(infos=(EN_INFO, info_xml()))).info
    assert info is not None
    assert (info.language, info.headline, info.description, info.instruction) == (
        "vi-VN",
        HEADLINE_VI,
        DESCRIPTION_VI,
        INSTRUCTION_VI,
    )


def test_info_times_are_aware():
    info = parse_cap(alert_xml()).info
    assert info is not None
    assert info.effective == datetime(2026, 11, 23, 14, 0, tzinfo=ICT)
    assert info.onset == datetime(2026, 11, 23, 20, 0, tzinfo=ICT)
    assert info.expires == datetime(2026, 11, 24, 14, 0, tzinfo=ICT)


def _info(language: str) -> CapInfo:
    return CapInfo(language, ("Met",), "Bão", "Immediate", "Extreme", "Likely")


@pytest.mark.parametrize(
    ("languages", "chosen"),
    [
        (("en-US", "vi", "vi-VN"), "vi-VN"),
        (("en-US", "vi"), "vi"),
        (("fr-FR", "VI-vn"), "VI-vn"),
        (("en-US", "fr-FR"), "en-US"),
    ],
)
def test_preferred_info_order(languages, chosen):
    info = preferred_info(tuple(_info(lang) for lang in languages))
    assert info is not None and info.language == chosen


def test_language_defaults_to_en_us_as_the_schema_says():
    alert = parse_cap(alert_xml(infos=(info_xml(None),)))
    assert alert.infos[0].language == "en-US"


def test_decomposed_text_comes_out_nfc():
    info = info_xml(
        headline=nfd(HEADLINE_VI),
        description=nfd(DESCRIPTION_VI),
        areas=(area_xml(desc=nfd("Tỉnh Quảng Ngãi"), geocodes=(("UNIT_CODE", nfd("Cẩm Thành")),)),),
    )
    parsed = parse_cap(alert_xml(infos=(info,))).infos[0]
    assert parsed.headline == HEADLINE_VI
    assert unicodedata.is_normalized("NFC", parsed.description)
    assert parsed.areas[0].description == "Tỉnh Quảng Ngãi"
    assert parsed.areas[0].geocodes == (("UNIT_CODE", "Cẩm Thành"),)


def test_area_geometry_in_cap_lat_lon_order():
    area = parse_cap(alert_xml()).infos[1].areas[0]
    assert area.polygons == (
        ((14.9, 108.6), (14.9, 109.0), (15.3, 109.0), (15.3, 108.6), (14.9, 108.6)),
    )
    assert area.circles == (CapCircle(15.38, 109.12, 30.0),)
    assert area.geocodes == (("UNIT_CODE", "21025"), ("MA_DVHC", "21211"))


def test_parameters_and_event_codes_are_kept_as_pairs():
    info = info_xml(event_codes=(("riskLevel", "4"),), parameters=(("WMO_ID", "13W"),))
    parsed = parse_cap(alert_xml(infos=(info,))).infos[0]
    assert parsed.event_codes == (("riskLevel", "4"),)
    assert parsed.parameters == (("WMO_ID", "13W"),)


def test_update_references_become_triples():
    refs = (
        f"{SENDER},VN-NCHMF-2026-1123-0013,2026-11-23T14:05:00+07:00 "
        f"{SENDER},VN-NCHMF-2026-1123-0014,2026-11-23T17:00:00+07:00"
    )
    alert = parse_cap(alert_xml(identifier="VN-NCHMF-2026-1123-0015", msg_type="Update", references=refs))
    assert alert.msg_type == "Update"
    assert alert.references == (
        CapReference(SENDER, "VN-NCHMF-2026-1123-0013", datetime(2026, 11, 23, 14, 5, tzinfo=ICT)),
        CapReference(SENDER, "VN-NCHMF-2026-1123-0014", datetime(2026, 11, 23, 17, 0, tzinfo=ICT)),
    )


def test_a_reference_names_the_alert_it_follows_whatever_the_offset():
    alert = parse_cap(alert_xml())
    same_instant_in_utc = f"{SENDER},{alert.identifier},2026-11-23T07:05:00+00:00"
    cancel = parse_cap(alert_xml(msg_type="Cancel", references=same_instant_in_utc, infos=()))
    assert cancel.references[0] == alert.as_reference()
    assert cancel.references[0] in {alert.as_reference()}


def test_cancel_needs_no_info_only_references():
    refs = f"{SENDER},VN-NCHMF-2026-1123-0013,2026-11-23T14:05:00+07:00"
    xml = alert_xml(identifier="VN-NCHMF-2026-1124-0001", msg_type="Cancel", references=refs, infos=())
    alert = parse_cap(xml)
    assert (alert.msg_type, alert.infos, alert.info) == ("Cancel", (), None)
    assert alert.references[0].identifier == "VN-NCHMF-2026-1123-0013"


@pytest.mark.parametrize("msg_type", ["Alert", "Update"])
def test_alert_or_update_without_info_is_rejected(msg_type):
    with pytest.raises(CapRejected, match=f"a CAP {msg_type} must carry at least one <info>"):
        parse_cap(alert_xml(msg_type=msg_type, infos=()))


@pytest.mark.parametrize(
    ("xml", "where"),
    [
        (alert_xml(infos=(info_xml(urgency="Soon"),)), "at /alert/info/urgency: value must be one of"),
        (alert_xml(infos=(info_xml(event=None),)), "at /alert/info: Unexpected child"),
        (alert_xml(sent="2026-11-23T14:05:00"), "at /alert/sent"),
        (alert_xml(sent="2026-11-23T07:05:00Z"), "at /alert/sent"),
        (alert_xml(status="Real"), "at /alert/status"),
        (alert_xml(msg_type="Warning"), "at /alert/msgType"),
        (alert_xml(infos=(info_xml(expires="tomorrow"),)), "at /alert/info/expires"),
    ],
)
def test_schema_violations_name_the_element(xml, where):
    with pytest.raises(CapRejected, match=r"CAP 1\.2 schema violation") as caught:
        parse_cap(xml)
    assert where in str(caught.value)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE alert [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&lol3;</identifier></alert>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&xxe;</identifier></alert>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE alert SYSTEM "http://attacker.example/cap.dtd">
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>"""


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD])
def test_dtd_and_entity_tricks_are_rejected(payload):
    with pytest.raises(CapRejected, match=r"DOCTYPE/DTD\) and entities are refused"):
        parse_cap(payload)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"", "not XML: the message is empty"),
        (b"{\"alert\": 1}", "not XML: not well-formed"),
        (b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><identifier>", "not XML: no element found"),
    ],
)
def test_non_xml_is_rejected(payload, reason):
    with pytest.raises(CapRejected, match=reason):
        parse_cap(payload)


@pytest.mark.parametrize(
    ("namespace", "reason"),
    [
        ("urn:oasis:names:tc:emergency:cap:1.1", "wrong namespace: urn:oasis:names:tc:emergency:cap:1.1"),
        ("", "wrong namespace: no namespace"),
    ],
)
def test_wrong_namespace_is_rejected(namespace, reason):
    xml = alert_xml(namespace=namespace).replace(b' xmlns=""', b"")
    with pytest.raises(CapRejected, match=reason):
        parse_cap(xml)


def test_root_that_is_not_an_alert_is_rejected():
    with pytest.raises(CapRejected, match="root element is <feed>"):
        parse_cap(b'<feed xmlns="http://www.w3.org/2005/Atom"/>')


def test_message_over_the_size_limit_is_rejected_before_parsing():
    padded = alert_xml(infos=(info_xml(description="x" * (1024 * 1024)),))
    with pytest.raises(CapRejected, match=r"message too large: \d+ bytes, the limit is 1048576"):
        parse_cap(padded)


def test_size_limit_is_adjustable():
    with pytest.raises(CapRejected, match="the limit is 100"):
        parse_cap(alert_xml(), max_bytes=100)


@pytest.mark.parametrize(
    ("area", "reason"),
    [
        (area_xml(polygons=("14.9,108.6 14.9,109.0 15.3,109.0 15.3,108.6",)), "<polygon> is not closed"),
        (area_xml(polygons=("14.9,108.6 14.9,109.0 14.9,108.6",)), "<polygon> has 3 points"),
        (area_xml(polygons=("108.6,14.9 109.0,14.9 109.0,95.0 108.6,14.9",)), "outside WGS 84"),
        (area_xml(polygons=("14.9;108.6 14.9,109.0 15.3,109.0 14.9;108.6",)), "is not a lat,lon pair"),
        (area_xml(circles=("15.38,109.12",)), "is not 'lat,lon radius'"),
        (area_xml(circles=("15.38,109.12 -5",)), "must be zero or more kilometres"),
        (area_xml(circles=("15.38,109.12 inf",)), "must be zero or more kilometres"),
        (area_xml(circles=("15.38,109.12 ba",)), "is not a number"),
    ],
)
def test_bad_area_geometry_is_rejected(area, reason):
    with pytest.raises(CapRejected, match=reason):
        parse_cap(alert_xml(infos=(info_xml(areas=(area,)),)))


@pytest.mark.parametrize(
    "references",
    [
        f"{SENDER},VN-1",
        f"{SENDER},,2026-11-23T14:05:00+07:00",
        f"{SENDER},VN-1,yesterday",
    ],
)
def test_malformed_references_are_rejected(references):
    with pytest.raises(CapRejected, match="<references>"):
        parse_cap(alert_xml(msg_type="Cancel", references=references, infos=()))


def test_empty_identifier_is_rejected():
    with pytest.raises(CapRejected, match="<identifier> is empty"):
        parse_cap(alert_xml(identifier=" "))


SIGNATURE = (
    b'<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo>'
    b'<CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
    b'<SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
    b'<Reference URI=""><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>'
    b"<DigestValue>AAAA</DigestValue></Reference></SignedInfo><SignatureValue>AAAA</SignatureValue>"
    b"</Signature>"
)


def test_enveloped_xml_signature_is_allowed_by_the_schema():
    signed = alert_xml().replace(b"</alert>", SIGNATURE + b"</alert>")
    assert parse_cap(signed).identifier == "VN-NCHMF-2026-1123-0013"


def test_malformed_xml_signature_is_a_schema_violation():
    signed = alert_xml().replace(
        b"</alert>", b'<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo/></Signature></alert>'
    )
    with pytest.raises(CapRejected, match="schema violation at /alert/Signature/SignedInfo"):
        parse_cap(signed)


def test_official_schema_ships_as_package_data_with_its_notice():
    package = resources.files("signage_server.emergency.sources.cap")
    schema = package.joinpath("schema", "CAP-v1.2.xsd").read_text("utf-8")
    assert schema.startswith("<!--  Copyright OASIS Open 2010 All Rights Reserved  -->")
    assert 'targetNamespace="urn:oasis:names:tc:emergency:cap:1.2"' in schema
