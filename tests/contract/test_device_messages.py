"""Socket messages are parsed once, by their ``type`` tag, into one of the contract's unions."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from signage_contract import EmergencyOverride
from signage_contract import device as wire

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
OVERRIDE = EmergencyOverride(
    id="o1", title="Bão số 9", starts_at=NOW, expires_at=NOW + timedelta(hours=1), issued_at=NOW
)


@pytest.mark.parametrize(
    "message",
    [
        wire.Nudge(version="v2"),
        wire.OverridePush(override=OVERRIDE),
        wire.OverrideCancel(override_id="o1"),
        wire.ScreenshotRequest(request_id="r1"),
        wire.CareCommand(action="restart"),
        wire.CareCommand(action="log_level", level="DEBUG"),
        wire.LogsRequest(request_id="r2", lines=50),
    ],
)
def test_every_server_message_parses_back_to_its_own_model(message: wire.ServerMessage) -> None:
    assert wire.parse_server_message(message.model_dump_json()) == message


@pytest.mark.parametrize(
    "message",
    [wire.Hello(manifest_version="v1", software_version="0.1.0"),
     wire.OverrideAck(override_id="o1", stage="displayed", at=NOW)],
)
def test_every_device_message_parses_back_to_its_own_model(message: wire.DeviceMessage) -> None:
    assert wire.parse_device_message(message.model_dump_json().encode()) == message


def test_the_wire_format_is_the_type_tag_on_the_message_itself() -> None:
    parsed = wire.parse_server_message('{"type": "override_cancel", "override_id": "o7"}')
    assert parsed == wire.OverrideCancel(override_id="o7")


@pytest.mark.parametrize("raw", ['{"type": "video_seek", "at": 3}', '{"version": "v2"}', '{"type": 5}'])
def test_a_message_of_an_unknown_type_is_recognised_as_unknown(raw: str) -> None:
    with pytest.raises(ValidationError) as raised:
        wire.parse_server_message(raw)
    assert wire.is_unknown_message(raised.value)


@pytest.mark.parametrize(
    "raw", ['{"type": "override_cancel"}', '{"type": "nudge", "version": 5}', "not json"]
)
def test_a_malformed_message_is_not_mistaken_for_an_unknown_one(raw: str) -> None:
    with pytest.raises(ValidationError) as raised:
        wire.parse_server_message(raw)
    assert not wire.is_unknown_message(raised.value)


def test_a_device_message_is_not_a_server_message() -> None:
    ack = wire.OverrideAck(override_id="o1", stage="received", at=NOW).model_dump_json()
    with pytest.raises(ValidationError):
        wire.parse_server_message(ack)


def test_an_older_heartbeat_without_the_care_fields_still_parses() -> None:
    beat = wire.Heartbeat.model_validate_json('{"sent_at": "2026-11-23T07:00:00Z"}')
    assert beat.os_name == "" and beat.temperature_c is None and beat.allow_reboot is None


def test_a_log_fetch_is_bounded() -> None:
    with pytest.raises(ValidationError):
        wire.LogsRequest(request_id="r", lines=wire.LOG_LINES_MAX + 1)
    with pytest.raises(ValidationError):
        wire.LogUpload(request_id="r", lines=["x" * (wire.LOG_LINE_MAX_CHARS + 1)])
