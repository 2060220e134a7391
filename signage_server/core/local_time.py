"""Times as people in Vietnam read them: Asia/Ho_Chi_Minh wall-clock, dd/mm/yyyy, labelled. The
one helper for every page, CSV and report (store UTC, show local)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from signage_contract.timezone import LOCAL_ZONE

LOCAL_LABEL = "GMT+7"  # Vietnam's offset (Asia/Ho_Chi_Minh, no daylight saving): the same in both languages
DATE_FORMAT = "%d/%m/%Y"
MINUTES_FORMAT = "%d/%m/%Y %H:%M"
SECONDS_FORMAT = "%d/%m/%Y %H:%M:%S"


def to_local(moment: datetime) -> datetime:
    """A stored instant (UTC; SQLite hands it back naive) in Vietnam's zone."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(LOCAL_ZONE)


def local_text(moment: datetime, *, seconds: bool = False, label: bool = True) -> str:
    """``30/11/2026 23:05 GMT+7``: the wall-clock time, with the zone unless ``label`` is off."""
    text = to_local(moment).strftime(SECONDS_FORMAT if seconds else MINUTES_FORMAT)
    return f"{text} {LOCAL_LABEL}" if label else text


def local_date(day: date) -> str:
    """``30/11/2026``: a calendar day (already local)."""
    return day.strftime(DATE_FORMAT)
