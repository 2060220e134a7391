"""Item kinds: one module per wire kind, found by wire model; the compositor draws through them."""

import pygame
import pytest

from player.core.cache import MediaCache
from player.core.shared import Snapshot
from player.screen.compositor import Compositor
from player.screen.images import ImageStore
from player.screen.kinds import ItemKind, Scene, kind_of, registry
from signage_contract import ClockItem, ImageItem, PdfItem, TextItem, TickerItem, UnknownItem, VideoItem
from signage_contract.manifest import KNOWN_ITEM_KINDS, QrItem
from tests.support.player_factories import NOW, manifest

MAGENTA = (255, 0, 255)


@pytest.fixture
def screen():
    pygame.display.init()
    pygame.font.init()
    yield pygame.display.set_mode((320, 180))
    pygame.display.quit()


def test_every_wire_kind_of_the_contract_has_exactly_one_kind_module() -> None:
    tags = {kind.model.model_fields["kind"].default for kind in registry().values()}
    assert tags == set(KNOWN_ITEM_KINDS)
    assert set(registry()) == {ImageItem, TextItem, ClockItem, TickerItem, QrItem, VideoItem, PdfItem}


def test_an_item_of_a_kind_this_player_does_not_know_has_no_renderer() -> None:
    assert kind_of(UnknownItem(id="v", kind="hologram")) is None and kind_of(None) is None


def test_only_the_ticker_and_the_video_animate() -> None:
    assert {kind.model for kind in registry().values() if kind.animated} == {TickerItem, VideoItem}


def test_the_compositor_draws_each_item_through_the_kind_of_its_wire_model(
    screen, tmp_path, monkeypatch
) -> None:
    class Magenta(ItemKind[TextItem]):
        model = TextItem

        def draw(self, surface: pygame.Surface, rect: pygame.Rect, item: TextItem, scene: Scene) -> bool:
            surface.fill(MAGENTA, rect)
            return True

    monkeypatch.setitem(registry(), TextItem, Magenta())
    compositor = Compositor(screen, ImageStore(MediaCache(tmp_path), synchronous=True))
    value = manifest([{"kind": "text", "id": "t1", "title": "Thông báo", "body": "Nội dung"}])
    compositor.update(Snapshot(generation=1, manifest=value), NOW)
    assert tuple(screen.get_at((160, 90)))[:3] == MAGENTA
