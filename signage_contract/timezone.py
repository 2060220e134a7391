"""The one local time zone: Vietnam, UTC+7 without daylight saving. Store UTC, show local.

``LOCAL_ZONE`` falls back to a fixed UTC+7 offset where the tz database is missing (a bare Windows
without the ``tzdata`` package), so a board's clock is right even there.
"""

from __future__ import annotations

import zoneinfo
from datetime import timedelta, timezone, tzinfo

LOCAL_TIMEZONE = "Asia/Ho_Chi_Minh"
LOCAL_UTC_OFFSET = timedelta(hours=7)
FIXED_LOCAL_ZONE = timezone(LOCAL_UTC_OFFSET, "ICT")  # Indochina Time: the same rule, without tzdata


def zone_named(name: str) -> tzinfo:
    """The zone called ``name``; the fixed Vietnam offset when it is unknown here (forgiving on read)."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return FIXED_LOCAL_ZONE


LOCAL_ZONE: tzinfo = zone_named(LOCAL_TIMEZONE)
