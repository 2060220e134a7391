"""The programme rule (``signage_contract.programme``): table tests, and a seeded random test
against a slow reference that recomputes every play from the history of its segment."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from signage_contract import Item, Priority, ProgrammeSource, RegionPlaylist, TextItem, UnknownItem, Window
from signage_contract.programme import Play, Programme, clamp_duration_s, is_priority, plays

TZ = "Asia/Ho_Chi_Minh"
ZONE = ZoneInfo(TZ)
DAY = datetime(2026, 11, 30, tzinfo=ZONE).astimezone(UTC)  # local midnight
END = DAY + timedelta(days=1)
S = timedelta(seconds=1)


def local(hour: int, minute: int = 0) -> datetime:
    return DAY + timedelta(hours=hour, minutes=minute)


def item(item_id: str, seconds: float = 10, priority: Priority = Priority.NORMAL, **extra: object) -> Item:
    return TextItem.model_validate({"id": item_id, "duration_s": seconds, "priority": priority, **extra})


def source(
    sid: str,
    item_ids: Sequence[str],
    windows: Sequence[tuple[datetime, datetime]] = ((DAY, END),),
    **extra: object,
) -> ProgrammeSource:
    return ProgrammeSource.model_validate({
        "schedule_id": sid,
        "layout_id": "full",
        "lead_region_id": "main",
        "windows": [Window(start=a, end=b) for a, b in windows],
        "regions": [RegionPlaylist(region_id="main", item_ids=list(item_ids))],
        **extra,
    })


def index(*items: Item) -> dict[str, Item]:
    return {it.id: it for it in items}


def who(found: Sequence[Play]) -> list[str]:
    return [p.item.id for p in found]


def test_equal_weights_alternate_sources_each_in_its_own_order() -> None:
    items = index(item("a1"), item("a2"), item("b1"))
    found = plays([source("1", ["a1", "a2"]), source("2", ["b1"])], items, TZ, DAY, DAY + 60 * S)
    assert who(found) == ["a1", "b1", "a2", "b1", "a1", "b1"]
    assert [p.source.schedule_id for p in found[:2]] == ["1", "2"]
    assert all(a.end == b.start for a, b in pairwise(found))


def test_weight_is_a_share_of_airtime_not_of_plays() -> None:
    items = index(item("a", 10), item("b", 30))
    found = plays([source("1", ["a"], weight=3), source("2", ["b"], weight=1)], items, TZ, DAY, local(1))
    air = {sid: sum(((p.end - p.start) for p in found if p.source.schedule_id == sid), timedelta())
           for sid in ("1", "2")}
    assert abs(air["1"] / (air["1"] + air["2"]) - 0.75) < 0.01
    assert who(found)[:5] == ["a", "b", "a", "a", "a"]  # smooth: a never waits for b's whole share


def test_default_plays_only_when_nothing_else_takes_part() -> None:
    items = index(item("d"), item("e"))
    sources = [source("1", ["d"], default=True), source("2", ["e"], windows=[(local(19), local(21))])]
    found = plays(sources, items, TZ, DAY, END)
    assert {p.item.id for p in found if local(19) <= p.start < local(21)} == {"e"}
    assert {p.item.id for p in found if not local(19) <= p.start < local(21)} == {"d"}


def test_exclusive_takes_the_board_alone_only_while_open() -> None:
    items = index(item("n"), item("p", priority=Priority.PRIORITY), item("x"), item("y"))
    sources = [
        source("1", ["n", "p"]),
        source("2", ["x"], windows=[(local(8), local(9))], exclusive=True),
        source("3", ["y"], windows=[(local(8, 30), local(10))], exclusive=True, weight=2),
    ]
    found = plays(sources, items, TZ, DAY, END)
    assert {p.item.id for p in found if local(8) <= p.start < local(8, 30)} == {"x"}
    assert {p.item.id for p in found if local(8, 30) <= p.start < local(9)} == {"x", "y"}
    assert {p.item.id for p in found if local(9) <= p.start < local(10)} == {"y"}
    assert {p.item.id for p in found if p.start >= local(10)} == {"n", "p"}


def test_priority_plays_first_when_its_window_opens_then_at_least_every_n_minutes() -> None:
    items = index(item("n1", 25), item("n2", 25), item("p", 15, Priority.PRIORITY))
    sources = [source("1", ["n1", "n2"]), source("2", ["p"], windows=[(local(7), local(12))],
                                                    priority_every_min=5)]
    found = plays(sources, items, TZ, DAY, END)
    at_seven = next(p for p in found if p.start >= local(7))
    assert (at_seven.start, at_seven.item.id, at_seven.priority) == (local(7), "p", True)
    starts = [p.start for p in found if p.item.id == "p"]
    assert starts[-1] >= local(11, 55) and max(b - a for a, b in pairwise(starts)) \
        <= timedelta(minutes=5)
    assert not any(p.item.id == "p" for p in found if not local(7) <= p.start < local(12))


def test_several_priority_items_take_turns_in_their_slot() -> None:
    items = index(item("n", 60), item("p1", priority=Priority.PRIORITY),
                  item("p2", priority=Priority.EMERGENCY))
    found = plays([source("1", ["n", "p1", "p2"], priority_every_min=2)], items, TZ, DAY, DAY + 600 * S)
    assert who(found)[:6] == ["p1", "n", "p2", "n", "p1", "n"]


def test_priority_alone_loops_and_long_items_cannot_starve_the_loop() -> None:
    items = index(item("p1", priority=Priority.PRIORITY), item("p2", priority=Priority.PRIORITY),
                  item("long", 900))
    alone = plays([source("1", ["p1", "p2"])], items, TZ, DAY, DAY + 40 * S)
    assert who(alone) == ["p1", "p2", "p1", "p2"]
    mixed = plays([source("1", ["long", "p1"], priority_every_min=1)], items, TZ, DAY, DAY + 3600 * S)
    assert who(mixed)[:4] == ["p1", "long", "p1", "long"]


def test_a_source_with_nothing_valid_does_not_take_part_and_segments_restart() -> None:
    until = local(10)
    items = index(item("d"), item("dated", 7, valid_until=until))
    sources = [source("1", ["d"], default=True), source("2", ["dated"])]
    found = plays(sources, items, TZ, DAY, END)
    assert {p.item.id for p in found if p.start < until} == {"dated"}
    assert {p.item.id for p in found if p.start >= until} == {"d"}
    assert any(p.start == until for p in found)  # the segment restarts at the boundary
    assert all(p.end <= until or p.start >= until for p in found)  # a play ends at a boundary


def test_unknown_kind_and_unplayable_items_are_skipped() -> None:
    unknown = UnknownItem.model_validate({"id": "u", "kind": "hologram"})
    items: dict[str, Item] = {**index(item("a"), item("b"), item("c")), "u": unknown}
    found = plays([source("1", ["a", "u", "b", "c"])], items, TZ, DAY, DAY + 40 * S,
                  lambda it: it.id != "b")
    assert who(found) == ["a", "c", "a", "c"]


def test_play_at_answers_like_the_plays_it_lists() -> None:
    items = index(item("a", 7), item("b", 13), item("p", 11, Priority.PRIORITY))
    sources = [source("1", ["a", "p"]), source("2", ["b"], windows=[(local(6), local(7))], weight=2)]
    found = plays(sources, items, TZ, DAY, END)
    programme = Programme(sources, items, TZ)
    for play in found[::97]:
        for moment in (play.start, play.start + (play.end - play.start) / 2):
            answer, until = programme.play_at(moment)
            assert answer == play and until == play.end


# --- seeded random test against a slow reference -------------------------------------------------


Row = tuple[datetime, datetime, str, str, bool]  # start, end, schedule, item, priority


def reference(sources: Sequence[ProgrammeSource], items: Mapping[str, Item], start: datetime,
              end: datetime) -> list[Row]:
    """The rule as the module docstring states it, recomputed for every play from the plays of
    its segment so far (slow, no incremental state)."""
    edges = {start, end}
    for s in sources:
        edges |= {t for w in s.windows for t in (w.start, w.end)}
        edges |= {t for i in s.lead_item_ids() for t in (items[i].valid_from, items[i].valid_until) if t}
    moment = start
    while moment < end:  # local midnights, found by walking the clock
        if (moment + timedelta(hours=1)).astimezone(ZONE).date() != moment.astimezone(ZONE).date():
            edges.add((moment + timedelta(hours=1)).astimezone(ZONE).replace(hour=0).astimezone(UTC))
        moment += timedelta(hours=1)
    edges = {t for t in edges if start <= t <= end}
    out: list[Row] = []
    t = start
    while t < end:
        seg_start = max(e for e in edges if e <= t)
        seg_end = min(e for e in edges if e > t)
        history = [p for p in out if p[0] >= seg_start]
        present = [s for s in sources
                   if any(w.start <= seg_start < w.end for w in s.windows) and _live(s, items, seg_start)]
        if any(s.exclusive for s in present):
            present = [s for s in present if s.exclusive]
        elif any(not s.default for s in present):
            present = [s for s in present if not s.default]
        normal = [s for s in present if any(not is_priority(x) for x in _live(s, items, seg_start))]
        urgent = [s for s in present if any(is_priority(x) for x in _live(s, items, seg_start))]
        pick = min(normal, key=lambda s: (_share(s, history), normal.index(s))) if normal else None
        since_normal = []
        for p in reversed(history):
            if not p[4]:
                break
            since_normal.append(p[2])
        next_end = t + _length(_nth(pick, False, items, seg_start, history)) if pick is not None else t
        due = [s for s in urgent if pick is None or (
            s.schedule_id not in since_normal and next_end > _deadline(s, seg_start, history))]
        if due:
            chosen = min(due, key=lambda s: (_deadline(s, seg_start, history), urgent.index(s)))
            prio = True
        elif pick is not None:
            chosen, prio = pick, False
        else:
            t = seg_end
            continue
        x = _nth(chosen, prio, items, seg_start, history)
        stop = min(seg_end, t + _length(x))
        out.append((t, stop, chosen.schedule_id, x.id, prio))
        t = stop
    return out


def _live(s: ProgrammeSource, items: Mapping[str, Item], at: datetime) -> list[Item]:
    found = [items[i] for i in s.lead_item_ids()]
    return [x for x in found if not isinstance(x, UnknownItem) and x.valid_at(at)]


def _nth(s: ProgrammeSource, prio: bool, items: Mapping[str, Item], at: datetime, history: list[Row]) -> Item:
    loop = [x for x in _live(s, items, at) if is_priority(x) == prio]
    count = sum(1 for p in history if p[2] == s.schedule_id and p[4] == prio)
    return loop[count % len(loop)]


def _length(x: Item) -> timedelta:
    return timedelta(microseconds=round(clamp_duration_s(x.duration_s) * 1_000_000))


def _share(s: ProgrammeSource, history: list[Row]) -> Fraction:
    air = sum((p[1] - p[0] for p in history if p[2] == s.schedule_id and not p[4]), timedelta())
    return Fraction(air // timedelta(microseconds=1), s.weight)


def _deadline(s: ProgrammeSource, seg_start: datetime, history: list[Row]) -> datetime:
    last = [p[0] for p in history if p[2] == s.schedule_id and p[4]]
    return last[-1] + timedelta(minutes=s.priority_every_min) if last else seg_start


def _random_case(rng: random.Random) -> tuple[list[ProgrammeSource], dict[str, Item]]:
    items: dict[str, Item] = {}
    sources = []
    for sid in range(1, rng.randint(1, 5) + 1):
        ids = []
        for k in range(rng.randint(1, 4)):
            extra: dict[str, object] = {}
            valid_from = DAY + timedelta(minutes=rng.randint(0, 240))
            if rng.random() < 0.2:
                extra["valid_from"] = valid_from
            if rng.random() < 0.2:
                extra["valid_until"] = valid_from + timedelta(minutes=rng.randint(1, 120))
            prio = rng.choice([Priority.NORMAL] * 3 + [Priority.PRIORITY, Priority.EMERGENCY])
            seconds = rng.choice([1, 5, 8, 12.5, 30, 75, 200])
            items[f"s{sid}i{k}"] = item(f"s{sid}i{k}", seconds, prio, **extra)
            ids.append(f"s{sid}i{k}")
        windows = []
        cursor = DAY + timedelta(minutes=rng.randint(-60, 60))
        for _ in range(rng.randint(1, 3)):
            opens = cursor + timedelta(minutes=rng.randint(0, 90))
            closes = opens + timedelta(minutes=rng.randint(5, 200))
            windows.append((opens, closes))
            cursor = closes
        sources.append(source(str(sid), ids, windows, weight=rng.randint(1, 4),
                              exclusive=rng.random() < 0.12, default=rng.random() < 0.2,
                              priority_every_min=rng.choice([1, 2, 5, 10])))
    return sources, items


@pytest.mark.parametrize("seed", range(12))
def test_random_programmes_match_the_slow_reference(seed: int) -> None:
    rng = random.Random(seed)
    sources, items = _random_case(rng)
    start = DAY - timedelta(hours=1) if seed % 3 == 0 else DAY  # across a local midnight too
    end = DAY + timedelta(hours=6)
    found = [(p.start, p.end, p.source.schedule_id, p.item.id, p.priority)
             for p in plays(sources, items, TZ, start, end)]
    assert found == reference(sources, items, start, end)


def test_a_lead_items_region_is_the_layouts_variant_for_the_boards_orientation() -> None:
    """A play is timed where it is drawn: on a portrait board, in the portrait variant's region."""
    from signage_contract import Manifest
    from signage_contract.programme import lead_regions

    regions = [{"id": "main", "role": "main", "x": 0, "y": 0, "w": 0.7, "h": 1},
               {"id": "side", "role": "side", "x": 0.7, "y": 0, "w": 0.3, "h": 1}]
    portrait = [{"id": "main", "role": "main", "x": 0, "y": 0, "w": 1, "h": 0.7},
                {"id": "side", "role": "side", "x": 0, "y": 0.7, "w": 1, "h": 0.3}]
    manifest = Manifest.model_validate({
        "board_id": "1", "generated_at": DAY, "valid_from": DAY, "valid_until": END,
        "layouts": [{"id": "split", "name": "Chia đôi", "regions": regions,
                     "variants": {"portrait": portrait}}],
        "items": [{"kind": "text", "id": "t", "title": "Thông báo"}], "timeline": [],
        "sources": [{"schedule_id": "1", "layout_id": "split", "lead_region_id": "main",
                     "windows": [{"start": DAY, "end": END}],
                     "regions": [{"region_id": "main", "item_ids": ["t"]}]}],
    })
    tall = lead_regions(manifest, (1080, 1920))["t"]
    assert (tall.w, tall.h) == (1, 0.7)
    assert lead_regions(manifest, (384, 192))["t"].w == lead_regions(manifest)["t"].w == 0.7
