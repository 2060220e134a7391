"""Validity dates typed and read in local time, dd/mm/yyyy."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from signage_server.core.errors import Invalid
from signage_server.web.panel.local_dates import Validity, local_text, parse_local, validity_at


@pytest.mark.parametrize(("text", "end_of_day", "expected"), [
    ("25/11/2026 07:30", False, datetime(2026, 11, 25, 0, 30, tzinfo=UTC)),
    ("25/11/2026", False, datetime(2026, 11, 24, 17, 0, tzinfo=UTC)),
    ("25/11/2026", True, datetime(2026, 11, 25, 17, 0, tzinfo=UTC)),  # all of 25/11, local
    ("  25/11/2026   07:30 ", False, datetime(2026, 11, 25, 0, 30, tzinfo=UTC)),
    ("", False, None),
])
def test_local_dates_are_read_in_vietnam_time(text: str, end_of_day: bool, expected: datetime | None) -> None:
    assert parse_local(text, "valid_from", end_of_day=end_of_day) == expected


@pytest.mark.parametrize("text", ["2026-11-25", "31/02/2026", "25/11/2026 25:00", "hôm nay"])
def test_a_date_in_another_form_is_refused_with_its_field(text: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_local(text, "valid_until")
    assert refused.value.code == "panel.invalid_datetime" and refused.value.params["field"] == "valid_until"


def test_stored_instants_read_back_in_local_time() -> None:
    assert local_text(datetime(2026, 11, 25, 0, 30)) == "25/11/2026 07:30"  # naive from SQLite: UTC
    assert local_text(None) == ""


def test_validity_at_an_instant() -> None:
    now = datetime(2026, 11, 30, tzinfo=UTC)
    assert validity_at(None, datetime(2026, 11, 25), now) is Validity.EXPIRED
    assert validity_at(datetime(2026, 12, 1, tzinfo=UTC), None, now) is Validity.PENDING
    month = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    assert validity_at(*month, now) is Validity.VALID
    assert validity_at(None, None, now) is Validity.VALID
