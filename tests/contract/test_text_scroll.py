"""A text scrolled instead of paged: the strip rests, moves up at the reading rate and rests; its
timing follows the editor's duration; it never shows a row outside its box (pure: a fake font)."""

from __future__ import annotations

import pytest

from signage_contract.text_layout import READING_RATE_WPM, paginate, reading_time_s, words_of
from signage_contract.text_scroll import (
    SCROLL_HOLD_S,
    TextScroll,
    scroll_durations,
    scroll_offset,
    scroll_text,
    visible_rows,
)


def measure(size: int, bold: bool, text: str) -> int:
    return len(text) * size * (6 if bold else 5) // 10


def step(size: int) -> int:
    return size * 5 // 4


BODY = " ".join(f"tiếng{n}" for n in range(400))
BOX = (300, 120)


def strip(body: str = BODY, title: str = "Thông báo") -> TextScroll:
    return scroll_text(title, body, *BOX, measure, step, min_px=16)


def test_a_text_that_fits_is_still_like_its_single_page_for_its_reading_time() -> None:
    shown = strip("Lịch tiêm chủng sáng thứ Hai.")
    page = paginate("Thông báo", "Lịch tiêm chủng sáng thứ Hai.", *BOX, measure, step, min_px=16).pages[0]
    assert shown.travel_px == 0 and shown.block == page
    assert shown.natural_s == reading_time_s(page.words)
    assert scroll_offset(shown, scroll_durations(shown, 10, False), 4.0) == 0


def test_a_long_text_is_one_strip_at_the_floor_holding_every_syllable_in_order() -> None:
    shown = strip()
    assert shown.block.body_px == 16 and shown.travel_px == shown.block.height - BOX[1] > 0
    assert [w for row in shown.rows if not row.bold for w in words_of(row.text)] == words_of(BODY)
    assert all(measure(row.size_px, row.bold, row.text) <= BOX[0] for row in shown.rows)


def test_the_strip_passes_at_the_reading_rate_with_rests_at_start_and_end() -> None:
    shown = strip()
    read_s = shown.block.words * 60 / READING_RATE_WPM
    assert shown.hold_start_s == SCROLL_HOLD_S
    assert shown.move_s == pytest.approx(read_s * shown.travel_px / shown.block.height)
    assert shown.hold_end_s == pytest.approx(max(SCROLL_HOLD_S, read_s * BOX[1] / shown.block.height))
    durations = scroll_durations(shown, 10, False)
    assert scroll_offset(shown, durations, SCROLL_HOLD_S - 0.1) == 0
    positions = [scroll_offset(shown, durations, SCROLL_HOLD_S + k * shown.move_s / 20) for k in range(21)]
    assert positions == sorted(positions) and positions[0] == 0 and positions[-1] == shown.travel_px
    assert scroll_offset(shown, durations, sum(durations) - 0.1) == shown.travel_px
    assert scroll_offset(shown, durations, sum(durations) + 0.1) == 0  # played on: starts again


def test_an_item_lasts_at_least_its_duration_and_as_long_as_its_scroll() -> None:
    shown = strip()
    assert sum(scroll_durations(shown, 5, False)) == pytest.approx(shown.natural_s)
    longer = scroll_durations(shown, shown.natural_s + 30, False)
    assert longer[:2] == (shown.hold_start_s, shown.move_s)
    assert sum(longer) == pytest.approx(shown.natural_s + 30)


def test_an_editors_fixed_duration_holds_the_whole_scroll_in_it() -> None:
    shown = strip()
    fixed = scroll_durations(shown, 40, True)
    assert sum(fixed) == pytest.approx(40)
    assert fixed[1] / fixed[0] == pytest.approx(shown.move_s / shown.hold_start_s)
    assert scroll_offset(shown, fixed, 39.9) == shown.travel_px


@pytest.mark.parametrize("offset", [0, 1, 7, 19, 20, 21, 150, 333])
def test_visible_rows_are_exactly_those_overlapping_the_box(offset: int) -> None:
    shown = strip()
    expected = [r for r in shown.rows if r.top + r.height > offset and r.top < offset + BOX[1]]
    assert list(visible_rows(shown, offset)) == expected and expected
