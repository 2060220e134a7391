"""A requisitioned board owner's own content (Decree 49 "huy động, trưng dụng"), for the JSON API
and the panel.

The owner's account (``Role.OWNER``, ``User.board_id``) reaches only this: one playlist of text
slides on its board, played through one schedule on that board, both marked with
``owner_board_id``. The programme plays them only outside the board's requisition windows
(``signage_contract.programme.requisitioned``). Every change goes to the approvers of the board's
unit, in their usual queue (nothing reaches a public board unapproved): a new slide is submitted at
once, and an edit of the approved playlist takes it off the board until they approve it again
(approve the slides, then the playlist, then at first the schedule). Government editors cannot
reach any of it (``workflow.get_owned``); the unit's admins may still take it down.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field
from sqlmodel import Session, col, func, select

from signage_contract import Category
from signage_server.content.workflow import Actor, audit_content, mark_edited, not_found, record, require_role
from signage_server.core import audit
from signage_server.core.changes import Change, ChangeFeed
from signage_server.core.roles import OWNERS
from signage_server.models import (
    Board,
    BoardKind,
    Bulletin,
    ContentMixin,
    ContentState,
    ItemKind,
    Playlist,
    PlaylistItem,
    Schedule,
    ScheduleRegion,
    TargetKind,
    User,
    utcnow,
)
from signage_server.schemas import Strict, Text

OWNER_LAYOUT = "fullscreen"
OWNER_REGION = "main"


class OwnerSlideCreate(Strict):
    title: Annotated[Text, Field(min_length=1, max_length=300)]
    body: Annotated[Text, Field(max_length=5000)] = ""
    duration_s: Annotated[float, Field(ge=2, le=600)] = 10.0


class OwnerSlide(BaseModel):
    item_id: int
    bulletin_id: int
    title: str
    body: str
    duration_s: float
    state: ContentState
    rejection_reason: str


class OwnerContent(BaseModel):
    """What the owner sees: their board, their slides in play order, and where approval stands."""

    board_id: int
    board_name: str
    playlist_id: int | None
    playlist_state: ContentState | None
    schedule_id: int | None
    schedule_state: ContentState | None
    slides: list[OwnerSlide]


def owned_board(session: Session, user: User) -> Board:
    """The owner's board; refused to anyone else, and to an owner whose board is gone or no longer
    requisitioned."""
    require_role(user, OWNERS)
    board = session.get(Board, user.board_id) if user.board_id is not None else None
    if board is None or board.kind != BoardKind.COMMERCIAL:
        raise not_found("board", user.board_id)
    return board


def _playlist(session: Session, board_id: int) -> Playlist | None:
    query = select(Playlist).where(Playlist.owner_board_id == board_id)
    return session.exec(query.order_by(col(Playlist.id))).first()


def _schedule(session: Session, board_id: int) -> Schedule | None:
    query = select(Schedule).where(Schedule.owner_board_id == board_id)
    return session.exec(query.order_by(col(Schedule.id))).first()


def owner_content(session: Session, *, user: User) -> OwnerContent:
    board = owned_board(session, user)
    assert board.id is not None
    playlist = _playlist(session, board.id)
    schedule = _schedule(session, board.id)
    slides: list[OwnerSlide] = []
    if playlist is not None:
        rows = session.exec(
            select(PlaylistItem, Bulletin).join(Bulletin, col(Bulletin.id) == col(PlaylistItem.bulletin_id))
            .where(PlaylistItem.playlist_id == playlist.id).order_by(col(PlaylistItem.position))
        ).all()
        slides = [
            OwnerSlide(item_id=item.id or 0, bulletin_id=b.id or 0, title=b.title, body=b.body,
                       duration_s=item.duration_s, state=b.state, rejection_reason=b.rejection_reason)
            for item, b in rows
        ]
    return OwnerContent(
        board_id=board.id, board_name=board.name,
        playlist_id=playlist.id if playlist else None, playlist_state=playlist.state if playlist else None,
        schedule_id=schedule.id if schedule else None, schedule_state=schedule.state if schedule else None,
        slides=slides,
    )


def _submitted(row: ContentMixin, user: User) -> None:
    row.state = ContentState.SUBMITTED
    row.submitted_by, row.submitted_at = user.id, utcnow()
    row.updated_at = utcnow()


def _programme(session: Session, actor: Actor, board: Board) -> Playlist:
    """The owner's playlist, made with its schedule on the board at first use."""
    assert board.id is not None
    found = _playlist(session, board.id)
    if found is not None:
        return found
    unit, owner, author = board.unit_id, board.id, actor.user.id
    playlist = Playlist(name=f"Nội dung của chủ bảng: {board.name}"[:200], unit_id=unit,
                        owner_board_id=owner, created_by=author)
    _submitted(playlist, actor.user)
    session.add(playlist)
    audit_content(session, actor, "create", playlist, None)
    schedule = Schedule(name=playlist.name, layout_id=OWNER_LAYOUT, target_kind=TargetKind.BOARD,
                        target_board_id=board.id, unit_id=unit, owner_board_id=owner, created_by=author)
    _submitted(schedule, actor.user)
    session.add(schedule)
    audit_content(session, actor, "create", schedule, None)
    assert schedule.id is not None and playlist.id is not None
    session.add(ScheduleRegion(schedule_id=schedule.id, region_id=OWNER_REGION, playlist_id=playlist.id))
    return playlist


def _edited(session: Session, actor: Actor, changes: ChangeFeed, playlist: Playlist, verb: str,
            before: dict[str, object] | None, after: dict[str, object] | None, board: Board) -> None:
    mark_edited(playlist, actor.user)
    if playlist.state in (ContentState.DRAFT, ContentState.REJECTED):
        _submitted(playlist, actor.user)
    session.add(playlist)
    record(session, actor, f"{verb}_item", "playlist", playlist.id, unit_id=playlist.unit_id,
           before=before, after=after)
    session.commit()
    assert board.id is not None and playlist.id is not None
    changes.publish(Change(boards=frozenset({board.id}), playlists=frozenset({playlist.id})))


def add_slide(session: Session, *, actor: Actor, changes: ChangeFeed, data: OwnerSlideCreate) -> OwnerContent:
    """Append a text slide to the owner's playlist; it waits for the approvers."""
    board = owned_board(session, actor.user)
    playlist = _programme(session, actor, board)
    bulletin = Bulletin(title=data.title, body=data.body, category=Category.PRODUCTS_SERVICES,
                        unit_id=board.unit_id, owner_board_id=board.id, created_by=actor.user.id)
    _submitted(bulletin, actor.user)
    session.add(bulletin)
    audit_content(session, actor, "create", bulletin, None)
    last = session.exec(
        select(func.max(PlaylistItem.position)).where(PlaylistItem.playlist_id == playlist.id)
    ).one()
    assert playlist.id is not None
    item = PlaylistItem(playlist_id=playlist.id, position=(last or 0) + 1, kind=ItemKind.BULLETIN,
                        bulletin_id=bulletin.id, duration_s=data.duration_s)
    session.add(item)
    session.flush()
    _edited(session, actor, changes, playlist, "add", None, {"item": audit.snapshot(item)}, board)
    return owner_content(session, user=actor.user)


def remove_slide(session: Session, *, actor: Actor, changes: ChangeFeed, item_id: int) -> OwnerContent:
    """Take a slide out of the owner's playlist (its text is deleted with it)."""
    board = owned_board(session, actor.user)
    assert board.id is not None
    playlist = _playlist(session, board.id)
    item = session.get(PlaylistItem, item_id)
    if playlist is None or item is None or item.playlist_id != playlist.id:
        raise not_found("item", item_id)
    before: dict[str, object] = {"item": audit.snapshot(item)}
    bulletin = session.get(Bulletin, item.bulletin_id) if item.bulletin_id is not None else None
    session.delete(item)
    if bulletin is not None and bulletin.owner_board_id == board.id:
        session.flush()
        audit_content(session, actor, "delete", bulletin, audit.snapshot(bulletin))
        session.delete(bulletin)
    _edited(session, actor, changes, playlist, "remove", before, None, board)
    return owner_content(session, user=actor.user)
