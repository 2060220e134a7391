"""When the next manifest may take over from the one in force (pure: no clock, no I/O).

A verified, newer manifest waits until the media it needs in the coming hours are verified in the
cache; until then the board keeps playing the manifest in force with its own, still cached, media.
So a failed download (a hash mismatch, a 404, content changed again between the manifest fetch and
the media fetch) never puts a board on its fallback slide. Media needed later keep downloading in
the meantime; if one is still missing when its turn comes, the timeline skips that item.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from signage_contract import Manifest, MediaRef
from signage_contract.manifest import ItemBase, item_media

READY_WINDOW = timedelta(hours=6)


def media_needed(manifest: Manifest, start: datetime, end: datetime) -> dict[str, MediaRef]:
    """The images ``manifest`` plays between ``start`` and ``end``, by sha256."""
    items = manifest.item_index()
    needed: dict[str, MediaRef] = {}
    for entry in manifest.timeline:
        if entry.end <= start or entry.start >= end:
            continue
        window_start, window_end = max(start, entry.start), min(end, entry.end)
        for region in entry.regions:
            for item_id in region.item_ids:
                item = items.get(item_id)
                if item is not None and _valid_within(item, window_start, window_end):
                    needed.update((ref.sha256, ref) for ref in item_media(item))
    return needed


def _valid_within(item: ItemBase, start: datetime, end: datetime) -> bool:
    if item.valid_from is not None and item.valid_from >= end:
        return False
    return not (item.valid_until is not None and item.valid_until <= start)


def missing_for_handover(
    current: Manifest | None,
    upcoming: Manifest,
    now: datetime,
    cached: Callable[[str], bool],
    window: timedelta = READY_WINDOW,
) -> list[str]:
    """The sha256s that keep ``upcoming`` waiting; empty when it may go into force now.

    Nothing waits when no manifest is in force or the one in force no longer covers ``now``:
    then there is nothing better to keep on screen.
    """
    if current is None or not current.valid_from <= now < current.valid_until:
        return []
    return sorted(sha for sha in media_needed(upcoming, now, now + window) if not cached(sha))
