"""Regions placed for the screen: the layout's variant for its orientation, closed up over empty
regions so no black band shows."""

from __future__ import annotations

import pytest

from player.core.timeline import resolve
from player.screen.arrange import arrange
from signage_contract import Orientation
from tests.support.player_factories import NOW, entry, manifest

LATER = NOW.replace(hour=23)


def _region(rid: str, role: str, x: float, y: float, w: float, h: float) -> dict:
    return {"id": rid, "role": role, "x": x, "y": y, "w": w, "h": h}


PORTRAIT = {
    "id": "portrait",
    "name": "Màn hình dọc",
    "regions": [
        _region("clock", "clock", 0, 0, 1, 0.08),
        _region("main", "main", 0, 0.08, 1, 0.62),
        _region("side", "side", 0, 0.7, 1, 0.22),
        _region("ticker", "ticker", 0, 0.92, 1, 0.08),
    ],
    "variants": {"landscape": [
        _region("main", "main", 0, 0, 0.68, 0.88),
        _region("side", "side", 0.68, 0, 0.32, 0.88),
        _region("ticker", "ticker", 0, 0.88, 0.78, 0.12),
        _region("clock", "clock", 0.78, 0.88, 0.22, 0.12),
    ]},
}
TEXT = {"kind": "text", "id": "t", "title": "Thông báo"}
TICKER = {"kind": "ticker", "id": "k", "text": "Chữ chạy"}
CLOCK = {"kind": "clock", "id": "c"}
QUARTERS = {
    "id": "quarters",
    "name": "Chính và hai ô",
    "regions": [
        _region("main", "main", 0, 0, 0.5, 1),
        _region("side", "side", 0.5, 0, 0.5, 0.5),
        _region("logo", "logo", 0.5, 0.5, 0.5, 0.5),
    ],
}


def _placed(
    regions: dict[str, list[str]], size: tuple[int, int], layout: dict = PORTRAIT
) -> dict[str, tuple[float, ...]]:
    value = manifest([TEXT, TICKER, CLOCK], [entry(NOW, LATER, regions, layout["id"])], [layout])
    frame = arrange(resolve(value, NOW), size)
    return {s.region.id: (s.region.x, s.region.y, s.region.w, s.region.h) for s in frame.regions}


@pytest.mark.parametrize(("size", "orientation"), [
    ((1080, 1920), Orientation.PORTRAIT), ((1920, 1080), Orientation.LANDSCAPE),
    ((384, 192), Orientation.LANDSCAPE), ((500, 500), Orientation.LANDSCAPE),
])
def test_the_orientation_of_a_screen_is_its_shape(size, orientation) -> None:
    assert Orientation.of(size) is orientation


def test_an_empty_side_strip_below_the_main_region_is_given_to_it() -> None:
    placed = _placed({"main": ["t"], "ticker": ["k"], "clock": ["c"]}, (1080, 1920))
    assert set(placed) == {"clock", "main", "ticker"}
    assert placed["main"] == pytest.approx((0, 0.08, 1, 0.84))


def test_a_side_strip_with_content_keeps_its_place() -> None:
    placed = _placed({"main": ["t"], "side": ["k"], "ticker": ["k"], "clock": ["c"]}, (1080, 1920))
    assert placed["side"] == pytest.approx((0, 0.7, 1, 0.22))
    assert placed["main"] == pytest.approx((0, 0.08, 1, 0.62))


def test_a_landscape_screen_takes_the_landscape_variant_and_closes_up_beside_the_main_region() -> None:
    placed = _placed({"main": ["t"], "ticker": ["k"], "clock": ["c"]}, (1920, 1080))
    assert placed["main"] == pytest.approx((0, 0, 1, 0.88))
    assert placed["ticker"] == pytest.approx((0, 0.88, 0.78, 0.12))


def test_every_empty_strip_around_the_main_region_closes_up_in_turn() -> None:
    assert _placed({"main": ["t"]}, (1080, 1920)) == {"main": pytest.approx((0, 0, 1, 1))}


def test_an_empty_region_sharing_only_part_of_an_edge_stays_for_the_filler() -> None:
    placed = _placed({"main": ["t"], "logo": ["c"]}, (1920, 1080), QUARTERS)
    assert placed["side"] == pytest.approx((0.5, 0, 0.5, 0.5))
    assert placed["main"] == pytest.approx((0, 0, 0.5, 1))
