from datetime import UTC, datetime
from typing import Any

import pytest

from signage_contract import Category
from signage_server.emergency.sources.cap import (
    CapInfo,
    CapRejected,
    info_risk_level,
    override_fields,
    parse_cap,
    risk_level,
)
from tests.support.cap_xml import DESCRIPTION_VI, EN_INFO, HEADLINE_VI, INSTRUCTION_VI, alert_xml, info_xml

REF = "canhbao@nchmf.gov.vn,VN-NCHMF-2026-1123-0013,2026-11-23T14:05:00+07:00"
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 15:00 in Vietnam, while the storm warning runs


@pytest.mark.parametrize(
    ("severity", "urgency", "certainty", "level"),
    [
        ("Extreme", "Immediate", "Observed", 5),
        ("Extreme", "Immediate", "Likely", 5),
        ("Extreme", "Expected", "Likely", 4),
        ("Extreme", "Future", "Possible", 4),
        ("Extreme", "Immediate", "Unlikely", 4),
        ("Severe", "Immediate", "Observed", 3),
        ("Severe", "Expected", "Likely", 3),
        ("Severe", "Future", "Unlikely", 2),
        ("Moderate", "Immediate", "Observed", 2),
        ("Moderate", "Expected", "Unlikely", 1),
        ("Minor", "Immediate", "Observed", 1),
        ("Minor", "Expected", "Unlikely", 1),
        ("Unknown", "Unknown", "Unknown", 3),
        ("Unknown", "Immediate", "Unlikely", 2),
    ],
)
def test_risk_level_table(severity, urgency, certainty, level):
    assert risk_level(severity, urgency, certainty) == level


def _info(**fields: Any) -> CapInfo:
    return parse_cap(alert_xml(infos=(info_xml(**fields),))).infos[0]


@pytest.mark.parametrize(
    "fields",
    [
        {"parameters": (("riskLevel", "2"),)},
        {"event_codes": (("riskLevel", "2"),)},
        {"parameters": (("RISKLEVEL", "2"),)},
        {"parameters": (("riskLevel", "2"),), "event_codes": (("riskLevel", "5"),)},
    ],
)
def test_stated_risk_level_wins_over_severity(fields):
    assert info_risk_level(_info(severity="Extreme", **fields)) == 2


def test_risk_level_from_severity_when_none_is_stated():
    info = _info(severity="Extreme", urgency="Immediate", parameters=(("WMO_ID", "13W"),))
    assert info_risk_level(info) == 5


@pytest.mark.parametrize("value", ["0", "6", "cấp 4", "4.0", ""])
def test_stated_risk_level_out_of_range_is_rejected(value):
    with pytest.raises(CapRejected, match="riskLevel must be 1, 2, 3, 4 or 5"):
        info_risk_level(_info(parameters=(("riskLevel", value),)))


def test_storm_warning_becomes_an_override_draft():
    draft = override_fields(parse_cap(alert_xml(infos=(EN_INFO, info_xml()))), NOW)
    assert draft.title == HEADLINE_VI
    assert draft.body == f"{DESCRIPTION_VI}\n\n{INSTRUCTION_VI}"
    assert draft.risk_level == 5
    assert draft.category is Category.INCIDENTS
    assert draft.language == "vi-VN"


def test_draft_times_are_utc_and_start_at_effective_not_onset():
    draft = override_fields(parse_cap(alert_xml()), NOW)
    assert draft.starts_at == datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    assert draft.starts_at.tzinfo is UTC
    assert draft.expires_at == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


def test_draft_starts_at_sent_without_effective():
    draft = override_fields(parse_cap(alert_xml(infos=(info_xml(effective=None),))), NOW)
    assert draft.starts_at == datetime(2026, 11, 23, 7, 5, tzinfo=UTC)


def test_title_falls_back_to_event_and_body_to_what_is_there():
    info = info_xml(headline=None, description=None, event="Lũ quét")
    draft = override_fields(parse_cap(alert_xml(infos=(info,))), NOW)
    assert (draft.title, draft.body) == ("Lũ quét", INSTRUCTION_VI)


@pytest.mark.parametrize(
    "now",
    [datetime(2026, 11, 24, 7, 0, tzinfo=UTC), datetime(2026, 11, 25, 0, 0, tzinfo=UTC)],
)
def test_expired_alert_is_ignored(now):
    expected = "expired alerts are ignored: this one expired at 2026-11-24T14:00:00"
    with pytest.raises(CapRejected, match=expected):
        override_fields(parse_cap(alert_xml()), now)


def test_alert_without_expires_is_rejected():
    with pytest.raises(CapRejected, match="<expires> is missing"):
        override_fields(parse_cap(alert_xml(infos=(info_xml(expires=None),))), NOW)


def test_alert_expiring_before_it_takes_effect_is_rejected():
    info = info_xml(effective="2026-11-24T15:00:00+07:00")
    with pytest.raises(CapRejected, match="<expires> is not after <effective>"):
        override_fields(parse_cap(alert_xml(infos=(info,))), NOW)


def test_update_gives_a_draft_too():
    draft = override_fields(parse_cap(alert_xml(msg_type="Update", references=REF)), NOW)
    assert draft.title == HEADLINE_VI


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ({"msg_type": "Cancel", "references": REF}, "a CAP Cancel carries no override"),
        ({"msg_type": "Ack", "references": REF}, "a CAP Ack carries no override"),
        ({"status": "Exercise"}, "status Exercise: only Actual alerts"),
        ({"status": "Test"}, "status Test: only Actual alerts"),
        ({"scope": "Restricted"}, "scope Restricted: only Public alerts"),
    ],
)
def test_messages_not_meant_for_public_boards_give_no_override(header, reason):
    with pytest.raises(CapRejected, match=reason):
        override_fields(parse_cap(alert_xml(**header)), NOW)
