"""Board health for operators and viewers: status, link events, daily uptime, the unit wall
(``health/service``). Everything is scoped: a board or unit outside the user's subtree answers 404.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from signage_server.health import service
from signage_server.health.schemas import BoardEventPublic, BoardHealthPublic, UptimeDayPublic, WallTile
from signage_server.web.deps import CurrentUser, HealthDep, SessionDep

router = APIRouter(tags=["health"])


@router.get("/boards/{board_id}/status", response_model=BoardHealthPublic)
def board_status(
    session: SessionDep, user: CurrentUser, health: HealthDep, board_id: int
) -> BoardHealthPublic:
    """The latest heartbeat and the link state (``never_seen`` before the first heartbeat)."""
    return service.board_health(session, actor=user, board_id=board_id, now=health.clock(),
                                config=health.config)


@router.get("/boards/{board_id}/events", response_model=list[BoardEventPublic])
def board_events(
    session: SessionDep, user: CurrentUser, board_id: int, limit: Annotated[int, Query(gt=0, le=1000)] = 100
) -> list[BoardEventPublic]:
    """Recorded offline / back_online transitions, newest first (flaps coalesced: link_state.py)."""
    return service.board_events(session, actor=user, board_id=board_id, limit=limit)


@router.get("/boards/{board_id}/uptime", response_model=list[UptimeDayPublic])
def board_uptime(
    session: SessionDep,
    user: CurrentUser,
    health: HealthDep,
    board_id: int,
    first: Annotated[date | None, Query(alias="from")] = None,
    last: Annotated[date | None, Query(alias="to")] = None,
) -> list[UptimeDayPublic]:
    """Uptime per local day (``from``..``to`` inclusive, default the last 7 days); see uptime.py."""
    return service.board_uptime(session, actor=user, board_id=board_id, now=health.clock(),
                                config=health.config, first=first, last=last)


@router.get("/units/{unit_id}/wall", response_model=list[WallTile])
def unit_wall(session: SessionDep, user: CurrentUser, health: HealthDep, unit_id: int) -> list[WallTile]:
    """Every board of the unit's subtree: latest thumbnail, link status, last seen."""
    return service.unit_wall(session, actor=user, unit_id=unit_id, now=health.clock(), config=health.config)
