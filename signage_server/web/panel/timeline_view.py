"""What a board shows, read from its composed manifest: the play (or entry) playing now, today's
airtime plan by the programme rule, and a 7-day grid in the board's local time (who shares each
stretch of each day, by the programme rule; the old timeline for a manifest without sources).
Pure functions over the wire ``Manifest`` (``now`` is passed in)."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import pairwise

from signage_contract import (
    ClockItem,
    ImageItem,
    Manifest,
    PdfItem,
    PlayReason,
    SignedManifest,
    TextItem,
    TickerItem,
)
from signage_contract.manifest import Item, TimelineEntry
from signage_contract.programme import Programme, boundaries, plays, segment_plays, taking_part
from signage_contract.timezone import LOCAL_ZONE
from signage_server.manifest.playtime import item_seconds
from signage_server.manifest.programme import PlanHour, hourly_shares
from signage_server.web.panel.labels import N_

WEEK_DAYS = 7
VIETNAM = LOCAL_ZONE


def parse_document(document: str) -> Manifest:
    return Manifest.model_validate_json(SignedManifest.model_validate_json(document).payload)


def zone_of(manifest: Manifest) -> tzinfo:
    try:
        return zoneinfo.ZoneInfo(manifest.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return VIETNAM


IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP"}
CLOCK_FORMATS = {"datetime": N_("date and time"), "time": N_("time of day"), "date": N_("date")}


def describe_item(item: Item) -> str:
    """A one-line label for an item, in the words the editor wrote."""
    if isinstance(item, TextItem):
        return item.title or item.body[:80]
    if isinstance(item, TickerItem):
        return item.text[:80]
    if isinstance(item, ImageItem):
        kind = IMAGE_TYPES.get(item.media.content_type, item.media.content_type)
        return f"{item.media.width}×{item.media.height} {kind}"
    if isinstance(item, PdfItem):
        return f"PDF {len(item.pages)} × {item.page_s:g} s"
    if isinstance(item, ClockItem):
        return CLOCK_FORMATS[item.format]  # the page translates it (board.html)
    return item.kind


@dataclass(frozen=True)
class RegionNow:
    region_id: str
    items: list[tuple[str, str]]  # (kind, label)


@dataclass(frozen=True)
class NowPlaying:
    entry: TimelineEntry
    regions: list[RegionNow]
    overrides: list[str]


def now_playing(manifest: Manifest, now: datetime) -> NowPlaying | None:
    """The play at ``now`` by the programme (a manifest with sources) or the timeline entry."""
    entry = _play_entry(manifest, now) if manifest.sources else next(
        (e for e in manifest.timeline if e.start <= now < e.end), None)
    active = [o.title for o in manifest.overrides if o.starts_at <= now < o.expires_at]
    if entry is None:
        return None
    index = manifest.item_index()
    regions = [
        RegionNow(r.region_id, [(index[i].kind, describe_item(index[i])) for i in r.item_ids if i in index])
        for r in entry.regions
    ]
    return NowPlaying(entry, regions, active)


def _play_entry(manifest: Manifest, now: datetime) -> TimelineEntry | None:
    programme = Programme(manifest.sources, manifest.item_index(), manifest.timezone, item_seconds(manifest))
    play, _until = programme.play_at(now)
    if play is None:
        return None
    return TimelineEntry(start=play.start, end=play.end, layout_id=play.source.layout_id,
                         schedule_id=play.source.schedule_id,
                         reason=PlayReason.PRIORITY if play.priority else PlayReason.SCHEDULED,
                         regions=play.source.regions)


def airtime_plan(manifest: Manifest, now: datetime) -> list[PlanHour]:
    """The programme of the board's local day of ``now`` hour by hour: who plays and their share
    (empty for a manifest without sources)."""
    if not manifest.sources:
        return []
    zone = zone_of(manifest)
    day = now.astimezone(zone).date()
    start = datetime.combine(day, time(0), zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
    found = plays(manifest.sources, manifest.item_index(), manifest.timezone, start, end,
                  seconds=item_seconds(manifest))
    return hourly_shares(found, zone)


@dataclass(frozen=True)
class SourceShare:
    """A schedule's share of a block's airtime; ``exclusive``: it takes the board alone;
    ``priority``: it inserted priority bulletins ahead of the loop there."""

    schedule_id: str | None
    share: float
    exclusive: bool = False
    priority: bool = False


@dataclass(frozen=True)
class WeekBlock:
    """A stretch of a local day in which the same schedules share the board the same way."""

    begin: time
    end: time
    shares: tuple[SourceShare, ...]
    reason: str = PlayReason.SCHEDULED.value


@dataclass
class DayColumn:
    day: date
    blocks: list[WeekBlock] = field(default_factory=list)


def week(manifest: Manifest, now: datetime) -> list[DayColumn]:
    """The next 7 local days (today first): by the programme rule for a manifest with sources (who
    shares each stretch and how much), else the timeline's entries split at local midnights."""
    zone = zone_of(manifest)
    first = now.astimezone(zone).date()
    columns = [DayColumn(first + timedelta(days=n)) for n in range(WEEK_DAYS)]
    if manifest.sources:
        for column in columns:
            column.blocks = _programme_day(manifest, column.day, zone)
        return columns
    by_day = {c.day: c for c in columns}
    last = columns[-1].day
    for entry in manifest.timeline:
        start, end = entry.start.astimezone(zone), entry.end.astimezone(zone)
        day = max(start.date(), first)
        while day <= min(end.date(), last):
            begin = max(start, datetime.combine(day, time(0), zone))
            stop = min(end, datetime.combine(day + timedelta(days=1), time(0), zone))
            if stop > begin:
                share = SourceShare(entry.schedule_id, 1.0)
                by_day[day].blocks.append(WeekBlock(begin.time(), _end_time(stop, day), (share,),
                                                    entry.reason.value))
            day += timedelta(days=1)
    return columns


def _programme_day(manifest: Manifest, day: date, zone: tzinfo) -> list[WeekBlock]:
    """One local day, segment by segment (the rule's own boundaries), adjacent segments with the
    same shares merged. Shares are measured on the segment's plays, as the board makes them."""
    start = datetime.combine(day, time(0), zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
    items = manifest.item_index()
    length = item_seconds(manifest)
    blocks: list[WeekBlock] = []
    for seg_start, seg_end in pairwise(boundaries(manifest.sources, items, manifest.timezone, start, end)):
        parts = taking_part(manifest.sources, items, seg_start)
        if not parts:
            continue
        seconds: dict[str, float] = {}
        inserted: set[str] = set()
        for play in segment_plays(parts, seg_start, seg_end, length):
            sid = play.source.schedule_id
            seconds[sid] = seconds.get(sid, 0.0) + (play.end - play.start).total_seconds()
            if play.priority:
                inserted.add(sid)
        total = sum(seconds.values()) or 1.0
        exclusive = {s.schedule_id for s, _ in parts if s.exclusive}
        shares = tuple(sorted((SourceShare(sid, round(v / total, 2), sid in exclusive, sid in inserted)
                               for sid, v in seconds.items()), key=lambda s: (-s.share, s.schedule_id or "")))
        begin, stop = seg_start.astimezone(zone), seg_end.astimezone(zone)
        previous = blocks[-1] if blocks else None
        if previous is not None and previous.shares == shares and previous.end == begin.time():
            blocks[-1] = WeekBlock(previous.begin, _end_time(stop, day), shares)
        else:
            blocks.append(WeekBlock(begin.time(), _end_time(stop, day), shares))
    return blocks


def _end_time(stop: datetime, day: date) -> time:
    """Midnight at the end of the day reads as 24:00, shown as 23:59."""
    return time(23, 59) if stop.date() > day else stop.time()
