"""A requisitioned board offline: the player cuts the programme to the requisition windows its
manifest carries (government content only inside them, the owner's outside, an emergency at any
minute), even from sources the server has not cut."""

from __future__ import annotations

from datetime import timedelta

from player.core.playtrack import frame_shows
from player.core.timeline import resolve
from signage_contract import EmergencyOverride, Manifest
from tests.support.player_factories import NOW, entry, manifest

DAY = NOW.replace(hour=0, minute=0) - timedelta(hours=7)  # local midnight (UTC+7)
WINDOWS = [(DAY + timedelta(hours=h), DAY + timedelta(hours=h, minutes=5)) for h in range(6, 22)]


def _text(item_id: str, duration_s: float = 10, **extra: object) -> dict[str, object]:
    return {"kind": "text", "id": item_id, "title": item_id, "duration_s": duration_s, **extra}


def _source(sid: str, ids: list[str], **extra: object) -> dict[str, object]:
    return {
        "schedule_id": sid, "layout_id": "full", "lead_region_id": "main",
        "windows": [{"start": DAY, "end": DAY + timedelta(days=2)}],
        "regions": [{"region_id": "main", "item_ids": ids}], **extra,
    }


def _shop_board(*extra: dict[str, object]) -> Manifest:
    items = [_text("gov", 20), _text("shop", 15), _text("ad", 7), *extra]
    government = ["gov", *(str(i["id"]) for i in extra)]
    sources = [_source("1", government), _source("2", ["shop", "ad"], owner=True)]
    return manifest(items, [entry(DAY, DAY + timedelta(days=1), {"main": ["gov"]})], sources=sources,
                    requisition={"windows": [{"start": a, "end": b} for a, b in WINDOWS]})


def _inside(at: object) -> bool:
    return any(a <= at < b for a, b in WINDOWS)  # type: ignore[operator]


def test_every_minute_of_the_day_plays_the_government_inside_the_windows_and_the_owner_outside() -> None:
    board = _shop_board()
    for minute in range(24 * 60):
        at = DAY + timedelta(minutes=minute, seconds=30)
        frame = resolve(board, at)
        assert frame.entry is not None, at
        assert frame.entry.schedule_id == ("1" if _inside(at) else "2"), at
        assert frame_shows(frame)["main"].schedule_id == frame.entry.schedule_id  # proof of play
        assert frame.next_change_at <= at + timedelta(seconds=20)


def test_an_emergency_override_covers_the_board_at_any_minute() -> None:
    board = _shop_board()
    for minute in range(0, 24 * 60, 7):
        at = DAY + timedelta(minutes=minute)
        alert = EmergencyOverride(id=f"e{minute}", title="Bão số 5", starts_at=at,
                                  expires_at=at + timedelta(minutes=30), issued_at=at)
        frame = resolve(board, at + timedelta(seconds=1), overrides=[alert])
        assert frame.override is not None and frame.override.id == alert.id


def test_an_emergency_bulletin_outside_the_windows_silences_the_owner() -> None:
    storm = _text("storm", 30, priority="emergency", valid_from=DAY + timedelta(hours=3),
                  valid_until=DAY + timedelta(hours=4))
    board = _shop_board(storm)
    for minute in range(3 * 60, 4 * 60, 3):
        frame = resolve(board, DAY + timedelta(minutes=minute, seconds=2))
        assert frame.entry is not None and frame.entry.schedule_id == "1"
        main = next(s for s in frame.regions if s.region.id == "main")
        assert main.item is not None and main.item.id == "storm"
