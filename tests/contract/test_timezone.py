"""One local time zone for the whole system: Asia/Ho_Chi_Minh, UTC+7 without daylight saving."""

from datetime import UTC, datetime

from signage_contract import LOCAL_TIMEZONE, LOCAL_ZONE, Manifest
from signage_contract.timezone import FIXED_LOCAL_ZONE, zone_named


def test_local_zone_is_utc_plus_seven_all_year() -> None:
    for month in (1, 7):
        offset = datetime(2026, month, 1, tzinfo=UTC).astimezone(LOCAL_ZONE).utcoffset()
        assert offset is not None and offset.total_seconds() == 7 * 3600


def test_an_unknown_zone_name_falls_back_to_the_fixed_vietnam_offset() -> None:
    assert zone_named("Mars/Olympus") is FIXED_LOCAL_ZONE


def test_a_manifest_without_a_zone_is_in_the_local_zone() -> None:
    assert Manifest.model_fields["timezone"].default == LOCAL_TIMEZONE == "Asia/Ho_Chi_Minh"
