"""Wrapping by measured width at spaces only, NO-BREAK SPACE kept, auto-fit with a legibility floor."""

import unicodedata

import pytest

from player.screen import fonts
from player.screen.text_layout import ELLIPSIS, LEGIBLE_MIN_PX, fit_line, fit_text, wrap

SIZE = 20


def measure(text: str) -> int:
    return fonts.font(SIZE).size(text)[0]


def measure_at(size: int, bold: bool, text: str) -> int:
    return fonts.font(size, bold).size(text)[0]


BODY = (
    "Ủy ban nhân dân xã thông báo lịch tiêm chủng mở rộng cho trẻ em dưới 5 tuổi tại Trạm Y tế xã "
    "vào sáng thứ Hai hằng tuần, đề nghị các gia đình đưa con em đến đúng giờ."
)


def test_wrapped_lines_fit_the_width_and_keep_every_syllable() -> None:
    lines = wrap(BODY, measure, 300)
    assert len(lines) > 1
    assert all(measure(line) <= 300 for line in lines)
    assert " ".join(lines).split(" ") == BODY.split(" ")


def test_never_breaks_inside_a_syllable_even_when_it_is_wider_than_the_line() -> None:
    lines = wrap("Nghiêng nghiêng", measure, 10)
    assert lines == ["Nghiêng", "nghiêng"]


@pytest.mark.parametrize("nbsp", ["\u00a0", "\u202f"])
def test_no_break_space_is_kept_and_never_broken(nbsp: str) -> None:
    text = f"Họp lúc 15{nbsp}giờ theo Nghị{nbsp}định{nbsp}49 của Chính phủ về thông tin cơ sở"
    width = measure("Họp lúc 15") + 2
    lines = wrap(text, measure, width)
    assert f"15{nbsp}giờ" in " ".join(lines)
    assert any(f"Nghị{nbsp}định{nbsp}49" in line for line in lines)


def test_wrap_normalises_decomposed_input() -> None:
    nfd = unicodedata.normalize("NFD", "Tiếng Việt")
    assert wrap(nfd, measure, 1000) == ["Tiếng Việt"]


def test_explicit_newlines_start_new_lines_and_blank_lines_survive() -> None:
    assert wrap("Một\n\nHai", measure, 1000) == ["Một", "", "Hai"]


def test_fit_uses_the_largest_size_that_fits() -> None:
    block = fit_text("Thông báo", BODY, 800, 400, measure_at, fonts.line_step)
    assert block.height <= 400 and not block.truncated
    bigger = fit_text("Thông báo", BODY, 800, 400, measure_at, fonts.line_step, min_px=block.body_px + 1)
    assert bigger.truncated


def test_fit_never_goes_below_the_legibility_floor_and_truncates_instead() -> None:
    block = fit_text("Thông báo", BODY * 6, 300, 120, measure_at, fonts.line_step)
    assert block.body_px == LEGIBLE_MIN_PX and block.truncated
    assert block.height <= 120
    assert (block.body_lines or block.title_lines)[-1].endswith(ELLIPSIS)


def test_fit_of_empty_text_is_empty_not_an_error() -> None:
    block = fit_text("", "   ", 300, 120, measure_at, fonts.line_step)
    assert block.title_lines == () and block.body_lines == () and block.height == 0


def test_fit_line_finds_a_single_line_size_or_none() -> None:
    size = fit_line("Thứ Hai, 23/11/2026 14:05", 400, 60, measure_at, fonts.line_step, min_px=12)
    assert size is not None and measure_at(size, False, "Thứ Hai, 23/11/2026 14:05") <= 400
    assert fit_line("Thứ Hai, 23/11/2026 14:05", 40, 60, measure_at, fonts.line_step, min_px=12) is None
