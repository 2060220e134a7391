"""The week grid and "playing now" read from a manifest: local days, midnight splits, items named."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from signage_contract import Layout, Manifest, Region, TextItem
from signage_contract.manifest import RegionPlaylist, RegionRole, TimelineEntry
from signage_server.web.panel.timeline_view import now_playing, week


def _manifest(*spans: tuple[datetime, datetime]) -> Manifest:
    region = Region(id="main", role=RegionRole.MAIN, x=0, y=0, w=1, h=1)
    layout = Layout(id="full", name="full", regions=[region])
    entries = [TimelineEntry(start=s, end=e, layout_id="full", schedule_id="7",
                             regions=[RegionPlaylist(region_id="main", item_ids=["b1", "gone"])])
               for s, e in spans]
    return Manifest(board_id="1", generated_at=spans[0][0], valid_from=spans[0][0], valid_until=spans[-1][1],
                    layouts=[layout], items=[TextItem(id="b1", title="Tin sáng")], timeline=entries)


NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 08:00 Monday in Hà Nội


def test_overnight_entry_is_split_at_local_midnight() -> None:
    # 22:00 Monday to 06:00 Tuesday, local (UTC+7)
    manifest = _manifest((datetime(2026, 3, 2, 15, tzinfo=UTC), datetime(2026, 3, 2, 23, tzinfo=UTC)))
    days = week(manifest, NOW)
    assert [d.day for d in days][:2] == [date(2026, 3, 2), date(2026, 3, 3)] and len(days) == 7
    assert [(b[0], b[1]) for b in days[0].blocks] == [(time(22), time(23, 59))]
    assert [(b[0], b[1]) for b in days[1].blocks] == [(time(0), time(6))]


def test_entries_beyond_the_week_are_left_out() -> None:
    manifest = _manifest((datetime(2026, 3, 20, 1, tzinfo=UTC), datetime(2026, 3, 20, 2, tzinfo=UTC)))
    assert all(not d.blocks for d in week(manifest, NOW))


def test_playing_now_names_items_and_skips_missing_ones() -> None:
    manifest = _manifest((datetime(2026, 3, 2, 0, tzinfo=UTC), datetime(2026, 3, 2, 2, tzinfo=UTC)))
    playing = now_playing(manifest, NOW)
    assert playing is not None and playing.entry.schedule_id == "7"
    assert playing.regions[0].items == [("text", "Tin sáng")]


def test_nothing_playing_outside_the_timeline() -> None:
    manifest = _manifest((datetime(2026, 3, 2, 3, tzinfo=UTC), datetime(2026, 3, 2, 4, tzinfo=UTC)))
    assert now_playing(manifest, NOW) is None
