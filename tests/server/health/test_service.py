"""Health reads as services: the period rule and the screenshot refusals carry stable codes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from signage_server.core.errors import Invalid, NotFound
from signage_server.health import service
from signage_server.models import User

NOW = datetime(2026, 3, 10, 5, 0, tzinfo=UTC)  # 12:00 in Hanoi


def test_the_default_period_ends_today_in_local_time() -> None:
    days = service.local_days(None, None, NOW, default_days=7, max_days=366)
    assert days == (date(2026, 3, 4), date(2026, 3, 10))


@pytest.mark.parametrize(("first", "last"), [(date(2026, 3, 2), date(2026, 3, 1)),
                                             (date(2025, 1, 1), date(2026, 3, 1))])
def test_a_reversed_or_too_long_period_is_invalid(first: date, last: date) -> None:
    with pytest.raises(Invalid) as refused:
        service.local_days(first, last, NOW, default_days=7, max_days=366)
    assert refused.value.code == "period.invalid"
    assert refused.value.message == "from..to must be a range of 1 to 366 days"


def test_a_board_without_screenshots_says_so(session, users, make_board) -> None:
    board = make_board()
    viewer = session.get(User, users["viewer_a"].id)
    with pytest.raises(NotFound) as refused:
        service.latest_screenshot(session, actor=viewer, board_id=board.id)
    assert refused.value.code == "screenshot.none_yet"
    assert refused.value.message == f"board {board.id} has sent no screenshot yet"
