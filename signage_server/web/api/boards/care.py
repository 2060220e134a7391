"""Remote care of a board for operators: restart, reboot (where the player allows it), log level,
log fetch (``health/care.py``). The board acts when it is online; nothing is queued."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, Field

from signage_contract import device as wire
from signage_server.core.audit import client_ip
from signage_server.health import care
from signage_server.models import BoardLogFetch
from signage_server.web.deps import BusDep, OperatorUser, SessionDep

router = APIRouter(prefix="/boards/{board_id}", tags=["remote care"])


class CareCommandIn(BaseModel):
    action: care.CareAction
    level: wire.LogLevel | None = None  # for "log_level"


class LogRequestIn(BaseModel):
    lines: Annotated[int, Field(ge=1, le=wire.LOG_LINES_MAX)] = 200


class LogFetchPublic(BaseModel):
    request_id: str
    board_id: int
    requested_at: datetime
    line_count: int
    fulfilled_at: datetime | None = None
    lines: list[str] | None = None  # once the board has sent them

    @classmethod
    def of(cls, row: BoardLogFetch) -> LogFetchPublic:
        return cls(request_id=row.id, board_id=row.board_id, requested_at=row.requested_at,
                   line_count=row.line_count, fulfilled_at=row.fulfilled_at,
                   lines=None if row.text is None else row.text.split("\n"))


@router.post("/care", status_code=status.HTTP_202_ACCEPTED)
def care_command(request: Request, session: SessionDep, user: OperatorUser, bus: BusDep, board_id: int,
                 body: CareCommandIn) -> Response:
    """Restart the player, reboot the PC (409 unless the board's player.toml allows it), or set the
    player's log level until its next start."""
    care.send_care(session, actor=user, ip=client_ip(request), bus=bus, board_id=board_id,
                   action=body.action, level=body.level)
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post("/log-requests", response_model=LogFetchPublic, status_code=status.HTTP_202_ACCEPTED)
def request_logs(request: Request, session: SessionDep, user: OperatorUser, bus: BusDep, board_id: int,
                 body: LogRequestIn) -> LogFetchPublic:
    """Ask the board for the last lines of its log; poll GET .../log-requests/{request_id}."""
    return LogFetchPublic.of(care.request_logs(session, actor=user, ip=client_ip(request), bus=bus,
                                               board_id=board_id, lines=body.lines))


@router.get("/log-requests/{request_id}", response_model=LogFetchPublic)
def log_request(session: SessionDep, user: OperatorUser, board_id: int, request_id: str) -> LogFetchPublic:
    return LogFetchPublic.of(care.log_fetch(session, actor=user, board_id=board_id, fetch_id=request_id))
