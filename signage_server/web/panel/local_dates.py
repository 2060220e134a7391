"""Validity dates as editors type and read them: local time (Asia/Ho_Chi_Minh), dd/mm/yyyy HH:MM,
stored as UTC. A date alone means the start of that day for "from" and the end of it for "until"
(a notice valid until 25/11 is shown all of 25/11)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from enum import StrEnum

from signage_contract.timezone import LOCAL_ZONE
from signage_server.core.errors import Invalid

FORMAT_WITH_TIME = "%d/%m/%Y %H:%M"
FORMAT_DATE = "%d/%m/%Y"


class Validity(StrEnum):
    """Where content stands against its validity dates at an instant."""

    PENDING = "not yet valid"
    VALID = "valid"
    EXPIRED = "expired"


def parse_local(text: str, field: str, *, end_of_day: bool = False) -> datetime | None:
    """``dd/mm/yyyy`` or ``dd/mm/yyyy HH:MM`` in local time as an aware UTC instant; blank: None."""
    text = " ".join(text.split())
    if not text:
        return None
    try:
        moment = datetime.strptime(text, FORMAT_WITH_TIME)
    except ValueError:
        try:
            day = datetime.strptime(text, FORMAT_DATE)
        except ValueError:
            raise Invalid("panel.invalid_datetime", f"{field}: write the date as dd/mm/yyyy or "
                          f"dd/mm/yyyy hh:mm (got {text!r})", field=field, value=text) from None
        moment = datetime.combine(day.date() + timedelta(days=1 if end_of_day else 0), time())
    return moment.replace(tzinfo=LOCAL_ZONE).astimezone(UTC)


def local_text(moment: datetime | None) -> str:
    """A stored instant (UTC; SQLite hands it back naive) as local ``dd/mm/yyyy HH:MM``; None: ''."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(LOCAL_ZONE).strftime(FORMAT_WITH_TIME)


def validity_at(valid_from: datetime | None, valid_until: datetime | None, now: datetime) -> Validity:
    def utc(value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    if valid_until is not None and utc(valid_until) <= now:
        return Validity.EXPIRED
    if valid_from is not None and utc(valid_from) > now:
        return Validity.PENDING
    return Validity.VALID
