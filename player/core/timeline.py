"""What every region shows at an instant, and when to look again (pure: no clock, no I/O).

A manifest with programme ``sources`` is played by the programme rule
(``signage_contract.programme``, the same functions the server uses for its plan): each play shows
its source schedule's layout, its item in the layout's lead region and the source's other regions
looping from the start of the segment. The rest of this docstring is about the ``timeline`` of a
manifest without sources (a server of the previous contract).

Each timeline entry loops its regions' playlists, the loop anchored at the entry's start, so any
instant has one answer and a rebooted board picks up exactly where the schedule is. Forgiving on
read: absurd durations are clamped, items not valid now or not playable (media missing, unknown kind)
are skipped, and when nothing is left the main region falls back to the fallback slide. Where entries
overlap, one with something to play now always wins over one with nothing (then the higher reason,
then the later start), so an empty entry never hides content.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from signage_contract import (
    EmergencyOverride,
    Item,
    Layout,
    Manifest,
    PlayReason,
    Priority,
    Region,
    RegionRole,
    TimelineEntry,
    UnknownItem,
    next_change_at,
    winning_override,
)
from signage_contract.programme import MAX_ITEM_S as MAX_ITEM_S
from signage_contract.programme import MIN_ITEM_S as MIN_ITEM_S
from signage_contract.programme import Play, Programme, lead_regions, playing_sources
from signage_contract.programme import clamp_duration_s as clamp_duration_s

IDLE_RECHECK = timedelta(hours=1)
_US = timedelta(microseconds=1)
_REASON_RANK = {
    PlayReason.FALLBACK: 0,
    PlayReason.SCHEDULED: 1,
    PlayReason.PRIORITY: 2,
    PlayReason.EMERGENCY: 3,
}

FALLBACK_LAYOUT = Layout(
    id="_fallback",
    name="Dự phòng",
    regions=[Region(id="main", role=RegionRole.MAIN, x=0, y=0, w=1, h=1)],
)

Playable = Callable[[Item], bool]
# How long an item plays in a region: its ``duration_s`` unless the screen knows better (a paged
# text lasts as long as its pages take to read; the screen measures them at the region's size).
DurationOf = Callable[[Item, Region], float]


def _always(_: Item) -> bool:
    return True


def _as_sent(item: Item, _: Region) -> float:
    return item.duration_s


@dataclass(frozen=True)
class RegionShow:
    """One region's content: ``item`` None means the fallback slide (main) or the layout background."""

    region: Region
    item: Item | None
    started_at: datetime


@dataclass(frozen=True)
class Frame:
    layout: Layout
    regions: tuple[RegionShow, ...]
    override: EmergencyOverride | None
    entry: TimelineEntry | None
    next_change_at: datetime


def resolve(
    manifest: Manifest | None,
    now: datetime,
    playable: Playable = _always,
    overrides: Sequence[EmergencyOverride] | None = None,
    duration_of: DurationOf = _as_sent,
    screen: tuple[int, int] | None = None,
) -> Frame:
    """What to show at ``now`` and the next instant at which the answer may change.

    ``overrides`` (the board's stored set, pushed or from manifests) replaces the manifest's own
    list when given, so a pushed override shows before any manifest and even without one.
    ``screen`` (the window's size) places each play's lead region for its orientation, where
    ``duration_of`` measures it.
    """
    changes: list[datetime] = [now + IDLE_RECHECK]
    listed = overrides if overrides is not None else (manifest.overrides if manifest else ())
    override = active_override(listed, now, changes)
    if manifest is None:
        show = (RegionShow(FALLBACK_LAYOUT.regions[0], None, now),)
        return Frame(FALLBACK_LAYOUT, show, override, None, min(changes))
    if manifest.sources:
        return _programme_frame(manifest, now, playable, override, changes, duration_of, screen)
    index = manifest.item_index()
    entry = _current_entry(
        manifest, now, changes, lambda e: _has_content(manifest, e, index, now, playable, changes)
    )
    shows: tuple[RegionShow, ...]
    if entry is None:
        layout, shows = FALLBACK_LAYOUT, (RegionShow(FALLBACK_LAYOUT.regions[0], None, now),)
    else:
        layout = manifest.layout(entry.layout_id) or FALLBACK_LAYOUT
        playlists = {p.region_id: p.item_ids for p in entry.regions}
        shows = tuple(
            _region_show(
                region,
                entry.start,
                [index[i] for i in playlists.get(region.id, []) if i in index],
                now,
                playable,
                changes,
                duration_of,
            )
            for region in sorted(layout.regions, key=lambda r: r.z)
        )
    next_change = min(t for t in changes if t > now)
    return Frame(layout, shows, override, entry, next_change)


_PLAY_REASONS = {
    Priority.NORMAL: PlayReason.SCHEDULED,
    Priority.PRIORITY: PlayReason.PRIORITY,
    Priority.EMERGENCY: PlayReason.EMERGENCY,
}
_programmes: dict[tuple[int, DurationOf, tuple[int, int] | None], tuple[Manifest, Programme]] = {}


def programme_of(
    manifest: Manifest, duration_of: DurationOf = _as_sent, screen: tuple[int, int] | None = None
) -> Programme:
    """The manifest's programme (its sources whose layout it carries), made once per manifest (and
    duration rule and screen) so its segments' plays are computed once. A lead item lasts what
    ``duration_of`` says in its source's lead region as placed on a ``screen``-sized board: a paged
    text as long as its pages take to read."""
    key = (id(manifest), duration_of, screen)
    cached = _programmes.get(key)
    if cached is not None and cached[0] is manifest:
        return cached[1]
    regions = lead_regions(manifest, screen)

    def seconds(item: Item) -> float:
        region = regions.get(item.id)
        return duration_of(item, region) if region is not None else item.duration_s

    programme = Programme(playing_sources(manifest), manifest.item_index(), manifest.timezone, seconds)
    if len(_programmes) >= 4:
        _programmes.clear()
    _programmes[key] = (manifest, programme)
    return programme


def _programme_frame(
    manifest: Manifest,
    now: datetime,
    playable: Playable,
    override: EmergencyOverride | None,
    changes: list[datetime],
    duration_of: DurationOf = _as_sent,
    screen: tuple[int, int] | None = None,
) -> Frame:
    programme = programme_of(manifest, duration_of, screen)
    play, until = programme.play_at(now, playable)
    changes.append(until)
    layout = manifest.layout(play.source.layout_id) if play is not None else None
    if play is None or layout is None:
        show = (RegionShow(FALLBACK_LAYOUT.regions[0], None, now),)
        return Frame(FALLBACK_LAYOUT, show, override, None, min(t for t in changes if t > now))
    entry = play_entry(play)
    playlists = {p.region_id: p.item_ids for p in play.source.regions}
    shows = tuple(
        RegionShow(region, play.item, play.start)
        if region.id == play.source.lead_region_id
        else _region_show(
            region,
            play.segment_start,
            [programme.items[i] for i in playlists.get(region.id, []) if i in programme.items],
            now,
            playable,
            changes,
            duration_of,
        )
        for region in sorted(layout.regions, key=lambda r: r.z)
    )
    return Frame(layout, shows, override, entry, min(t for t in changes if t > now))


def play_entry(play: Play) -> TimelineEntry:
    """A play as a timeline entry (what play tracking and the compositor read)."""
    return TimelineEntry(
        start=play.start,
        end=play.end,
        layout_id=play.source.layout_id,
        schedule_id=play.source.schedule_id,
        reason=_PLAY_REASONS[play.item.priority],
        regions=play.source.regions,
    )


def active_override(
    overrides: Sequence[EmergencyOverride], now: datetime, changes: list[datetime]
) -> EmergencyOverride | None:
    """The override to show by the contract's precedence rule (highest risk level, then the most
    recently issued); the next start or expiry joins ``changes``."""
    upcoming = next_change_at(overrides, now)
    if upcoming is not None:
        changes.append(upcoming)
    return winning_override(overrides, now)


def _current_entry(
    manifest: Manifest, now: datetime, changes: list[datetime], has_content: Callable[[TimelineEntry], bool]
) -> TimelineEntry | None:
    current: list[TimelineEntry] = []
    for entry in manifest.timeline:
        if manifest.layout(entry.layout_id) is None:
            continue  # forgiving on read: an entry naming an unknown layout is skipped
        if entry.start > now:
            changes.append(entry.start)
        elif now < entry.end:
            current.append(entry)
            changes.append(entry.end)
    if len(current) < 2:
        return current[0] if current else None
    return max(current, key=lambda e: (has_content(e), _REASON_RANK[e.reason], e.start))


def _has_content(
    manifest: Manifest,
    entry: TimelineEntry,
    index: Mapping[str, Item],
    now: datetime,
    playable: Playable,
    changes: list[datetime],
) -> bool:
    """Whether one of the entry's regions has an item to show at ``now``; the instants at which an
    item becomes (in)valid join ``changes``, since the answer may change then."""
    layout = manifest.layout(entry.layout_id)
    shown = {region.id for region in layout.regions} if layout is not None else set()
    found = False
    for region in entry.regions:
        for item_id in region.item_ids if region.region_id in shown else ():
            item = index.get(item_id)
            if item is None or isinstance(item, UnknownItem) or not playable(item):
                continue
            changes.extend(t for t in (item.valid_from, item.valid_until) if t is not None and t > now)
            found = found or item.valid_at(now)
    return found


def _region_show(
    region: Region,
    anchor: datetime,
    items: list[Item],
    now: datetime,
    playable: Playable,
    changes: list[datetime],
    duration_of: DurationOf,
) -> RegionShow:
    candidates = [it for it in items if not isinstance(it, UnknownItem) and playable(it)]
    for item in candidates:  # an item becoming (in)valid changes the loop
        changes.extend(t for t in (item.valid_from, item.valid_until) if t is not None and t > now)
    loop = [it for it in candidates if it.valid_at(now)]
    if not loop:
        return RegionShow(region, None, anchor)
    if len(loop) == 1:  # one item plays continuously: no cut at each loop boundary
        return RegionShow(region, loop[0], anchor)
    durations = [round(clamp_duration_s(duration_of(it, region)) * 1_000_000) for it in loop]
    offset = ((now - anchor) // _US) % sum(durations)
    for item, duration in zip(loop, durations, strict=True):
        if offset < duration:
            started = now - offset * _US
            changes.append(started + duration * _US)
            return RegionShow(region, item, started)
        offset -= duration
    raise AssertionError("offset is always inside the loop")  # pragma: no cover
