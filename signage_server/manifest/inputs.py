"""From database rows to the pure inputs of ``scheduling`` and ``manifest_builder``.

Only playable content (approved or published) is passed on: a draft never reaches a board.
Everything is loaded in a handful of queries per batch, whatever the number of boards.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Row, Text, cast
from sqlmodel import Session, and_, col, or_, select
from sqlmodel.sql.expression import SelectOfScalar

from signage_contract import EmergencyOverride, Layout, MediaRef, Region
from signage_contract.speech import Speech
from signage_server.content import pdf_media
from signage_server.content.kinds import Content, kind_for
from signage_server.content.kinds.spec import ClipSource
from signage_server.content.speech import bulletin_speech
from signage_server.devices.audio import audio_for
from signage_server.devices.power import effective_for_chains
from signage_server.emergency.targets import media_ref, overrides_by_board
from signage_server.manifest.batch import GroupCache
from signage_server.manifest.builder import PlaylistItemSpec, PlaylistSpec, bulletin_priority
from signage_server.manifest.scheduling import BoardContext, RequisitionRule, ScheduleSpec, Target
from signage_server.manifest.shared_inputs import SharedInputs, SharedInputsCache
from signage_server.models import (
    PLAYABLE_STATES,
    Board,
    BoardKind,
    Bulletin,
    ItemKind,
    LayoutRecord,
    Media,
    Playlist,
    PlaylistItem,
    RequisitionWindow,
    Schedule,
    ScheduleRegion,
    ValidityMixin,
)
from signage_server.units.tree import UnitTree

# Up to this many boards, load only the schedules that can target them; beyond, load all (cheaper
# than huge IN lists, and a province-wide change touches most schedules anyway).
TARGETED_QUERY_MAX_BOARDS = 200


@dataclass(frozen=True)
class ComposeInputs:
    boards: list[BoardContext]
    specs: Sequence[ScheduleSpec]  # shared with later compositions (``shared_inputs``): read only
    playlists: Mapping[int, PlaylistSpec]
    layouts: Mapping[str, Layout]
    overrides: dict[int, list[EmergencyOverride]]
    groups: GroupCache | None = None  # bodies composed before from the same content (``shared``)


def board_context(
    board: Board, tree: UnitTree, requisition: tuple[RequisitionRule, ...] | None = None
) -> BoardContext:
    """The board as resolution sees it; ``requisition``: its rules if the board is requisitioned
    (``requisition_rules``)."""
    assert board.id is not None
    return BoardContext(
        requisition=requisition if board.kind == BoardKind.COMMERCIAL else None,
        board_id=board.id,
        unit_chain=tree.chain(board.unit_id),
        tags=frozenset(board.tags or ()),
        timezone=board.timezone,
        name=board.name,
        resolution=(board.width, board.height),
        capture=capture_rectangle(board),
    )


def capture_rectangle(board: Board) -> tuple[int, int, int, int]:
    """The part of the board's output the player draws in (x, y, w, h): all of it by default."""
    width = board.capture_w if board.capture_w is not None else board.width - board.capture_x
    height = board.capture_h if board.capture_h is not None else board.height - board.capture_y
    return board.capture_x, board.capture_y, width, height


def load_inputs(
    session: Session, board_ids: Iterable[int] | None, now: datetime, shared: SharedInputsCache | None = None
) -> ComposeInputs:
    """Everything needed to compose the given boards (None: every board) as of ``now``; with
    ``shared``, the content every board shares is taken from it while unchanged (the composer's)."""
    query = select(Board)
    if board_ids is not None:
        query = query.where(col(Board.id).in_(list(board_ids)))
    rows = session.exec(query).all()
    if len(rows) <= TARGETED_QUERY_MAX_BOARDS:
        tree = UnitTree.load_ancestors(session, {b.unit_id for b in rows})
    else:
        tree = UnitTree.load(session, now.date())
    requisitioned = [b.id for b in rows if b.id is not None and b.kind == BoardKind.COMMERCIAL]
    rules = requisition_rules(session, requisitioned)
    contexts = [board_context(b, tree, rules.get(b.id or 0, ())) for b in rows]
    power = effective_for_chains(session, {b.board_id: b.unit_chain for b in contexts})
    audio = audio_for(session, [b.board_id for b in contexts])
    boards = [replace(b, power=power.get(b.board_id), audio=audio.get(b.board_id)) for b in contexts]
    since = now.date() - timedelta(days=1)
    if shared is None:
        content = _shared_inputs(session, since, boards)
    else:
        content = shared.get(session, since, lambda: _shared_inputs(session, since, None))
    overrides = overrides_by_board(session, boards, now)
    return ComposeInputs(boards=boards, specs=content.specs, playlists=content.playlists,
                         layouts=content.layouts, overrides=overrides, groups=content.groups)


def _shared_inputs(session: Session, since: date, boards: list[BoardContext] | None) -> SharedInputs:
    """The playable schedules not over before ``since`` that can target ``boards`` (None: all of
    them), as specs, with their playlists and layouts."""
    schedules = _playable_schedules(session, since, boards)
    regions = _schedule_regions(session, [s.id for s in schedules if s.id is not None])
    playlists = load_playlists(session, {pid for r in regions.values() for pid in r.values()})
    specs = tuple(spec_of(s, regions.get(s.id or 0, {}), playlists) for s in schedules)
    return SharedInputs(specs, playlists, load_layouts(session, {s.layout_id for s in schedules}))


def requisition_rules(session: Session, board_ids: list[int]) -> dict[int, tuple[RequisitionRule, ...]]:
    """Each board's requisition windows as rules, in the order they were agreed."""
    found: dict[int, list[RequisitionRule]] = defaultdict(list)
    if board_ids:
        query = select(RequisitionWindow).where(col(RequisitionWindow.board_id).in_(board_ids))
        for row in session.exec(query.order_by(col(RequisitionWindow.id))):
            found[row.board_id].append(requisition_rule(row))
    return {board_id: tuple(rules) for board_id, rules in found.items()}


def requisition_rule(row: RequisitionWindow) -> RequisitionRule:
    recurrence = (frozenset(row.weekdays or ()), row.daily_start, row.daily_end, row.start_date, row.end_date)
    return RequisitionRule(recurrence, row.every_min, row.length_min)


def _playable_schedules(
    session: Session, not_ended_before: date, boards: list[BoardContext] | None
) -> list[Row[Any]]:
    """Playable schedules not yet over; for a few boards, only those that can target them (plain
    rows: ``spec_of`` reads their columns by name, as on the model); None: all of them."""
    query = select(*_SCHEDULE_COLUMNS).where(
        col(Schedule.state).in_(PLAYABLE_STATES),
        col(Schedule.archived_at).is_(None),  # archived: off air
        or_(col(Schedule.end_date).is_(None), col(Schedule.end_date) >= not_ended_before),
    )
    if boards is not None and len(boards) <= TARGETED_QUERY_MAX_BOARDS:
        units = {u for b in boards for u in b.unit_chain}
        tags = {t for b in boards for t in b.tags}
        query = query.where(
            or_(
                col(Schedule.target_board_id).in_([b.board_id for b in boards]),
                col(Schedule.target_unit_id).in_(units),
                col(Schedule.target_tag).in_(tags),
            )
        )
    return list(session.exec(query).all())


_SCHEDULE_COLUMNS = [column for column in Schedule.__table__.columns]  # type: ignore[attr-defined]


def _schedule_regions(session: Session, schedule_ids: list[int]) -> dict[int, dict[str, int]]:
    regions: dict[int, dict[str, int]] = defaultdict(dict)
    if schedule_ids:
        query = select(ScheduleRegion.schedule_id, ScheduleRegion.region_id, ScheduleRegion.playlist_id)
        for schedule_id, region_id, playlist_id in session.exec(
            query.where(col(ScheduleRegion.schedule_id).in_(schedule_ids))
        ):
            regions[schedule_id][region_id] = playlist_id
    return regions


def spec_of(
    schedule: Schedule | Row[Any], regions: Mapping[str, int], playlists: Mapping[int, PlaylistSpec]
) -> ScheduleSpec:
    assert schedule.id is not None
    if schedule.target_kind == "board":
        target = Target.board(schedule.target_board_id or 0)
    elif schedule.target_kind == "unit":
        target = Target.unit(schedule.target_unit_id or 0)
    else:
        target = Target.of_tag(schedule.target_tag or "", within=schedule.unit_id)
    return ScheduleSpec(
        id=schedule.id,
        layout_id=schedule.layout_id,
        target=target,
        regions=dict(regions),
        weekdays=frozenset(schedule.weekdays or ()),
        daily_start=schedule.daily_start,
        daily_end=schedule.daily_end,
        start_date=schedule.start_date,
        end_date=schedule.end_date,
        priority=schedule.priority,
        is_default=schedule.is_default,
        updated_at=schedule.updated_at,
        bulletin_priority=bulletin_priority(regions, playlists),
        weight=schedule.weight,
        exclusive=schedule.exclusive,
        priority_every_min=schedule.priority_every_min,
        owner=schedule.owner_board_id is not None,
    )


def load_playlists(
    session: Session, playlist_ids: set[int], *, any_state: bool = False
) -> dict[int, PlaylistSpec]:
    """The playable playlists among ``playlist_ids`` with their playable items; ``any_state`` takes
    the playlists whatever their own state (a schedule's preview, before its playlists are approved),
    their content still only when playable."""
    if not playlist_ids:
        return {}
    # One statement, as plain rows (no ORM objects): the playable playlists, each with its items in
    # order; a playlist without items comes as one row of NULL item columns.
    query = (
        select(col(Playlist.id).label("playable_id"), *_ITEM_COLUMNS)
        .select_from(Playlist)
        .outerjoin(PlaylistItem, col(PlaylistItem.playlist_id) == col(Playlist.id))
        .where(col(Playlist.id).in_(playlist_ids), col(Playlist.archived_at).is_(None))
        .order_by(col(Playlist.id), col(PlaylistItem.position), col(PlaylistItem.id))
    )
    if not any_state:
        query = query.where(col(Playlist.state).in_(PLAYABLE_STATES))
    joined = session.exec(query).all()
    items: dict[int, list[PlaylistItemSpec]] = {row.playable_id: [] for row in joined}
    rows = [row for row in joined if row.id is not None]
    media_ids = {r.media_id for r in rows if r.media_id}
    pages = pdf_media.pages_of(session, media_ids)
    bulletin_ids = {r.bulletin_id for r in rows if r.bulletin_id}
    media = {
        m.id: m
        for m in session.exec(_current(select(Media).where(col(Media.id).in_(media_ids), _playable(Media))))
        if m.id is not None
    } if media_ids else {}
    bulletins = {
        b.id: b
        for b in session.exec(_current(select(Bulletin).where(col(Bulletin.id).in_(bulletin_ids),
                                                              _playable(Bulletin))))
        if b.id is not None
    } if bulletin_ids else {}
    spoken = bulletin_speech(session, bulletins.values())
    for row in rows:
        spec = _item_spec(row, media, bulletins, pages, spoken)
        if spec is not None:
            items[row.playlist_id].append(spec)
    return {pid: PlaylistSpec(id=pid, items=tuple(specs)) for pid, specs in items.items()}


# A playlist item's columns, read as a plain row: ``_item_spec`` reads them by name, as on the model.
_ITEM_COLUMNS = [column for column in PlaylistItem.__table__.columns]  # type: ignore[attr-defined]


def clip_source(row: Media) -> ClipSource | None:
    """A video's facts and poster as the wire item needs them; None for an image."""
    if not row.content_type.startswith("video/") or row.duration_s is None:
        return None
    poster = None
    if row.poster_sha256 is not None and row.poster_size:
        poster = MediaRef(sha256=row.poster_sha256, size=row.poster_size, content_type="image/jpeg",
                          width=row.width, height=row.height)
    return ClipSource(poster=poster, duration_s=row.duration_s, frame_rate=row.frame_rate or 30.0,
                      bitrate=row.bitrate or 0)


_Selected = TypeVar("_Selected", bound=SelectOfScalar[Any])


def _current(query: _Selected) -> _Selected:
    """The rows as stored now, also for objects the session holds already (a request's session may
    have read them before another instance's edit; what it composes may be kept for every board)."""
    return query.execution_options(populate_existing=True)


def _playable(model: type[Media] | type[Bulletin]) -> Any:
    return and_(col(model.state).in_(PLAYABLE_STATES), col(model.archived_at).is_(None))


def _item_spec(
    row: Row[Any], media: Mapping[int, Media], bulletins: Mapping[int, Bulletin],
    pages: Mapping[int, tuple[MediaRef, ...]],
    spoken: Mapping[int, Speech] | None = None,
) -> PlaylistItemSpec | None:
    """The item with the content its kind shows, or None when that is not playable."""
    match kind_for(row.kind).content:
        case Content.MEDIA:
            found = media.get(row.media_id or 0)
            if found is None or pdf_media.check_kind(row.kind, found):
                return None
            if (row.kind == ItemKind.VIDEO) != found.content_type.startswith("video/"):
                return None  # an image item never plays a clip, nor a video item a picture
            return _item(row, found, media=media_ref(found), category=found.category, clip=clip_source(found))
        case Content.PDF:
            found = media.get(row.media_id or 0)
            if found is None or not pages.get(found.id or 0):
                return None
            return _item(row, found, pages=pages[found.id or 0], category=found.category)
        case Content.BULLETIN:
            bulletin = bulletins.get(row.bulletin_id or 0)
            if bulletin is None:
                return None
            return _item(row, bulletin, title=bulletin.title, text=bulletin.body, category=bulletin.category,
                         priority=bulletin.priority, speech=(spoken or {}).get(bulletin.id or 0))
        case Content.TEXT:
            return _item(row, text=row.text) if row.text.strip() else None
        case Content.NONE:
            return _item(row)


def _item(row: Row[Any], content: ValidityMixin | None = None, **named: Any) -> PlaylistItemSpec:
    """The item's spec; its validity is the item's own window within its content's (a bulletin
    or an image dated to a day leaves every playlist that shows it at the end of that day)."""
    assert row.id is not None
    starts = [t for t in (row.valid_from, content.valid_from if content else None) if t is not None]
    ends = [t for t in (row.valid_until, content.valid_until if content else None) if t is not None]
    return PlaylistItemSpec(
        id=row.id,
        kind=row.kind,
        duration_s=row.duration_s,
        valid_from=max(starts, key=_as_utc, default=None),
        valid_until=min(ends, key=_as_utc, default=None),
        options=dict(row.options or {}),
        **named,
    )


def _as_utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def load_layouts(session: Session, layout_ids: set[str]) -> dict[str, Layout]:
    if not layout_ids:
        return {}
    # The JSON columns as the database holds them (text): the cache below is keyed by that text,
    # so a layout seen before is neither decoded nor validated again.
    columns: list[Any] = [col(LayoutRecord.id), col(LayoutRecord.name), col(LayoutRecord.background),
                          cast(col(LayoutRecord.regions), Text), cast(col(LayoutRecord.variants), Text)]
    rows = session.exec(select(*columns).where(col(LayoutRecord.id).in_(layout_ids)))
    return {row[0]: _layout(*row) for row in rows}


_LAYOUTS: dict[tuple[str, ...], Layout] = {}  # a stored row's content -> its model (frozen, shared)
_LAYOUTS_KEPT = 256


def _layout(layout_id: str, name: str, background: str, regions: str, variants: str | None) -> Layout:
    """The row as a wire model, validated once per content: every composition reads the same few
    layouts, and validating their regions again cost ~5 % of composing one board."""
    key = (layout_id, name, background, regions, variants or "{}")
    found = _LAYOUTS.get(key)
    if found is None:
        if len(_LAYOUTS) >= _LAYOUTS_KEPT:
            _LAYOUTS.clear()
        placed: dict[str, list[dict[str, Any]]] = json.loads(variants or "{}")
        found = _LAYOUTS[key] = Layout(
            id=layout_id,
            name=name,
            background=background,
            regions=[Region.model_validate(r) for r in json.loads(regions)],
            variants={o: [Region.model_validate(r) for r in rs] for o, rs in placed.items()},
        )
    return found
