"""The week grid and "playing now" read from a manifest: local days, midnight splits, items named."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from signage_contract import Layout, Manifest, Priority, ProgrammeSource, Region, TextItem, Window
from signage_contract.manifest import RegionPlaylist, RegionRole, TimelineEntry
from signage_server.web.panel.timeline_view import airtime_plan, now_playing, week


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
    assert [(b.begin, b.end) for b in days[0].blocks] == [(time(22), time(23, 59))]
    assert [(b.begin, b.end) for b in days[1].blocks] == [(time(0), time(6))]
    assert days[0].blocks[0].shares[0].schedule_id == "7"


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


def _sourced() -> Manifest:
    """Schedule 7 all day (weight 1) and schedule 9 from 19:00 to 21:00 local (weight 3)."""
    base = _manifest((datetime(2026, 3, 1, 17, tzinfo=UTC), datetime(2026, 3, 2, 17, tzinfo=UTC)))
    items = [TextItem(id="b1", title="Tin sáng"), TextItem(id="e1", title="Tin tối", duration_s=10)]
    sources = [
        ProgrammeSource(schedule_id=sid, layout_id="full", lead_region_id="main", weight=weight,
                        windows=[Window(start=start, end=end)],
                        regions=[RegionPlaylist(region_id="main", item_ids=[item])])
        for sid, weight, item, start, end in (
            ("7", 1, "b1", datetime(2026, 3, 1, 17, tzinfo=UTC), datetime(2026, 3, 2, 17, tzinfo=UTC)),
            ("9", 3, "e1", datetime(2026, 3, 2, 12, tzinfo=UTC), datetime(2026, 3, 2, 14, tzinfo=UTC)),
        )
    ]
    return base.model_copy(update={"items": items, "sources": sources})


def test_the_airtime_plan_shows_each_hour_who_plays_and_their_share() -> None:
    plan = {hour.hour: dict(hour.shares) for hour in airtime_plan(_sourced(), NOW)}
    assert sorted(plan) == list(range(24))
    assert plan[8] == {"7": 1.0}
    assert plan[19] == pytest.approx({"9": 0.75, "7": 0.25}, abs=0.01)
    assert plan[21] == {"7": 1.0}
    assert airtime_plan(_manifest((NOW, NOW.replace(hour=2))), NOW) == []  # no sources: no plan


def test_playing_now_follows_the_programme_when_the_manifest_has_sources() -> None:
    evening = datetime(2026, 3, 2, 12, 0, 15, tzinfo=UTC)  # 7 plays first (a tie, listed first), then 9
    playing = now_playing(_sourced(), evening)
    assert playing is not None and playing.entry.schedule_id == "9"
    assert playing.regions[0].items == [("text", "Tin tối")]


def test_the_week_shows_the_programme_who_shares_each_stretch_and_how_much() -> None:
    """By the programme rule: 7 alone, then 9 (weight 3) sharing with 7 from 19:00 to 21:00."""
    day = week(_sourced(), NOW)[0]
    shown = [(b.begin, b.end, [(s.schedule_id, s.share) for s in b.shares]) for b in day.blocks]
    assert [(begin, end) for begin, end, _ in shown] == [(time(0), time(19)), (time(19), time(21)),
                                                         (time(21), time(23, 59))]
    assert shown[0][2] == shown[2][2] == [("7", 1.0)]
    assert shown[1][2] == [("9", pytest.approx(0.75, abs=0.01)), ("7", pytest.approx(0.25, abs=0.01))]
    assert not any(s.exclusive or s.priority for b in day.blocks for s in b.shares)


def test_the_week_marks_an_exclusive_schedule_and_inserted_priority() -> None:
    manifest = _sourced()
    urgent = TextItem(id="p1", title="Cảnh báo lũ", priority=Priority.PRIORITY, duration_s=20)
    sources = [manifest.sources[0],
               manifest.sources[1].model_copy(update={"exclusive": True}),
               manifest.sources[0].model_copy(update={"schedule_id": "11", "regions": [
                   RegionPlaylist(region_id="main", item_ids=["p1"])]})]
    day = week(manifest.model_copy(update={"items": [*manifest.items, urgent], "sources": sources}), NOW)[0]
    evening = next(b for b in day.blocks if b.begin == time(19))
    assert [(s.schedule_id, s.share, s.exclusive) for s in evening.shares] == [("9", 1.0, True)]
    morning = day.blocks[0]
    assert {s.schedule_id: s.priority for s in morning.shares} == {"7": False, "11": True}
