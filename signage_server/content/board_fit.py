"""Whether what a schedule shows suits the boards it reaches, checked when a schedule, or a playlist
that schedules play, is approved or published (``workflow``):

- its QR codes stay scannable: each code's modules get at least ``qr.MIN_MODULE_PX`` pixels in its
  region of every such board (the layout's variant for the board's orientation, at the size its
  player opens);
- its clips play: each is within the video limits of every such board's class (resolution, frame
  rate, bitrate: ``signage_contract.video.LIMITS``), the rule each player applies before playing.

So a code too fine for a board's pixel pitch, or a clip its PC cannot decode, never goes on air; a
board added or resized later is drawn best effort by its player, which logs the shortfall."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from sqlmodel import Session, col, select

from signage_contract import Orientation, Region, qr
from signage_contract.video import LIMITS, beyond, board_class
from signage_server.core.errors import Conflict
from signage_server.manifest.inputs import capture_rectangle, load_layouts
from signage_server.models import (
    Board,
    ItemKind,
    Media,
    Playlist,
    PlaylistItem,
    Schedule,
    ScheduleRegion,
    TargetKind,
)
from signage_server.units.service import subtree_ids


def check_fits(session: Session, row: object) -> None:
    """Raise ``Conflict("qr.too_small")`` naming the first board and region where a QR code of
    ``row`` (a schedule, or a playlist through the schedules playing it) would be too fine, or
    ``Conflict("video.*_on_board")`` naming the first board whose class cannot play one of its clips."""
    if isinstance(row, Schedule):
        _check_schedule(session, row)
    elif isinstance(row, Playlist) and row.id is not None:
        using = select(ScheduleRegion.schedule_id).where(ScheduleRegion.playlist_id == row.id)
        for schedule in session.exec(select(Schedule).where(col(Schedule.id).in_(using))):
            _check_schedule(session, schedule)


def _check_schedule(session: Session, schedule: Schedule) -> None:
    regions = session.exec(select(ScheduleRegion).where(ScheduleRegion.schedule_id == schedule.id)).all()
    playlists = {r.playlist_id for r in regions}
    _check_clips(session, schedule, playlists)
    codes = session.exec(select(PlaylistItem).where(col(PlaylistItem.playlist_id).in_(playlists),
                                                    PlaylistItem.kind == ItemKind.QR)).all()
    if not codes:
        return
    layout = load_layouts(session, {schedule.layout_id}).get(schedule.layout_id)
    if layout is None:
        return
    for board in _reached(session, schedule):
        screen = capture_rectangle(board)[2:]
        placed = {r.id: r for r in layout.regions_for(Orientation.of(screen))}
        for region in regions:
            if region.region_id in placed:
                items = [i for i in codes if i.playlist_id == region.playlist_id]
                _check_region(board, placed[region.region_id], screen, items)


def _check_clips(session: Session, schedule: Schedule, playlists: set[int]) -> None:
    clips = session.exec(select(Media).join(PlaylistItem, col(PlaylistItem.media_id) == Media.id).where(
        col(PlaylistItem.playlist_id).in_(playlists), PlaylistItem.kind == ItemKind.VIDEO)).all()
    if not clips:
        return
    for board in _reached(session, schedule):
        screen = capture_rectangle(board)[2:]
        limits = LIMITS[board_class((screen[0], screen[1]))]
        for clip in clips:
            refused = beyond(limits, clip.width, clip.height, clip.frame_rate or 0.0, clip.bitrate or 0)
            if refused is not None:
                name = clip.title or clip.original_name
                raise Conflict(f"{refused.code}_on_board",
                               f"the clip {name!r} cannot play on board {board.name!r} "
                               f"({screen[0]}x{screen[1]}): {refused.message}",
                               clip=name, board=board.name, **refused.params)


def _check_region(board: Board, region: Region, screen: tuple[int, int],
                  items: Iterable[PlaylistItem]) -> None:
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    from signage_contract.text_play import region_pixels  # the player's rounding (imports pygame)

    _, _, width, height = region_pixels(region, screen)
    for item in items:
        captioned = bool(item.options.get("caption"))
        px = qr.module_px(item.text, width, height, captioned)
        if px < qr.MIN_MODULE_PX:
            raise Conflict(
                "qr.too_small",
                f"the QR code of item {item.id} gets {px} px per module in region {region.id!r} of board "
                f"{board.name!r} ({width}x{height} px); at least {qr.MIN_MODULE_PX} px are needed "
                f"(a code box of {qr.needed_px(item.text)} px): choose a larger region or a shorter address",
                board=board.name, region=region.id, module_px=px, min_px=qr.MIN_MODULE_PX,
                needed_px=qr.needed_px(item.text), width=width, height=height)


def _reached(session: Session, schedule: Schedule) -> Sequence[Board]:
    """The boards the schedule's target reaches now."""
    query = select(Board)
    if schedule.target_kind is TargetKind.BOARD:
        query = query.where(Board.id == schedule.target_board_id)
    elif schedule.target_kind is TargetKind.UNIT and schedule.target_unit_id is not None:
        query = query.where(col(Board.unit_id).in_(subtree_ids(session, schedule.target_unit_id)))
    elif schedule.target_kind is TargetKind.TAG and schedule.target_tag:  # within the owner's territory
        within = query.where(col(Board.unit_id).in_(subtree_ids(session, schedule.unit_id)))
        return [b for b in session.exec(within) if schedule.target_tag in (b.tags or ())]
    else:
        return []
    return session.exec(query).all()
