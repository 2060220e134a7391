"""Which boards a change touches: the only ones recomposed and nudged."""

from __future__ import annotations

from sqlmodel import Session, col, select

from signage_server.core.changes import Change
from signage_server.models import Board, PlaylistItem, Schedule, ScheduleRegion, TargetKind
from signage_server.units.tree import UnitTree


def affected_boards(session: Session, change: Change, tree: UnitTree) -> set[int]:
    if change.everything:
        return {b for b in session.exec(select(Board.id)).all() if b is not None}
    boards = set(change.boards)
    units = set(change.units)
    tags = set(change.tags)
    for schedule in _affected_schedules(session, change):
        if schedule.target_kind is TargetKind.BOARD and schedule.target_board_id is not None:
            boards.add(schedule.target_board_id)
        elif schedule.target_kind is TargetKind.UNIT and schedule.target_unit_id is not None:
            units.add(schedule.target_unit_id)
        elif schedule.target_kind is TargetKind.TAG and schedule.target_tag:
            tags.add(schedule.target_tag)
    if units:
        subtree = tree.subtree(units)
        boards.update(b for b in session.exec(select(Board.id).where(col(Board.unit_id).in_(subtree))) if b)
    if tags:
        for board_id, board_tags in session.exec(select(Board.id, Board.tags)).all():
            if board_id is not None and tags.intersection(board_tags or ()):
                boards.add(board_id)
    return boards


def _affected_schedules(session: Session, change: Change) -> list[Schedule]:
    playlist_ids = set(change.playlists)
    if change.media or change.bulletins:
        uses = col(PlaylistItem.media_id).in_(change.media) | col(PlaylistItem.bulletin_id).in_(
            change.bulletins
        )
        rows = session.exec(select(PlaylistItem.playlist_id).where(uses)).all()
        playlist_ids.update(rows)
    schedule_ids = set(change.schedules)
    if playlist_ids:
        schedule_ids.update(
            session.exec(
                select(ScheduleRegion.schedule_id).where(col(ScheduleRegion.playlist_id).in_(playlist_ids))
            ).all()
        )
    if change.layouts:
        by_layout = select(Schedule.id).where(col(Schedule.layout_id).in_(change.layouts))
        schedule_ids.update(s for s in session.exec(by_layout) if s)
    if not schedule_ids:
        return []
    return list(session.exec(select(Schedule).where(col(Schedule.id).in_(schedule_ids))).all())
