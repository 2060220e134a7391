"""Dashboard: boards online/offline per unit, boards needing attention, the wall of latest
screenshots (from the health API), and the active emergencies (from the override API)."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from signage_server.emergency import overrides
from signage_server.models import OverrideState
from signage_server.web.api import health as health_api
from signage_server.web.api import screenshots as screenshots_api
from signage_server.web.deps import OverrideDeliveryDep, SessionDep
from signage_server.web.panel.routes.common import PagesDep, local_time, units_in_scope
from signage_server.web.panel.session import CurrentPanelUser

router = APIRouter()
API_PREFIX = "/api/v1"


@router.get("/dashboard")
def dashboard(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
              delivery: OverrideDeliveryDep) -> Response:
    tiles = health_api.unit_wall(session, who.user, request, who.user.unit_id)
    units = units_in_scope(session, who.user)
    counts: dict[int, Counter[str]] = {}
    for tile in tiles:
        counts.setdefault(tile.unit_id, Counter())[tile.status] += 1
    thumbs = {t.board_id: "/panel" + t.thumbnail_url.removeprefix(API_PREFIX)
              for t in tiles if t.thumbnail_url}
    emergencies = overrides.list_visible(session, user=who.user, state=OverrideState.ACTIVE,
                                         delivery=delivery)
    return view.render(request, "dashboard.html", who, tiles=tiles, units=units, counts=counts,
                       thumbs=thumbs, attention=[t for t in tiles if t.status != "online"],
                       emergencies=emergencies,
                       expires={o.id: local_time(o.expires_at) for o in emergencies})


@router.get("/boards/{board_id}/screenshots/{shot_id}/thumbnail")
def screenshot_thumbnail(request: Request, session: SessionDep, who: CurrentPanelUser, board_id: int,
                         shot_id: int) -> FileResponse:
    """The health API's thumbnail, reached with the panel session."""
    return screenshots_api.thumbnail(session, who.user, request, board_id, shot_id)
