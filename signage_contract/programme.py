"""The programme: how a board's time is shared among the schedules that reach it (issue 12).

One rule, evaluated by the server (manifest preview, ``GET /boards/{id}/programme``) and by the
player offline, with the same functions: everything here is a pure function of its arguments and
an explicit ``now`` (or ``start``/``end``); no clock, no I/O.

The manifest carries the *sources*: every schedule that reaches the board, with its open windows,
its ``weight``, its flags and its items, region by region. A play is one item of a source's *lead
region* (its layout's main region, ``ProgrammeSource.lead_region_id``) shown for the item's
duration; while it plays the board shows that source's layout, and the source's other regions
(ticker, clock, side) loop their own items anchored at the start of the segment (below). So each
play is drawn with its own schedule's layout.

The rule, at every instant:

1. *Who takes part.* A source takes part while one of its windows is open and its lead region has
   an item valid then (and playable, on the player). If an ``exclusive`` source takes part, only the
   exclusive sources do (mourning, election day, a requisition slot: the only way to silence other
   schedules); otherwise every non-default source does; a ``default`` source takes part only when
   nothing else does.
2. *Normal content shares the main loop.* Among the taking-part sources with normal items, the next
   play goes to the source with the least airtime so far relative to its ``weight`` (airtime/weight,
   compared exactly; ties go to the source listed first). Each source plays its normal items in
   playlist order, round and round. Over time each source's share of airtime tends to its weight's
   share of the total.
3. *Priority content is inserted ahead.* Items of priority (or emergency) bulletins are not in the
   loop: each source with such items has a deadline, at first the segment's start, and then the
   start of its last priority play plus its ``priority_every_min``. Before each normal play, a
   source whose deadline falls before that play would end plays its next priority item instead
   (its priority items take turns), earliest deadline first, ties to the source listed first; a
   source is not inserted twice in a row without a normal play between, so long items cannot
   starve the loop. With no normal content, priority items loop alone.
4. *Segments.* The answer restarts at every *segment* boundary: a window opening or closing, an
   item's ``valid_from``/``valid_until``, and the board's local midnight. The state (airtime,
   positions, deadlines) starts afresh at each boundary, and a play that would cross one ends
   there. So the day starts the same way each day, and a priority bulletin plays as soon as its
   window opens.
5. Emergency overrides are a layer over all of this (``overrides.py``), unchanged.
6. *A requisitioned board* (``Manifest.requisition``) is cut first (``requisitioned``): the
   government's sources are open only inside the requisition windows, except for their emergency
   bulletins, which stay open outside them as exclusive sources (an emergency at any time, over the
   owner's content); the owner's sources are open only outside the windows, never exclusive.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from heapq import heapreplace
from itertools import pairwise
from math import lcm
from zoneinfo import ZoneInfo

from .manifest import (
    Item,
    Manifest,
    Orientation,
    Priority,
    ProgrammeSource,
    Region,
    RegionPlaylist,
    Requisition,
    UnknownItem,
    Window,
)

MIN_ITEM_S = 2.0  # shorter would flicker
MAX_ITEM_S = 3600.0  # longer is a typo (e.g. milliseconds sent as seconds)
_US = timedelta(microseconds=1)

@dataclass(frozen=True, slots=True)
class Play:
    """One play: ``item`` of ``source``'s lead region from ``start`` to ``end`` (exclusive).
    ``segment_start`` anchors the loops of the source's other regions."""

    start: datetime
    end: datetime
    source: ProgrammeSource
    item: Item
    priority: bool
    segment_start: datetime


Playable = Callable[[Item], bool]


def _always(_: Item) -> bool:
    return True


def clamp_duration_s(duration_s: float) -> float:
    return min(MAX_ITEM_S, max(MIN_ITEM_S, duration_s))


def is_priority(item: Item) -> bool:
    """Priority or emergency (Circular 39): inserted ahead of the loop."""
    return item.priority is not Priority.NORMAL


ItemSeconds = Callable[[Item], float]


def as_sent(item: Item) -> float:
    """An item's length as the manifest says it (the player passes a longer one for paged text)."""
    return item.duration_s


def duration_us(item: Item, seconds: ItemSeconds = as_sent) -> int:
    return round(clamp_duration_s(seconds(item)) * 1_000_000)


def playing_sources(manifest: Manifest) -> list[ProgrammeSource]:
    """The manifest's sources whose layout it carries (forgiving on read: the others cannot play),
    cut to its requisition windows if the board is requisitioned."""
    found = [s for s in manifest.sources if manifest.layout(s.layout_id) is not None]
    return requisitioned(found, manifest.item_index(), manifest.requisition)


def window_inside(windows: Sequence[Window], within: Sequence[Window]) -> list[Window]:
    """The instants of ``windows`` that are in ``within`` (either list in any order)."""
    found: list[Window] = []
    for w in windows:
        for r in within:
            start, end = max(w.start, r.start), min(w.end, r.end)
            if start < end:
                found.append(Window.model_construct(start=start, end=end))
    return sorted(found, key=lambda w: w.start)


def window_outside(windows: Sequence[Window], within: Sequence[Window]) -> list[Window]:
    """The instants of ``windows`` that are not in ``within``."""
    cuts = sorted(within, key=lambda w: w.start)
    found: list[Window] = []
    for w in windows:
        t = w.start
        for r in cuts:
            if r.end <= t or r.start >= w.end:
                continue
            if r.start > t:
                found.append(Window.model_construct(start=t, end=r.start))
            t = max(t, r.end)
        if t < w.end:
            found.append(Window.model_construct(start=t, end=w.end))
    return sorted(found, key=lambda w: w.start)


def requisitioned(
    sources: Sequence[ProgrammeSource], items: Mapping[str, Item], requisition: Requisition | None
) -> list[ProgrammeSource]:
    """Step 6 of the rule: the sources of a requisitioned board cut to its windows (unchanged when
    ``requisition`` is None). Applying it twice gives the same sources, so a player may apply it to
    sources the server has already cut."""
    if requisition is None:
        return list(sources)
    inside = requisition.windows
    found: list[ProgrammeSource] = []
    for source in sources:
        if source.owner:
            windows = window_outside(source.windows, inside)
            if windows:
                found.append(source.model_copy(update={"windows": windows, "exclusive": False}))
            continue
        windows = window_inside(source.windows, inside)
        if windows:
            found.append(source.model_copy(update={"windows": windows}))
        urgent = _emergency_only(source, items, window_outside(source.windows, inside))
        if urgent is not None:
            found.append(urgent)
    return found


def _emergency_only(
    source: ProgrammeSource, items: Mapping[str, Item], windows: list[Window]
) -> ProgrammeSource | None:
    """The part of a government source that may play outside the windows: its emergency bulletins
    alone, exclusive (so the owner's content never plays over them)."""
    urgent = [
        i for i in source.lead_item_ids()
        if (item := items.get(i)) is not None and item.priority is Priority.EMERGENCY
    ]
    if not windows or not urgent:
        return None
    regions = [
        RegionPlaylist.model_construct(region_id=r.region_id, item_ids=urgent)
        if r.region_id == source.lead_region_id else r
        for r in source.regions
    ]
    return source.model_copy(
        update={"windows": windows, "regions": regions, "exclusive": True, "default": False}
    )


def lead_regions(manifest: Manifest, screen: tuple[int, int] | None = None) -> dict[str, Region]:
    """The region each lead item plays in (its source's lead region, as the layout places it on a
    ``screen``-sized board: its variant for the screen's orientation; the first source listing an
    item decides), so its length can be measured where it is shown."""
    found: dict[str, Region] = {}
    orientation = Orientation.of(screen) if screen is not None else Orientation.LANDSCAPE
    for source in playing_sources(manifest):
        layout = manifest.layout(source.layout_id)
        placed = layout.regions_for(orientation) if layout else []
        region = next((r for r in placed if r.id == source.lead_region_id), None)
        if region is not None:
            for item_id in source.lead_item_ids():
                found.setdefault(item_id, region)
    return found


def live_items(
    source: ProgrammeSource, items: Mapping[str, Item], now: datetime, playable: Playable
) -> list[Item]:
    """The source's lead items that can play at ``now`` (known kind, valid, playable), in order."""
    found: list[Item] = []
    for item_id in source.lead_item_ids():
        item = items.get(item_id)
        if item is not None and not isinstance(item, UnknownItem) and item.valid_at(now) and playable(item):
            found.append(item)
    return found


def taking_part(
    sources: Sequence[ProgrammeSource], items: Mapping[str, Item], now: datetime, playable: Playable = _always
) -> list[tuple[ProgrammeSource, list[Item]]]:
    """Step 1 of the rule: the sources taking part at ``now``, in listed order, with their live items."""
    present = [
        (s, found) for s in sources if s.open_at(now) and (found := live_items(s, items, now, playable))
    ]
    exclusive = [pair for pair in present if pair[0].exclusive]
    if exclusive:
        return exclusive
    regular = [pair for pair in present if not pair[0].default]
    return regular or present


def boundaries(
    sources: Sequence[ProgrammeSource],
    items: Mapping[str, Item],
    timezone: str,
    start: datetime,
    end: datetime,
) -> list[datetime]:
    """The segment boundaries in [start, end], with ``start`` and ``end`` (sorted, unique)."""
    found = {start, end}
    for source in sources:
        for window in source.windows:
            found.update(t for t in (window.start, window.end) if start < t < end)
        for item_id in source.lead_item_ids():
            item = items.get(item_id)
            edges = (item.valid_from, item.valid_until) if item is not None else ()
            found.update(t for t in edges if t is not None and start < t < end)
    zone = ZoneInfo(timezone)
    day: date = start.astimezone(zone).date()
    while True:
        day += timedelta(days=1)
        midnight = datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
        if midnight >= end:
            break
        found.add(midnight)
    return sorted(found)


def segment_plays(
    parts: Sequence[tuple[ProgrammeSource, Sequence[Item]]], start: datetime, end: datetime,
    seconds: ItemSeconds = as_sent,
) -> list[Play]:
    """Steps 2 and 3 of the rule over one segment [start, end) in which ``parts`` take part;
    ``seconds`` says how long an item plays (a paged text: as long as its pages take to read)."""
    plays: list[Play] = []
    lengths = {it.id: duration_us(it, seconds) * _US for _, live in parts for it in live}
    normal = [(s, [it for it in live if not is_priority(it)]) for s, live in parts]
    normal = [(s, its) for s, its in normal if its]
    urgent = [(s, [it for it in live if is_priority(it)]) for s, live in parts]
    urgent = [(s, its) for s, its in urgent if its]
    # Least airtime/weight first, exactly: with W the weights' least common multiple, airtime * (W //
    # weight) orders like airtime / weight in integers; a heap of (that, index) breaks ties by index.
    scale = [lcm(*(s.weight for s, _ in normal)) // s.weight for s, _ in normal] if normal else []
    heap = [(0, k) for k in range(len(normal))]
    airtime = [0] * len(normal)
    n_pos = [0] * len(normal)
    p_pos = [0] * len(urgent)
    due = [start] * len(urgent)
    just_inserted = [False] * len(urgent)
    t = start
    while t < end:
        pick = heap[0][1] if heap else None
        next_end = t
        if pick is not None:
            loop = normal[pick][1]
            next_end += lengths[loop[n_pos[pick] % len(loop)].id]
        insert = None
        for k in range(len(urgent)):
            if just_inserted[k] and pick is not None:
                continue
            if (pick is None or next_end > due[k]) and (insert is None or due[k] < due[insert]):
                insert = k
        if insert is not None:
            source, its = urgent[insert]
            item = its[p_pos[insert] % len(its)]
            p_pos[insert] += 1
            due[insert] = t + timedelta(minutes=source.priority_every_min)
            just_inserted[insert] = True
            priority = True
        elif pick is not None:
            source, its = normal[pick]
            item = its[n_pos[pick] % len(its)]
            n_pos[pick] += 1
            airtime[pick] += lengths[item.id] // _US
            heapreplace(heap, (airtime[pick] * scale[pick], pick))
            just_inserted = [False] * len(urgent)
            priority = False
        else:
            break
        stop = t + lengths[item.id]
        stop = end if stop > end else stop
        plays.append(Play(t, stop, source, item, priority, start))
        t = stop
    return plays


def plays(
    sources: Sequence[ProgrammeSource],
    items: Mapping[str, Item],
    timezone: str,
    start: datetime,
    end: datetime,
    playable: Playable = _always,
    seconds: ItemSeconds = as_sent,
) -> list[Play]:
    """Every play in [start, end) in order. ``start`` should be a segment boundary (a local midnight
    does): the programme restarts at boundaries, so a span starting elsewhere starts it afresh there."""
    found: list[Play] = []
    edges = boundaries(sources, items, timezone, start, end)
    for seg_start, seg_end in pairwise(edges):
        parts = taking_part(sources, items, seg_start, playable)
        found.extend(segment_plays(parts, seg_start, seg_end, seconds))
    return found


class Programme:
    """The rule for one manifest's sources, with each segment's plays computed once (the player
    asks many times a minute; a day's segment is a few thousand plays)."""

    def __init__(self, sources: Sequence[ProgrammeSource], items: Mapping[str, Item], timezone: str,
                 seconds: ItemSeconds = as_sent) -> None:
        self.sources = list(sources)
        self.items = items
        self.timezone = timezone
        self.seconds = seconds
        self._cache: dict[tuple[object, ...], tuple[list[datetime], list[Play]]] = {}

    def segment_around(self, now: datetime) -> tuple[datetime, datetime]:
        """The segment [start, end) containing ``now`` (bounded by local midnights)."""
        zone = ZoneInfo(self.timezone)
        day = now.astimezone(zone).date()
        lo = datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
        hi = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
        edges = boundaries(self.sources, self.items, self.timezone, lo, hi)
        i = bisect_right(edges, now) - 1
        return edges[i], edges[i + 1]

    def play_at(self, now: datetime, playable: Playable = _always) -> tuple[Play | None, datetime]:
        """The play at ``now`` (None: nothing to play) and the end of the answer's validity."""
        seg_start, seg_end = self.segment_around(now)
        parts = taking_part(self.sources, self.items, seg_start, playable)
        key = (seg_start, seg_end, *((s.schedule_id, *(it.id for it in its)) for s, its in parts))
        cached = self._cache.get(key)
        if cached is None:
            if len(self._cache) > 64:
                self._cache.clear()
            computed = segment_plays(parts, seg_start, seg_end, self.seconds)
            cached = self._cache[key] = ([p.start for p in computed], computed)
        starts, found = cached
        i = bisect_right(starts, now) - 1
        if i >= 0 and now < found[i].end:
            return found[i], found[i].end
        return None, seg_end

