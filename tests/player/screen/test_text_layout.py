"""Wrapping by measured width at spaces only, NO-BREAK SPACE kept, auto-fit with a legibility floor,
and paging (never "…") below it."""

import unicodedata

import pytest

from player.screen import fonts
from signage_contract.text_layout import (
    LEGIBLE_MIN_PX,
    MIN_PAGE_S,
    fit_line,
    fit_text,
    legible_floor,
    page_at,
    page_durations,
    paginate,
    reading_time_s,
    words_of,
    wrap,
)

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


def test_never_breaks_inside_a_syllable_where_a_space_exists() -> None:
    width = measure("Nghiêng") + 1
    assert wrap("Nghiêng nghiêng", measure, width) == ["Nghiêng", "nghiêng"]


def test_a_run_without_spaces_wider_than_the_line_is_broken_by_pixels() -> None:
    url = "https://thongtincoso.gov.vn/van-ban/nghi-dinh-49-2024-nd-cp-ve-hoat-dong-thong-tin-co-so"
    lines = wrap(f"Xem tại {url} nhé", measure, 200)
    assert all(measure(line) <= 200 for line in lines)
    assert "".join(lines).replace(" ", "") == f"Xemtại{url}nhé"
    assert lines[0].startswith("Xem tại")  # the short syllables before it stay whole


@pytest.mark.parametrize("nbsp", ["\u00a0", "\u202f"])
def test_no_break_space_is_kept_and_never_broken(nbsp: str) -> None:
    text = f"Họp lúc 15{nbsp}giờ theo Nghị{nbsp}định{nbsp}49 của Chính phủ về thông tin cơ sở"
    width = measure(f"Nghị{nbsp}định{nbsp}49") + 2
    lines = wrap(text, measure, width)
    assert any(f"15{nbsp}giờ" in line for line in lines)
    assert any(f"Nghị{nbsp}định{nbsp}49" in line for line in lines)


def test_a_no_break_group_wider_than_the_line_breaks_at_its_no_break_space_not_in_a_syllable() -> None:
    text = "Nghị\u00a0định\u00a049/2024/NĐ-CP"
    lines = wrap(text, measure, measure("49/2024/NĐ-CP") + 2)
    assert lines == ["Nghị\u00a0định", "49/2024/NĐ-CP"]


def _exact_wrap(text: str, width: int) -> list[str]:
    """The obviously correct greedy wrap: every candidate line measured whole."""
    lines = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            if line and measure(f"{line} {word}") <= width:
                line = f"{line} {word}"
            else:
                if line:
                    lines.append(line)
                line = word
        lines.append(line)
    return lines


@pytest.mark.parametrize("width", range(180, 1400, 37))
def test_the_estimated_wrap_breaks_exactly_where_measuring_every_line_would(width: int) -> None:
    text = " ".join([BODY, "Thứ Hai, thứ Ba: Ủy ban nhân dân xã tiếp công dân; ĐT 0203 3812 345."] * 8)
    assert wrap(text, measure, width) == _exact_wrap(text, width)


def test_a_line_whose_estimate_proves_off_is_wrapped_by_measuring_and_still_fits() -> None:
    """A font whose spaced lines are wider than their syllables and spaces apart (the estimate's
    error grows with the line): each line closed on an estimate is checked, none exceeds the width."""

    def uneven(text: str) -> int:
        return 10 * len(text) + 4 * text.count(" ") ** 2

    lines = wrap(BODY, uneven, 300)
    assert all(uneven(line) <= 300 for line in lines)
    assert " ".join(lines).split(" ") == BODY.split(" ")


def test_wrap_normalises_decomposed_input() -> None:
    nfd = unicodedata.normalize("NFD", "Tiếng Việt")
    assert wrap(nfd, measure, 1000) == ["Tiếng Việt"]


def test_explicit_newlines_start_new_lines_and_blank_lines_survive() -> None:
    assert wrap("Một\n\nHai", measure, 1000) == ["Một", "", "Hai"]


def test_fit_uses_the_largest_size_that_fits() -> None:
    pages = paginate("Thông báo", BODY, 800, 400, measure_at, fonts.line_step)
    assert len(pages.pages) == 1 and pages.pages[0].height <= 400
    size = pages.pages[0].body_px
    bigger = paginate("Thông báo", BODY, 800, 400, measure_at, fonts.line_step, min_px=size + 1)
    assert len(bigger.pages) > 1


def test_below_the_legibility_floor_the_text_is_paged_never_cut() -> None:
    body = " ".join(f"{BODY} ({n})" for n in range(6))
    pages = paginate("Thông báo", body, 300, 120, measure_at, fonts.line_step)
    assert len(pages.pages) > 1
    assert {p.body_px for p in pages.pages} == {LEGIBLE_MIN_PX}
    assert all(p.height <= 120 for p in pages.pages)
    shown = [w for p in pages.pages for w in words_of(" ".join(p.body_lines))]
    assert shown == words_of(body)  # every syllable, in order, once
    assert not any("…" in line for p in pages.pages for line in (*p.title_lines, *p.body_lines))


def test_a_short_title_heads_every_page() -> None:
    pages = paginate("Thông báo", BODY * 4, 600, 200, measure_at, fonts.line_step)
    assert len(pages.pages) > 1 and all(p.title_lines == ("Thông báo",) for p in pages.pages)


def test_a_long_title_wraps_and_pages_like_the_body() -> None:
    title = " ".join(["Thông báo khẩn về việc sơ tán dân cư vùng trũng"] * 4)
    pages = paginate(title, BODY, 300, 120, measure_at, fonts.line_step)
    assert len(pages.pages) > 1
    assert [w for p in pages.pages for w in words_of(" ".join(p.title_lines))] == words_of(title)
    assert all(p.height <= 120 for p in pages.pages)


def test_each_page_stays_for_its_reading_time_and_the_item_for_their_sum() -> None:
    assert reading_time_s(0) == MIN_PAGE_S
    assert reading_time_s(200) == pytest.approx(61.5)  # 200 syllables a minute, plus the lead
    assert page_durations([20.0, 30.0], 10.0, fixed=False) == (20.0, 30.0)
    assert page_durations([2.0, 3.0], 10.0, fixed=False) == (4.0, 6.0)  # never shorter than its duration
    assert page_durations([20.0, 30.0], 10.0, fixed=True) == (MIN_PAGE_S, 6.0)  # shared, each >= min
    assert page_durations([20.0, 30.0], 100.0, fixed=True) == (40.0, 60.0)


def test_pages_cycle() -> None:
    assert page_at([5.0, 10.0], 0.0) == (0, 5.0)
    assert page_at([5.0, 10.0], 7.0) == (1, 8.0)
    assert page_at([5.0, 10.0], 16.0) == (0, 4.0)
    assert page_at([5.0], 100.0)[0] == 0


@pytest.mark.parametrize(("size", "floor"), [((384, 192), 16), ((768, 576), 16), ((1920, 1080), 30),
                                             ((1080, 1920), 30), ((3840, 2160), 60)])
def test_the_legibility_floor_is_16_px_on_led_boards_and_grows_on_lcds(size, floor) -> None:
    assert legible_floor(*size) == floor


def test_fit_of_empty_text_is_empty_not_an_error() -> None:
    block = fit_text("", "   ", 300, 120, measure_at, fonts.line_step)
    assert block.title_lines == () and block.body_lines == () and block.height == 0


def test_fit_line_finds_a_single_line_size_or_none() -> None:
    size = fit_line("Thứ Hai, 23/11/2026 14:05", 400, 60, measure_at, fonts.line_step, min_px=12)
    assert size is not None and measure_at(size, False, "Thứ Hai, 23/11/2026 14:05") <= 400
    assert fit_line("Thứ Hai, 23/11/2026 14:05", 40, 60, measure_at, fonts.line_step, min_px=12) is None
