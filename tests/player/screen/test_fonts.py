"""The shipped font covers Vietnamese fully, stacked capitals are not clipped, NFD renders as NFC."""

import unicodedata

import pygame
import pytest
from PIL import ImageFont

from player.screen import fonts
from player.screen.kinds.text import draw_text
from signage_contract import TextItem

TONES = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # huyền, sắc, hỏi, ngã, nặng
VOWELS = "aăâeêioôơuưy"
LOWER = [unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES] + list("ăâêôơưđ")
LETTERS = LOWER + [c.upper() for c in LOWER]
STACKED = "ẪỖẨỮỴ"


def test_there_are_134_distinct_precomposed_vietnamese_letters() -> None:
    assert len(set(LETTERS)) == 134 and all(len(c) == 1 for c in LETTERS)


def test_font_and_its_licence_ship_with_the_player() -> None:
    assert fonts.FONT_PATH.is_file()
    assert "SIL Open Font License" in fonts.LICENSE_PATH.read_text(encoding="utf-8")


@pytest.mark.parametrize("letter", LETTERS)
def test_every_vietnamese_letter_has_a_real_glyph(letter: str) -> None:
    font = fonts.font(40)
    pixels = pygame.image.tobytes(font.render(letter, True, (255, 255, 255), (0, 0, 0)), "RGB")
    tofu = pygame.image.tobytes(font.render("\uffff", True, (255, 255, 255), (0, 0, 0)), "RGB")
    base = {"đ": "d", "Đ": "D"}.get(letter, unicodedata.normalize("NFD", letter)[0])
    plain = pygame.image.tobytes(font.render(base, True, (255, 255, 255), (0, 0, 0)), "RGB")
    assert pixels != tofu, "rendered as the missing-glyph box"
    assert pixels != plain, "the diacritic was dropped"


@pytest.mark.parametrize("size", range(16, 201))
def test_stacked_capitals_are_not_clipped(size: int) -> None:
    """The rendered ink matches the glyph's real outline bounds (measured by FreeType through Pillow),
    and the glyph rises no higher than the font's ascent, so a line box never cuts its marks."""
    font = fonts.font(size)
    reference = ImageFont.truetype(str(fonts.FONT_PATH), size)
    for letter in STACKED:
        _left, top, _right, bottom = reference.getbbox(letter, anchor="ls")
        ink = font.render(letter, True, (255, 255, 255)).get_bounding_rect()
        assert ink.height >= (bottom - top) - 1, f"{letter} at {size}px lost ink"
        assert -top <= font.get_ascent() + 1, f"{letter} at {size}px rises above the ascent"


def test_nfc_and_nfd_text_render_pixel_identical() -> None:
    text = "Tiếng Việt: ẪỖẨỮỴ đường phố, thông báo khẩn"
    surfaces = []
    for form in ("NFC", "NFD"):
        surface = pygame.Surface((600, 300))
        item = TextItem.model_construct(  # bypass the contract's own NFC, to test the renderer's
            id="t",
            kind="text",
            title=unicodedata.normalize(form, "Thông báo"),
            body=unicodedata.normalize(form, text),
            align="left",
            foreground="#FFFFFF",
            background="#003366",
            title_color="#FFD700",
        )
        draw_text(surface, surface.get_rect(), item)
        surfaces.append(pygame.image.tobytes(surface, "RGB"))
    assert surfaces[0] == surfaces[1]


def test_line_step_leaves_room_for_stacked_marks() -> None:
    for size in (16, 24, 32, 64):
        assert fonts.line_step(size) >= fonts.font(size).get_ascent() - fonts.font(size).get_descent()


def test_fonts_render_again_after_pygame_quit_and_init() -> None:
    """Fonts cached before a ``pygame.quit()`` are dead; the next lifetime opens fresh ones."""
    pygame.init()
    before = fonts.font(31).render("Bão số 9", True, (255, 255, 255))
    fonts.measuring(33).size("Bão số 9")
    pygame.quit()
    pygame.init()
    try:
        after = fonts.font(31).render("Bão số 9", True, (255, 255, 255))
        assert fonts.measuring(33).size("Bão số 9")[0] > 0
        assert fonts.line_step(31) > 0
        assert pygame.image.tobytes(after, "RGBA") == pygame.image.tobytes(before, "RGBA")
    finally:
        pygame.quit()
        pygame.font.init()  # as the other tests of this module found it


def test_fonts_render_again_after_the_font_module_alone_was_quit() -> None:
    fonts.font(29)
    pygame.font.quit()
    pygame.font.init()
    assert fonts.font(29).render("Ẫ", True, (255, 255, 255)).get_width() > 0
