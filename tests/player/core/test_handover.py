"""When the next manifest may take over: only once the media it needs soon are in the cache."""

from datetime import timedelta

import pytest

from player.core.handover import READY_WINDOW, media_needed, missing_for_handover
from tests.support.player_factories import NOW, entry, image_bytes, image_item, manifest, media_ref

SOON, LATER = (media_ref(image_bytes(4, 4, c), 4, 4) for c in ((1, 0, 0), (0, 1, 0)))


def _upcoming():
    """``soon`` plays now; ``later`` only from tomorrow."""
    items = [image_item("soon", SOON), image_item("later", LATER), {"kind": "text", "id": "t", "title": "x"}]
    return manifest(items, timeline=[
        entry(NOW - timedelta(hours=1), NOW + timedelta(days=1), {"main": ["soon", "t"]}),
        entry(NOW + timedelta(days=1), NOW + timedelta(days=7), {"main": ["later"]}),
    ])


CURRENT = manifest([{"kind": "text", "id": "old", "title": "Cũ"}])


def test_media_needed_are_those_played_within_the_window() -> None:
    assert set(media_needed(_upcoming(), NOW, NOW + READY_WINDOW)) == {SOON.sha256}
    assert set(media_needed(_upcoming(), NOW, NOW + timedelta(days=2))) == {SOON.sha256, LATER.sha256}


def test_an_item_not_valid_within_the_window_is_not_needed() -> None:
    items = [image_item("soon", SOON, valid_from=(NOW + timedelta(days=2)).isoformat())]
    assert media_needed(manifest(items), NOW, NOW + READY_WINDOW) == {}


@pytest.mark.parametrize(("current", "cached", "missing"), [
    (CURRENT, set(), [SOON.sha256]),  # the image needed now is missing: keep the manifest in force
    (CURRENT, {SOON.sha256}, []),  # only tomorrow's is missing: switch
    (None, set(), []),  # nothing in force: nothing better to show
    (manifest([], valid_until=NOW - timedelta(minutes=1)), set(), []),  # the one in force ran out
])
def test_handover_waits_only_for_media_needed_soon(current, cached, missing) -> None:
    assert missing_for_handover(current, _upcoming(), NOW, cached.__contains__) == missing
