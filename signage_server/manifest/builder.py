"""Manifest building: from a board's schedules to the document it plays for the coming days.

Pure: no database, no clock. The ORM mapper gives ``PlaylistSpec`` / ``PlaylistItemSpec`` (from
``Playlist``, ``PlaylistItem`` and the ``Media`` or ``Bulletin`` row an item names), wire
``Layout``s (from ``LayoutRecord``), the active ``EmergencyOverride``s, and the specs and board
context of ``scheduling``. It passes only playable (approved or published) content; a playlist a
schedule names but the mapper left out is played as empty, and a schedule left with nothing to play
(at an instant: no item of its layout's regions valid then) does not compete at that instant, so
it never hides a lower schedule that has content (``content_map``).

The horizon starts at the start of the board's local day of ``now`` and ends at the end of the local
day ``HORIZON`` ahead, so every composition within one local day covers the same span, and an
unchanged schedule gives the same ``content_version`` (the ETag) all day.

Each item becomes its wire item through its kind (``content.kinds``), which also says which
options it keeps. ``manifest_batch`` composes many boards at once with the same functions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from nacl.signing import SigningKey

from signage_contract import (
    HORIZON,
    Capture,
    Category,
    EmergencyOverride,
    Item,
    Layout,
    Manifest,
    MediaRef,
    PlayReason,
    Priority,
    ProgrammeSource,
    RegionPlaylist,
    RegionRole,
    Requisition,
    SignedManifest,
    TimelineEntry,
    Window,
    nfc,
)
from signage_contract.manifest import DEFAULT_POLL_INTERVAL_S
from signage_contract.programme import requisitioned, window_inside, window_outside
from signage_contract.signing import sign_payload
from signage_contract.speech import Speech
from signage_server.content.kinds import KINDS
from signage_server.content.kinds.spec import ClipSource
from signage_server.manifest.scheduling import (
    ALWAYS,
    Applicable,
    BoardContext,
    ContentMap,
    Interval,
    Recurrence,
    RequisitionRule,
    ScheduleSpec,
    Segment,
    applicable,
    merge_intervals,
    requisition_intervals,
    timeline_for,
    window_intervals,
)
from signage_server.manifest.scheduling import clear_caches as clear_schedule_caches
from signage_server.models import ItemKind

_REASONS = {
    Priority.NORMAL: PlayReason.SCHEDULED,
    Priority.PRIORITY: PlayReason.PRIORITY,
    Priority.EMERGENCY: PlayReason.EMERGENCY,
}


@dataclass(frozen=True, slots=True)
class PlaylistItemSpec:
    """One ``PlaylistItem`` row with what it names (its kind's ``Content``): ``media`` (from
    ``Media``), ``title``/``text`` of a bulletin (``Bulletin.title``/``body``) or its own ``text``."""

    id: int
    kind: ItemKind  # a plain name ("image") is taken too
    duration_s: float = 10.0
    valid_from: datetime | None = None  # naive values are taken as UTC, as the database stores them
    valid_until: datetime | None = None
    options: Mapping[str, Any] = field(default_factory=dict, hash=False)
    media: MediaRef | None = None
    title: str = ""
    text: str = ""
    category: Category = Category.OTHER  # Bulletin.category or Media.category
    priority: Priority = Priority.NORMAL  # Bulletin.priority
    speech: Speech | None = field(default=None, hash=False)  # a bulletin read aloud (content/speech.py)
    clip: ClipSource | None = None  # a video's facts and poster
    pages: tuple[MediaRef, ...] = ()  # a PDF's pages (MediaPage)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", ItemKind(self.kind))
        KINDS[self.kind].check_source(self)
        object.__setattr__(self, "title", nfc(self.title))
        object.__setattr__(self, "text", nfc(self.text))
        for name in ("valid_from", "valid_until"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, value.replace(tzinfo=UTC) if value.tzinfo is None else value)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Whether the validity window meets [start, end)."""
        if self.valid_from is not None and self.valid_from >= end:
            return False
        return not (self.valid_until is not None and self.valid_until <= start)


@dataclass(frozen=True, slots=True)
class PlaylistSpec:
    id: int
    items: tuple[PlaylistItemSpec, ...] = ()  # in play order (PlaylistItem.position)

    @property
    def highest_priority(self) -> Priority:
        return max((item.priority for item in self.items), key=lambda p: p.rank, default=Priority.NORMAL)


def bulletin_priority(regions: Mapping[str, int], playlists: Mapping[int, PlaylistSpec]) -> Priority:
    """``ScheduleSpec.bulletin_priority`` for a schedule's region -> playlist mapping."""
    found = (playlists[pid].highest_priority for pid in regions.values() if pid in playlists)
    return max(found, key=lambda p: p.rank, default=Priority.NORMAL)


def item_id(playlist_id: int, item: PlaylistItemSpec) -> str:
    return f"p{playlist_id}-i{item.id}"


def wire_item(playlist_id: int, item: PlaylistItemSpec) -> Item:
    kind = KINDS[item.kind]
    options = {key: value for key, value in item.options.items() if key in kind.option_keys}
    common: dict[str, Any] = {
        "id": item_id(playlist_id, item),
        "duration_s": item.duration_s,
        "valid_from": item.valid_from,
        "valid_until": item.valid_until,
        "category": item.category,
        "priority": item.priority,
        **options,
    }
    return kind.to_wire(item, common)


# Bulletins run to 20,000 characters, so the cache is bounded in entries well below that worst case
# (2,048 x 40 KB); the usual few hundred items of a province stay in it.
WIRE_ITEM_CACHE_SIZE = 2048


@lru_cache(maxsize=WIRE_ITEM_CACHE_SIZE)
def cached_wire_item(playlist_id: int, item: PlaylistItemSpec) -> Item:
    """``wire_item``, keyed by value (the item's every field, options included): a composition
    reads its items from the database again, so only equal values ever hit, and an edited item
    misses. Building and validating the wire models was a third of a composition (248 items on
    the 200-schedule board); the models are frozen, so one may appear in many manifests."""
    return wire_item(playlist_id, item)


def horizon_bounds(now: datetime, timezone: str, horizon: timedelta = HORIZON) -> tuple[datetime, datetime]:
    """[start of the local day of ``now``, end of the local day ``horizon`` later), in UTC."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    last_day = (local + horizon).date()  # wall-clock arithmetic: the same day all day long
    start = datetime.combine(local.date(), time(), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last_day + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
    return start, end


def content_intervals(
    spec: ScheduleSpec, layout: Layout, playlists: Mapping[int, PlaylistSpec]
) -> tuple[Interval, ...] | None:
    """When ``spec`` has an item to play in one of ``layout``'s regions: None for always (an item
    without validity dates), () for never (no playable playlist or item)."""
    windows: list[Interval] = []
    for region in layout.regions:
        playlist = playlists.get(spec.regions.get(region.id, -1))
        for item in playlist.items if playlist is not None else ():
            if item.valid_from is None and item.valid_until is None:
                return None
            windows.append((item.valid_from or ALWAYS[0], item.valid_until or ALWAYS[1]))
    return merge_intervals(windows)


def content_map(
    candidates: Sequence[Applicable], playlists: Mapping[int, PlaylistSpec], layouts: Mapping[str, Layout]
) -> ContentMap:
    """``scheduling.ContentMap`` of the candidates whose content is not there at every instant
    (a schedule naming an unknown layout is left out: it is refused if it ever wins)."""
    found: dict[int, tuple[Interval, ...]] = {}
    for spec, _ in candidates:
        layout = layouts.get(spec.layout_id)
        intervals = content_intervals(spec, layout, playlists) if layout is not None else None
        if intervals is not None:
            found[spec.id] = intervals
    return found


@dataclass(frozen=True, slots=True)
class ManifestBody:
    """The board-independent part: boards with the same applicable specs share it."""

    layouts: tuple[Layout, ...]
    items: tuple[Item, ...]
    timeline: tuple[TimelineEntry, ...]
    sources: tuple[ProgrammeSource, ...] = ()
    requisition: Requisition | None = None


def compose_body(
    candidates: Sequence[Applicable],
    timezone: str,
    bounds: tuple[datetime, datetime],
    playlists: Mapping[int, PlaylistSpec],
    layouts: Mapping[str, Layout],
    requisition: tuple[RequisitionRule, ...] | None = None,
) -> ManifestBody:
    """The body of a board with these candidates; a requisitioned board's (``requisition`` given)
    is cut to its windows. An owner's schedule reaches no board that is not requisitioned."""
    if requisition is None:
        candidates = [pair for pair in candidates if not pair[0].owner]
    body = _compose_body(candidates, timezone, bounds, playlists, layouts)
    return body if requisition is None else requisitioned_body(body, requisition, timezone, bounds)


def requisition_of(
    rules: tuple[RequisitionRule, ...], timezone: str, bounds: tuple[datetime, datetime]
) -> Requisition:
    """The wire requisition: its windows within ``bounds``, clipped to them."""
    zone = ZoneInfo(timezone)
    first = bounds[0].astimezone(zone).date() - timedelta(days=1)
    last = bounds[1].astimezone(zone).date()
    windows = [
        Window(start=max(opens, bounds[0]), end=min(closes, bounds[1]))
        for opens, closes in requisition_intervals(rules, timezone, first, last)
        if opens < bounds[1] and closes > bounds[0]
    ]
    return Requisition(windows=windows)


def requisitioned_body(
    body: ManifestBody, rules: tuple[RequisitionRule, ...], timezone: str, bounds: tuple[datetime, datetime]
) -> ManifestBody:
    """A requisitioned board's body: its sources cut by the contract's rule and its timeline (for
    players of the previous contract) cut alike, the government's entries to the windows and the
    owner's outside them (such a player shows its fallback where a cut entry leaves a gap, and
    emergency bulletins outside the windows only through the sources)."""
    requisition = requisition_of(rules, timezone, bounds)
    items = {item.id: item for item in body.items}
    owners = {s.schedule_id for s in body.sources if s.owner}
    entries: list[TimelineEntry] = []
    for entry in body.timeline:
        whole = [Window.model_construct(start=entry.start, end=entry.end)]
        cut = (window_outside if entry.schedule_id in owners else window_inside)(whole, requisition.windows)
        entries.extend(entry.model_copy(update={"start": w.start, "end": w.end}) for w in cut)
    sources = requisitioned(body.sources, items, requisition)
    return ManifestBody(body.layouts, body.items, tuple(entries), tuple(sources), requisition)


def _compose_body(
    candidates: Sequence[Applicable],
    timezone: str,
    bounds: tuple[datetime, datetime],
    playlists: Mapping[int, PlaylistSpec],
    layouts: Mapping[str, Layout],
) -> ManifestBody:
    used_layouts: dict[str, Layout] = {}
    items: dict[str, Item] = {}
    entries: list[TimelineEntry] = []
    content = content_map(candidates, playlists, layouts)
    regions_of = _RegionMaker(items)
    for segment in timeline_for(candidates, timezone, *bounds, content):
        if segment.spec is None:
            continue  # nothing scheduled: the player shows its fallback slide
        layout = layouts.get(segment.spec.layout_id)
        if layout is None:
            raise ValueError(f"schedule {segment.spec.id} names unknown layout {segment.spec.layout_id!r}")
        used_layouts.setdefault(layout.id, layout)
        entries.append(_entry(segment, segment.spec, layout, playlists, regions_of))
    sources = programme_sources(candidates, timezone, bounds, playlists, layouts, items, regions_of)
    for source in sources:
        used_layouts.setdefault(source.layout_id, layouts[source.layout_id])
    return ManifestBody(tuple(used_layouts.values()), tuple(items.values()), tuple(entries), tuple(sources))


def lead_region_id(layout: Layout) -> str:
    """The region whose items are the programme's plays: the layout's main region, else its first."""
    return next((r.id for r in layout.regions if r.role == RegionRole.MAIN), layout.regions[0].id)


def programme_sources(
    candidates: Sequence[Applicable],
    timezone: str,
    bounds: tuple[datetime, datetime],
    playlists: Mapping[int, PlaylistSpec],
    layouts: Mapping[str, Layout],
    items: dict[str, Item],
    regions_of: _RegionMaker | None = None,
) -> list[ProgrammeSource]:
    """The programme's sources (``signage_contract.programme``): every candidate open within
    ``bounds``, by schedule id (the rule's tie order), with its windows clipped to ``bounds`` and its
    items valid at some time within them (added to ``items``). A schedule naming an unknown layout
    is refused, as in the timeline."""
    sources: list[ProgrammeSource] = []
    regions_of = regions_of or _RegionMaker(items)
    for spec, _ in sorted(candidates, key=lambda pair: pair[0].id):
        windows = source_windows(spec.recurrence, timezone, bounds)
        if not windows:
            continue
        layout = layouts.get(spec.layout_id)
        if layout is None:
            raise ValueError(f"schedule {spec.id} names unknown layout {spec.layout_id!r}")
        regions = regions_of.schedule(spec, layout, playlists, *bounds)
        if not regions:
            continue
        sources.append(
            ProgrammeSource.model_construct(
                schedule_id=str(spec.id),
                layout_id=layout.id,
                lead_region_id=lead_region_id(layout),
                weight=spec.weight,
                exclusive=spec.exclusive,
                default=spec.is_default,
                priority_every_min=spec.priority_every_min,
                windows=list(windows),
                regions=regions,
                owner=spec.owner,
            )
        )
    return sources


@lru_cache(maxsize=16384)
def source_windows(
    recurrence: Recurrence, timezone: str, bounds: tuple[datetime, datetime]
) -> tuple[Window, ...]:
    """A source's open windows within ``bounds``, clipped to them. Keyed by value like
    ``window_intervals`` (the schedules of a board are read again for every composition, so only
    a value key is ever hit): a composition after one schedule changed makes only that schedule's
    windows. The 200-schedule board has some 720 windows; making them was a third of a cold
    composition. Built without validation from checked inputs (windows end after they start)."""
    zone = ZoneInfo(timezone)
    first = bounds[0].astimezone(zone).date() - timedelta(days=1)
    last = bounds[1].astimezone(zone).date()
    return tuple(
        Window.model_construct(start=max(opens, bounds[0]), end=min(closes, bounds[1]))
        for opens, closes in window_intervals(recurrence, timezone, first, last)
        if opens < bounds[1] and closes > bounds[0]
    )


def clear_caches() -> None:
    """Forget every value-keyed cache of composition (a benchmark's cold start)."""
    source_windows.cache_clear()
    cached_wire_item.cache_clear()
    clear_schedule_caches()


def _entry(
    segment: Segment,
    spec: ScheduleSpec,
    layout: Layout,
    playlists: Mapping[int, PlaylistSpec],
    regions_of: _RegionMaker,
) -> TimelineEntry:
    regions = regions_of.schedule(spec, layout, playlists, segment.start, segment.end)
    return TimelineEntry(
        start=segment.start,
        end=segment.end,
        layout_id=layout.id,
        schedule_id=str(spec.id),
        reason=_REASONS[spec.bulletin_priority],
        regions=regions,
    )


def next_sequence(previous: int, now: datetime) -> int:
    """The sequence of a board's next manifest: one more than the last, and never below the clock
    in milliseconds. A counter alone would start again after a restored database (boards would
    refuse every manifest until it caught up); ``generated_at`` alone goes back with the clock (an
    NTP step, a restored VM). Together it only grows unless both go back at once."""
    return max(previous + 1, int(now.timestamp() * 1000))


class _RegionMaker:
    """The region playlists of one composition, each wire item made once (added to ``items``).

    Most playlists have no dated item, and then their region is the same for any span: it is made
    once per composition and shared by every timeline entry and source that names it (the 75
    entries and 126 sources of the 200-schedule board made 279 regions, of 60 distinct ones).
    The models are frozen, so sharing one is safe."""

    def __init__(self, items: dict[str, Item]) -> None:
        self.items = items
        self._undated: dict[tuple[str, int], RegionPlaylist | None] = {}
        self._is_undated: dict[int, bool] = {}

    def schedule(
        self,
        spec: ScheduleSpec,
        layout: Layout,
        playlists: Mapping[int, PlaylistSpec],
        start: datetime,
        end: datetime,
    ) -> list[RegionPlaylist]:
        """The spec's region playlists with the items valid at some time in [start, end)."""
        regions: list[RegionPlaylist] = []
        for region in layout.regions:
            playlist = playlists.get(spec.regions.get(region.id, -1))
            found = self.region(region.id, playlist, start, end) if playlist is not None else None
            if found is not None:
                regions.append(found)
        return regions

    def region(
        self, region_id: str, playlist: PlaylistSpec, start: datetime, end: datetime
    ) -> RegionPlaylist | None:
        undated = self._is_undated.get(playlist.id)
        if undated is None:
            undated = self._is_undated[playlist.id] = all(
                item.valid_from is None and item.valid_until is None for item in playlist.items
            )
        if not undated:
            return _region(region_id, playlist, self.items, start, end)
        key = (region_id, playlist.id)
        if key not in self._undated:
            self._undated[key] = _region(region_id, playlist, self.items, start, end)
        return self._undated[key]


def _region(
    region_id: str, playlist: PlaylistSpec, items: dict[str, Item], start: datetime, end: datetime
) -> RegionPlaylist | None:
    """The playlist's items valid at some time in [start, end) (added to ``items``); None if none."""
    ids: list[str] = []
    for source in playlist.items:
        if source.overlaps(start, end):
            wire_id = item_id(playlist.id, source)
            if wire_id not in items:
                items[wire_id] = cached_wire_item(playlist.id, source)
            ids.append(wire_id)
    return RegionPlaylist.model_construct(region_id=region_id, item_ids=ids) if ids else None


def manifest_header(
    board: BoardContext,
    bounds: tuple[datetime, datetime],
    overrides: Iterable[EmergencyOverride],
    now: datetime,
    poll_interval_s: int,
    sequence: int | None = None,
) -> Manifest:
    """The board's own part of its manifest (no layouts, items or timeline yet)."""
    live = sorted((o for o in overrides if o.expires_at > now and o.starts_at < bounds[1]),
                  key=lambda o: (o.starts_at, o.id))
    return Manifest(
        board_id=str(board.board_id),
        board_name=board.name,
        generated_at=now,
        sequence=sequence,
        valid_from=bounds[0],
        valid_until=bounds[1],
        timezone=board.timezone,
        resolution=board.resolution,
        capture=Capture.of(board.capture) if board.capture is not None else None,
        power=board.power,
        audio=board.audio,
        poll_interval_s=poll_interval_s,
        layouts=[],
        items=[],
        timeline=[],
        overrides=live,
    )


def assemble(header: Manifest, body: ManifestBody) -> Manifest:
    # The body holds validated models; passing them through the constructor would rerun their
    # validators for every board (most of the cost of recomposing 10,000 boards, measured).
    body_fields = {
        "layouts": list(body.layouts),
        "items": list(body.items),
        "timeline": list(body.timeline),
        "sources": list(body.sources),
        "requisition": body.requisition,
    }
    return header.model_copy(update=body_fields)


def build_manifest(
    board: BoardContext,
    specs: Iterable[ScheduleSpec],
    playlists: Mapping[int, PlaylistSpec],
    layouts: Mapping[str, Layout],
    overrides: Iterable[EmergencyOverride],
    now: datetime,
    horizon: timedelta = HORIZON,
    poll_interval_s: int = DEFAULT_POLL_INTERVAL_S,
    sequence: int | None = None,
) -> Manifest:
    """The manifest of one board at ``now`` (aware)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    bounds = horizon_bounds(now, board.timezone, horizon)
    candidates = applicable(specs, board)
    body = compose_body(candidates, board.timezone, bounds, playlists, layouts, board.requisition)
    return assemble(manifest_header(board, bounds, overrides, now, poll_interval_s, sequence), body)


UNVERSIONED_FIELDS = frozenset({"generated_at", "sequence"})


def content_version(manifest: Manifest) -> str:
    """The ETag: sha256 of the manifest's JSON without ``generated_at`` and ``sequence`` (both
    stamp a composition, not its content). pydantic writes fields in
    declaration order and lists in order, so equal manifests give equal text (a contract upgrade
    may change the text once, which costs one download)."""
    canonical = manifest.model_dump_json(exclude=set(UNVERSIONED_FIELDS))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def sign_manifest(manifest: Manifest, signing_key: SigningKey) -> SignedManifest:
    return sign_payload(signing_key, manifest.model_dump_json(), content_version(manifest))
