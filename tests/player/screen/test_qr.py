"""The QR code kind: the code a phone reads back from the drawn region is the item's address, its
caption is drawn beside it, and a region too small is drawn best effort with one warning."""

import logging

import pygame
import pytest

from player.screen.kinds.qr import draw_qr
from signage_contract import qr
from signage_contract.manifest import QrItem
from tests.support.qr_scan import decoded

PORTAL = "https://gopy.quangngai.gov.vn/phan-anh?don-vi=51"
NAVY, WHITE = (0, 51, 102), (255, 255, 255)


@pytest.fixture
def screen():
    pygame.display.init()
    pygame.font.init()
    yield pygame.display.set_mode((320, 180))
    pygame.display.quit()


def test_the_code_drawn_on_a_small_led_board_reads_back_as_its_address(screen) -> None:
    item = QrItem(id="q", url=PORTAL, caption="Góp ý, phản ánh với tỉnh Quảng Ngãi")
    assert draw_qr(screen, screen.get_rect(), item)
    assert decoded(screen) == [PORTAL]
    assert qr.module_px(PORTAL, 320, 180, captioned=True) >= qr.MIN_MODULE_PX
    caption = screen.subsurface(pygame.Rect(190, 0, 130, 180))
    assert any(caption.get_at((x, y))[:3] == WHITE for x in range(130) for y in range(180))


def test_a_code_in_a_region_inside_the_screen_stays_in_that_region(screen) -> None:
    screen.fill((255, 0, 255))
    region = pygame.Rect(100, 20, 200, 150)
    draw_qr(screen, region, QrItem(id="q", url=PORTAL))
    assert decoded(screen) == [PORTAL]
    assert screen.get_at((99, 100))[:3] == (255, 0, 255) and screen.get_at((100, 19))[:3] == (255, 0, 255)


def test_a_region_too_small_is_drawn_as_large_as_it_fits_and_warned_once(screen, caplog) -> None:
    region = pygame.Rect(0, 0, 90, 60)
    item = QrItem(id="small", url=PORTAL)
    with caplog.at_level(logging.WARNING, logger="player.screen.kinds.qr"):
        draw_qr(screen, region, item)
        draw_qr(screen, region, item)
    assert [r.getMessage() for r in caplog.records].count(
        "QR item small gets 1 px per module in a 90x60 region (at least 3 are needed to scan): "
        "drawn as large as it fits") == 1
    assert screen.get_at((30, 30))[:3] in {(0, 0, 0), WHITE}


def test_an_address_that_makes_no_code_leaves_the_region_its_background(screen) -> None:
    draw_qr(screen, screen.get_rect(), QrItem(id="bad", url="ftp://gopy.quangngai.gov.vn/"))
    assert pygame.transform.average_color(screen)[:3] == NAVY
