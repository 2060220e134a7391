"""What a board shows, read from its composed manifest: the play (or entry) playing now, today's
airtime plan by the programme rule, and a 7-day grid of the timeline in the board's local time.
Pure functions over the wire ``Manifest`` (``now`` is passed in)."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from signage_contract import ClockItem, ImageItem, Manifest, PlayReason, SignedManifest, TextItem, TickerItem
from signage_contract.manifest import Item, TimelineEntry
from signage_contract.programme import Programme, plays
from signage_contract.timezone import LOCAL_ZONE
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
    play, _until = Programme(manifest.sources, manifest.item_index(), manifest.timezone).play_at(now)
    if play is None:
        return None
    return TimelineEntry(start=play.start, end=play.end, layout_id=play.source.layout_id,
                         schedule_id=play.source.schedule_id,
                         reason=PlayReason.PRIORITY if play.priority else PlayReason.SCHEDULED,
                         regions=play.source.regions)


@dataclass(frozen=True)
class PlanHour:
    """One local hour of the airtime plan: each source schedule's share of it (0..1), largest first."""

    hour: int
    shares: list[tuple[str, float]]


def airtime_plan(manifest: Manifest, now: datetime) -> list[PlanHour]:
    """The programme of the board's local day of ``now`` hour by hour: who plays and their share
    (empty for a manifest without sources)."""
    if not manifest.sources:
        return []
    zone = zone_of(manifest)
    day = now.astimezone(zone).date()
    start = datetime.combine(day, time(0), zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
    seconds: dict[int, dict[str, float]] = {}
    for play in plays(manifest.sources, manifest.item_index(), manifest.timezone, start, end):
        moment, sid = play.start, play.source.schedule_id
        while moment < play.end:  # a play across an hour counts in both
            local = moment.astimezone(zone)
            top = local.replace(minute=0, second=0, microsecond=0)
            stop = min(play.end, (top + timedelta(hours=1)).astimezone(UTC))
            by_hour = seconds.setdefault(local.hour, {})
            by_hour[sid] = by_hour.get(sid, 0.0) + (stop - moment).total_seconds()
            moment = stop
    plan = []
    for hour, by_source in sorted(seconds.items()):
        total = sum(by_source.values())
        shares = sorted(((s, v / total) for s, v in by_source.items()), key=lambda pair: -pair[1])
        plan.append(PlanHour(hour, shares))
    return plan


@dataclass
class DayColumn:
    day: date
    blocks: list[tuple[time, time, TimelineEntry]] = field(default_factory=list)


def week(manifest: Manifest, now: datetime) -> list[DayColumn]:
    """Each entry split at local midnights over the next 7 local days (today first)."""
    zone = zone_of(manifest)
    first = now.astimezone(zone).date()
    columns = [DayColumn(first + timedelta(days=n)) for n in range(WEEK_DAYS)]
    by_day = {c.day: c for c in columns}
    last = columns[-1].day
    for entry in manifest.timeline:
        start, end = entry.start.astimezone(zone), entry.end.astimezone(zone)
        day = max(start.date(), first)
        while day <= min(end.date(), last):
            begin = max(start, datetime.combine(day, time(0), zone))
            stop = min(end, datetime.combine(day + timedelta(days=1), time(0), zone))
            if stop > begin:
                by_day[day].blocks.append((begin.time(), _end_time(stop, day), entry))
            day += timedelta(days=1)
    return columns


def _end_time(stop: datetime, day: date) -> time:
    """Midnight at the end of the day reads as 24:00, shown as 23:59."""
    return time(23, 59) if stop.date() > day else stop.time()
