"""A requisitioned board's windows (Decree 49 "huy động, trưng dụng"): when it carries the
government's schedules, as the province agreed with its owner. Set by the admins and approvers of
the board's unit, audited; a change recomposes the board's manifest, which carries the windows
(``Manifest.requisition``) so the board keeps them offline.

A window is a schedule's recurrence (weekdays, a daily window, dates) and, within each daily
window, optionally ``length_min`` minutes starting every ``every_min`` minutes: "5 minutes in every
hour from 06:00 to 22:00" is ``daily_start=06:00, daily_end=22:00, every_min=60, length_min=5``.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

from pydantic import Field, model_validator
from sqlmodel import Session, col, select

from signage_server.core import audit
from signage_server.core.auth import get_in_scope, require_role
from signage_server.core.changes import Change, ChangeFeed
from signage_server.core.errors import Conflict, NotFound
from signage_server.core.roles import REQUISITIONERS
from signage_server.models import Board, BoardKind, RequisitionWindow, User
from signage_server.schemas import Strict

OBJECT_TYPE = "requisition_window"
Weekday = Annotated[int, Field(ge=0, le=6, description="0 = Monday .. 6 = Sunday")]


class RequisitionWindowIn(Strict):
    weekdays: list[Weekday] = Field(default_factory=list)
    daily_start: time | None = None
    daily_end: time | None = None
    start_date: date | None = None
    end_date: date | None = None
    every_min: Annotated[int, Field(ge=2, le=1440)] | None = None
    length_min: Annotated[int, Field(ge=1, le=1440)] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> RequisitionWindowIn:
        if (self.every_min is None) != (self.length_min is None):
            raise ValueError("every_min and length_min go together")
        if self.every_min is not None and self.length_min is not None and self.length_min >= self.every_min:
            raise ValueError("length_min must be shorter than every_min (else give the daily window alone)")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date must not be before start_date")
        self.weekdays = sorted(set(self.weekdays))
        return self


class RequisitionWindowPublic(RequisitionWindowIn):
    id: int
    board_id: int
    created_by: int | None
    created_at: datetime


def _public(row: RequisitionWindow) -> RequisitionWindowPublic:
    return RequisitionWindowPublic.model_validate(row, from_attributes=True)


def requisitioned_board(session: Session, *, user: User, board_id: int) -> Board:
    """The board if it is in the user's scope and requisitioned (``board.not_requisitioned``)."""
    board = get_in_scope(session, user, Board, board_id, "board")
    if board.kind != BoardKind.COMMERCIAL:
        raise Conflict("board.not_requisitioned", f"board {board_id} is not a requisitioned board",
                       board_id=str(board_id))
    return board


def list_windows(session: Session, *, user: User, board_id: int) -> list[RequisitionWindowPublic]:
    """The board's windows, in the order they were agreed (anyone who sees the board)."""
    get_in_scope(session, user, Board, board_id, "board")
    return windows_of(session, board_id=board_id)


def windows_of(session: Session, *, board_id: int) -> list[RequisitionWindowPublic]:
    """The board's windows, unchecked: for its owner's page, after ``owned_board``."""
    query = select(RequisitionWindow).where(RequisitionWindow.board_id == board_id)
    return [_public(r) for r in session.exec(query.order_by(col(RequisitionWindow.id)))]


def add_window(session: Session, *, actor: User, ip: str, changes: ChangeFeed, board_id: int,
               body: RequisitionWindowIn) -> RequisitionWindowPublic:
    require_role(actor, REQUISITIONERS)
    board = requisitioned_board(session, user=actor, board_id=board_id)
    row = RequisitionWindow(board_id=board_id, created_by=actor.id, **body.model_dump())
    session.add(row)
    session.flush()
    audit.record_as(session, actor, ip, "create", OBJECT_TYPE, row.id, unit_id=board.unit_id,
                    after=audit.snapshot(row))
    session.commit()
    session.refresh(row)
    changes.publish(Change(boards=frozenset({board_id})))
    return _public(row)


def delete_window(session: Session, *, actor: User, ip: str, changes: ChangeFeed, board_id: int,
                  window_id: int) -> None:
    require_role(actor, REQUISITIONERS)
    board = get_in_scope(session, actor, Board, board_id, "board")
    row = session.get(RequisitionWindow, window_id)
    if row is None or row.board_id != board_id:
        raise NotFound("requisition_window.not_found", f"requisition window {window_id} not found",
                       id=str(window_id))
    before = audit.snapshot(row)
    session.delete(row)
    audit.record_as(session, actor, ip, "delete", OBJECT_TYPE, window_id, unit_id=board.unit_id,
                    before=before)
    session.commit()
    changes.publish(Change(boards=frozenset({board_id})))
