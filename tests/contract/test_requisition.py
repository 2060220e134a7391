"""A requisitioned board's day (Decree 49 "huy động, trưng dụng"): the government's schedules only
inside the requisition windows, the owner's outside them, an emergency bulletin at any time."""

from __future__ import annotations

from datetime import datetime, timedelta

from signage_contract import Priority, Requisition, Window
from signage_contract.programme import Play, plays, requisitioned, window_inside, window_outside

from .test_programme import DAY, END, TZ, index, item, local, source

# Five minutes in every hour from 06:00 to 22:00 (local).
WINDOWS = [Window(start=local(h), end=local(h, 5)) for h in range(6, 22)]
REQUISITION = Requisition(windows=WINDOWS)


def in_window(at: datetime) -> bool:
    return any(w.start <= at < w.end for w in WINDOWS)


def day_plays(*, emergency_at: datetime | None = None) -> list[Play]:
    items = [item("gov-a"), item("gov-b", 20), item("notice", 15, Priority.PRIORITY),
             item("shop-1"), item("shop-2")]
    sources = [
        source("province", ["gov-a", "gov-b"]),
        source("commune", ["notice"]),
        source("owner", ["shop-1", "shop-2"], owner=True),
    ]
    if emergency_at is not None:
        items.append(item("storm", 30, Priority.EMERGENCY, valid_from=emergency_at,
                          valid_until=emergency_at + timedelta(minutes=20)))
        sources.append(source("alert", ["storm", "gov-a"]))
    found = index(*items)
    return plays(requisitioned(sources, found, REQUISITION), found, TZ, DAY, END)


def test_government_content_plays_only_inside_the_windows_and_the_owners_only_outside() -> None:
    found = day_plays()
    assert found, "the board plays all day"
    for play in found:
        if play.source.owner:
            assert not in_window(play.start) and not in_window(play.end - timedelta(microseconds=1))
        else:
            window = next(w for w in WINDOWS if w.start <= play.start < w.end)
            assert play.end <= window.end
    minutes = [DAY + timedelta(minutes=m) for m in range(24 * 60)]
    covered = {p.start.replace(second=0, microsecond=0) for p in found}
    assert all(m in covered for m in minutes), "every minute of the day has something playing"
    government_s = sum((p.end - p.start).total_seconds() for p in found if not p.source.owner)
    assert government_s == 16 * 5 * 60  # exactly the windows' airtime


def test_priority_content_opens_each_window() -> None:
    found = day_plays()
    for window in WINDOWS:
        first = next(p for p in found if p.start == window.start)
        assert first.item.id == "notice"


def test_an_emergency_bulletin_plays_at_any_minute_and_the_owner_never_over_it() -> None:
    for minute in (0, 3 * 60 + 17, 6 * 60 + 2, 9 * 60 + 41, 21 * 60 + 59, 23 * 60 + 30):
        start = DAY + timedelta(minutes=minute)
        end = min(start + timedelta(minutes=20), END)
        found = day_plays(emergency_at=start)
        during = [p for p in found if p.start < end and p.end > start]
        assert during[0].start <= start and during[0].item.id in {"storm", "notice", "gov-a", "gov-b"}
        assert not any(p.source.owner for p in during), minute
        assert any(p.item.id == "storm" for p in during), minute
        outside = [p for p in during if not in_window(p.start)]
        assert {p.item.id for p in outside} <= {"storm"}, minute


def test_cutting_twice_changes_nothing_so_a_player_may_cut_what_the_server_cut() -> None:
    items = index(item("gov-a"), item("storm", 30, Priority.EMERGENCY), item("shop-1"))
    sources = [source("province", ["gov-a", "storm"]),
               source("owner", ["shop-1"], owner=True, exclusive=True)]
    once = requisitioned(sources, items, REQUISITION)
    assert requisitioned(once, items, REQUISITION) == once
    assert [s.exclusive for s in once] == [False, True, False]
    assert requisitioned(sources, items, None) == sources


def test_a_requisitioned_board_without_windows_is_its_owners_except_for_emergencies() -> None:
    items = index(item("gov-a"), item("shop-1"))
    sources = [source("province", ["gov-a"]), source("owner", ["shop-1"], owner=True)]
    cut = requisitioned(sources, items, Requisition())
    assert [s.schedule_id for s in cut] == ["owner"]


def test_window_arithmetic() -> None:
    whole = [Window(start=DAY, end=END)]
    assert window_inside(whole, WINDOWS) == WINDOWS
    outside = window_outside(whole, WINDOWS)
    assert outside[0] == Window(start=DAY, end=local(6))
    assert outside[-1] == Window(start=local(21, 5), end=END)
    assert len(outside) == 17
