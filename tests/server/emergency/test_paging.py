"""The page count the operator is told is the number of pages the board's emergency screen cycles."""

import pygame
import pytest

from player.screen.override_screen import plan
from signage_server.emergency.paging import count_pages, smallest_screen
from tests.player.net.test_overrides import make_override

TITLE = "Cảnh báo lũ quét, sạt lở đất khu vực ven suối Nậm Pàn"
BODY = (
    "Lũ quét và sạt lở đất có thể xảy ra trong đêm nay. Người dân ven suối Nậm Pàn sơ tán ngay đến "
    "nhà văn hóa bản; tuyệt đối không qua ngầm, tràn khi nước đang chảy xiết; gọi 112 khi cần cứu nạn."
)


@pytest.fixture
def fonts_open():
    pygame.font.init()
    yield
    pygame.font.quit()


@pytest.mark.parametrize("screen", [(384, 192), (768, 576), (1920, 1080), (1080, 1920)])
@pytest.mark.parametrize("body", [BODY, BODY * 4, "Sơ tán ngay."], ids=["one", "four", "short"])
def test_the_server_counts_the_pages_the_player_shows(fonts_open, screen, body) -> None:
    shown = plan(pygame.Rect(0, 0, *screen), make_override(title=TITLE, body=body), with_image=False)
    assert count_pages(TITLE, body, screen).pages == len(shown.pages.pages)


def test_the_smallest_board_is_the_one_with_fewest_pixels() -> None:
    assert smallest_screen([(1920, 1080), (384, 192), (768, 576)]) == (384, 192)
    assert smallest_screen([]) is None
