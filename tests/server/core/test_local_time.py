"""Times as people in Vietnam read them: local wall-clock, dd/mm/yyyy, labelled."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from signage_server.core.local_time import local_date, local_text


@pytest.mark.parametrize(("moment", "seconds", "shown"), [
    (datetime(2026, 11, 30, 17, 5, 9, tzinfo=UTC), False, "01/12/2026 00:05 GMT+7"),
    (datetime(2026, 11, 30, 17, 5, 9, tzinfo=UTC), True, "01/12/2026 00:05:09 GMT+7"),
    (datetime(2026, 11, 30, 1, 0), False, "30/11/2026 08:00 GMT+7"),  # SQLite's naive UTC
])
def test_a_stored_instant_is_shown_in_vietnam_time_with_its_label(moment, seconds, shown) -> None:
    assert local_text(moment, seconds=seconds) == shown


def test_a_day_is_day_month_year() -> None:
    assert local_date(date(2026, 12, 1)) == "01/12/2026"
