"""What a schedule would do before it is saved (issue 12 part 2): the airtime plan of the boards it
reaches, with the schedule as proposed in place of its saved version, and warnings.

Computed with the functions the player uses (``signage_contract.programme`` over the sources the
manifest builder makes). The warnings, each with a stable code and its parameters:

- ``schedule.preview.silences``: the proposed schedule is exclusive and another schedule that
  reaches one of its boards has a window overlapping one of its own in the coming days;
- ``schedule.preview.silenced``: the proposed schedule is not exclusive and an exclusive one
  silences it on some board in the coming days;
- ``schedule.preview.sparse_item``: on the previewed day an item would be seen less than once an
  hour (a stretch of an hour or more, inside a segment of its schedule's airtime, with no play of
  it starting), where it was not before the change (or it is the proposed schedule's own).

Boards with the same schedules, time zone and size have the same programme: each such group is
computed once, and at most ``MAX_CHECKED_PROGRAMMES`` of them; the answer says how many boards
there are, how many were checked and shows the plans of the first ``MAX_PREVIEW_BOARDS``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlmodel import Session, col, select

from signage_contract import Item, Layout
from signage_contract.programme import Play, boundaries, segment_plays, taking_part
from signage_server.core.auth import scope_unit_ids
from signage_server.core.changes import Change
from signage_server.manifest.affected import affected_boards
from signage_server.manifest.builder import PlaylistSpec, build_manifest
from signage_server.manifest.inputs import load_inputs, load_layouts, load_playlists, spec_of
from signage_server.manifest.playtime import item_seconds
from signage_server.manifest.programme import PlanHour, day_bounds, hourly_shares, overlaps_on
from signage_server.manifest.scheduling import (
    BoardContext,
    ScheduleSpec,
    applicable,
    applies_to,
)
from signage_server.models import Schedule, User
from signage_server.units.tree import UnitTree

MAX_PREVIEW_BOARDS = 5  # plans shown; the answer counts the rest
MAX_CHECKED_PROGRAMMES = 20  # distinct programmes (board groups) computed for the warnings
SPARSE_GAP = timedelta(hours=1)  # an item not seen for this long inside its airtime is warned of
NEW_SCHEDULE_ID = 0  # the proposed schedule's id in the plan before it has one

ParamValue = str | int | None


class PreviewWarning(BaseModel):
    code: str
    message: str
    params: dict[str, ParamValue]


class BoardPlan(BaseModel):
    board_id: int
    name: str
    date: date
    hours: list[PlanHour]


class SchedulePreview(BaseModel):
    """``boards_total`` boards reach or are reached by the change; plans of the first
    ``len(boards)``; warnings from ``boards_checked`` of them. ``names``: schedule id -> name for
    the ids in the plans and warnings (``"0"`` is the proposed schedule before it is saved)."""

    boards_total: int
    boards_checked: int
    boards: list[BoardPlan]
    warnings: list[PreviewWarning]
    names: dict[str, str]


@dataclass(frozen=True)
class Proposal:
    """The schedule as it would be saved (``row.id``: its id when edited, else ``NEW_SCHEDULE_ID``)
    with its regions; ``day``: the local day to plan (None: the first day it plays from today)."""

    row: Schedule
    regions: Mapping[str, int]
    day: date | None


def preview_schedule(session: Session, *, user: User, proposal: Proposal, now: datetime) -> SchedulePreview:
    """The plan and warnings of ``proposal`` on the boards (in ``user``'s scope) it or its saved
    version reaches. The caller has checked the proposal's references and scope."""
    row = proposal.row
    assert row.id is not None
    saved = session.get(Schedule, row.id) if row.id != NEW_SCHEDULE_ID else None
    tree = UnitTree.load(session, now.date())
    board_ids = affected_boards(session, _reach(row, saved), tree)
    inputs = load_inputs(session, board_ids, now)
    playlists = dict(inputs.playlists)
    playlists.update(load_playlists(session, set(proposal.regions.values()) - set(playlists), any_state=True))
    layouts = {**inputs.layouts, **load_layouts(session, {row.layout_id})}
    mine = spec_of(row, proposal.regions, playlists)
    after = [s for s in inputs.specs if s.id != mine.id] + [mine]
    scope = set(scope_unit_ids(session, user))
    reached = sorted((b for b in inputs.boards if b.unit_chain and b.unit_chain[0] in scope
                      and (applies_to(mine, b) is not None or _reaches(inputs.specs, mine.id, b))),
                     key=lambda b: (b.name, b.board_id))
    names = _names(session, inputs.specs, row)
    warnings = _silence_warnings(mine, after, reached, now, names)
    world = _World(mine=mine, before=inputs.specs, after=after, playlists=playlists, layouts=layouts)
    plans, checked, sparse = _programmes(world, reached, proposal.day, now)
    warnings += [_sparse_warning(key, value, names) for key, value in sorted(sparse.items())]
    return SchedulePreview(boards_total=len(reached), boards_checked=checked, boards=plans, warnings=warnings,
                           names=names)


def _reaches(specs: Sequence[ScheduleSpec], schedule_id: int, board: BoardContext) -> bool:
    return any(s.id == schedule_id for s, _ in applicable(specs, board))


@dataclass(frozen=True)
class _World:
    """The schedules before and after the change, and what they play."""

    mine: ScheduleSpec
    before: Sequence[ScheduleSpec]
    after: Sequence[ScheduleSpec]
    playlists: Mapping[int, PlaylistSpec]
    layouts: Mapping[str, Layout]


def _reach(row: Schedule, saved: Schedule | None) -> Change:
    rows = [r for r in (row, saved) if r is not None]
    return Change(boards=frozenset(r.target_board_id for r in rows if r.target_board_id is not None),
                  units=frozenset(r.target_unit_id for r in rows if r.target_unit_id is not None),
                  tags=frozenset(r.target_tag for r in rows if r.target_tag is not None))


def _names(session: Session, specs: Sequence[ScheduleSpec], row: Schedule) -> dict[str, str]:
    ids = [s.id for s in specs]
    rows = session.exec(select(Schedule.id, Schedule.name).where(col(Schedule.id).in_(ids))).all()
    return {**{str(i): n for i, n in rows}, str(row.id): row.name}


def _silence_warnings(mine: ScheduleSpec, after: Sequence[ScheduleSpec], reached: Sequence[BoardContext],
                      now: datetime, names: Mapping[str, str]) -> list[PreviewWarning]:
    silences: dict[int, int] = defaultdict(int)  # schedule id -> boards
    silenced: dict[int, int] = defaultdict(int)
    for board in reached:
        for other, _ in applicable(after, board):
            if other.id == mine.id or other.exclusive == mine.exclusive:
                continue
            if overlaps_on(board, mine, other, now):
                (silences if mine.exclusive else silenced)[other.id] += 1
    found = [_warning("schedule.preview.silences", names, other, boards,
                      "this exclusive schedule silences {schedule} on {boards} board(s)")
             for other, boards in sorted(silences.items())]
    found += [_warning("schedule.preview.silenced", names, other, boards,
                       "the exclusive schedule {schedule} silences this one on {boards} board(s)")
              for other, boards in sorted(silenced.items())]
    return found


def _warning(code: str, names: Mapping[str, str], schedule_id: int, boards: int, text: str) -> PreviewWarning:
    name = names.get(str(schedule_id), str(schedule_id))
    return PreviewWarning(code=code, message=text.format(schedule=name, boards=boards),
                          params={"schedule_id": schedule_id, "schedule": name, "boards": boards})


SparseKey = tuple[str, str]  # (schedule id, item id)


@dataclass
class Sparse:
    label: str
    gap_min: int
    boards: int = 0


def _programmes(world: _World, reached: Sequence[BoardContext], day: date | None, now: datetime
                ) -> tuple[list[BoardPlan], int, dict[SparseKey, Sparse]]:
    """Plans of the first boards and the sparse items over the first programmes."""
    groups: dict[tuple[object, ...], list[BoardContext]] = {}
    for board in reached:
        ids = tuple(sorted(s.id for s, _ in applicable(world.after, board)))
        group = (board.timezone, board.resolution, board.requisition, ids)
        groups.setdefault(group, []).append(board)
    shown = {b.board_id for b in reached[:MAX_PREVIEW_BOARDS]}
    plans: dict[int, BoardPlan] = {}
    sparse: dict[SparseKey, Sparse] = {}
    checked = 0
    for index, members in enumerate(groups.values()):
        wanted = [b for b in members if b.board_id in shown]
        if index >= MAX_CHECKED_PROGRAMMES and not wanted:
            continue
        board = members[0]
        local_day = _plan_day(world.mine, board, day, now)
        start, end = day_bounds(local_day, board.timezone)
        new_plays, new_gaps = _day(board, world.after, world, start, end)
        hours = hourly_shares(new_plays, ZoneInfo(board.timezone)) if wanted else []
        for b in wanted:
            plans[b.board_id] = BoardPlan(board_id=b.board_id, name=b.name, date=local_day, hours=hours)
        if index >= MAX_CHECKED_PROGRAMMES:
            continue
        checked += len(members)
        mine = str(world.mine.id)
        # Whether another schedule's item was already seen so rarely: asked only when there is one.
        others = any(key[0] != mine for key in new_gaps)
        old_gaps = _day(board, world.before, world, start, end)[1] if others else {}
        for key, (label, gap) in new_gaps.items():
            if key[0] == mine or key not in old_gaps:
                entry = sparse.setdefault(key, Sparse(label, 0))
                entry.gap_min = max(entry.gap_min, int(gap.total_seconds() // 60))
                entry.boards += len(members)
    return [plans[b.board_id] for b in reached if b.board_id in plans], checked, sparse


def _plan_day(mine: ScheduleSpec, board: BoardContext, day: date | None, now: datetime) -> date:
    today = now.astimezone(ZoneInfo(board.timezone)).date()
    if day is not None:
        return day
    return max(today, mine.start_date) if mine.start_date else today


def _day(board: BoardContext, specs: Sequence[ScheduleSpec], world: _World, start: datetime, end: datetime
         ) -> tuple[list[Play], dict[SparseKey, tuple[str, timedelta]]]:
    """The day's plays on ``board`` under ``specs``, and the items seen less than once an hour
    (their longest stretch without a play starting, within a segment of their airtime)."""
    manifest = build_manifest(board, specs, world.playlists, world.layouts, (), start, horizon=timedelta(0))
    items = manifest.item_index()
    length = item_seconds(manifest)  # a paged or scrolled text lasts as its player shows it
    found: list[Play] = []
    gaps: dict[SparseKey, tuple[str, timedelta]] = {}
    for seg_start, seg_end in pairwise(boundaries(manifest.sources, items, manifest.timezone, start, end)):
        parts = taking_part(manifest.sources, items, seg_start)
        segment = segment_plays(parts, seg_start, seg_end, length)
        found.extend(segment)
        if seg_end - seg_start <= SPARSE_GAP:
            continue
        starts: dict[SparseKey, list[datetime]] = defaultdict(list)
        for play in segment:
            starts[(play.source.schedule_id, play.item.id)].append(play.start)
        for source, live in parts:
            for item in live:
                key = (source.schedule_id, item.id)
                moments = [seg_start, *starts.get(key, ()), seg_end]
                gap = max(b - a for a, b in pairwise(moments))
                if gap > SPARSE_GAP and gap > gaps.get(key, ("", timedelta(0)))[1]:
                    gaps[key] = (_label(item), gap)
    return found, gaps


def _label(item: Item) -> str:
    for name in ("title", "body", "text"):
        value = getattr(item, name, None)
        if isinstance(value, str) and value.strip():
            return value.strip()[:80]
    return item.kind


def _sparse_warning(key: SparseKey, value: Sparse, names: Mapping[str, str]) -> PreviewWarning:
    schedule = names.get(key[0], key[0])
    return PreviewWarning(
        code="schedule.preview.sparse_item",
        message=(f"{value.label!r} of {schedule} would be seen less than once an hour "
                 f"(up to {value.gap_min} min between plays) on {value.boards} board(s)"),
        params={"schedule_id": int(key[0]), "schedule": schedule, "item_id": key[1], "item": value.label,
                "gap_min": value.gap_min, "boards": value.boards},
    )
