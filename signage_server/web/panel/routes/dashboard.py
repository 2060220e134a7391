"""Dashboard: boards online/offline per unit, boards needing attention, the wall of latest
screenshots (``health/service``), and the active emergencies (``emergency/overrides.list_visible``)."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from signage_server.content import publications
from signage_server.emergency import overrides
from signage_server.health import service as health
from signage_server.models import OverrideState, Role
from signage_server.web.deps import HealthDep, OverrideDeliveryDep, ScreenshotStoreDep, SessionDep
from signage_server.web.panel.pages import see_other
from signage_server.web.panel.routes.common import PagesDep, local_time, units_in_scope
from signage_server.web.panel.session import CurrentPanelUser

router = APIRouter()
API_PREFIX = "/api/v1"
MY_SUBMISSIONS = 5  # the author's latest submissions, with a rejection's reason
IMAGE_CACHE_CONTROL = "private, max-age=86400"  # a screenshot's file never changes


@router.get("/dashboard")
def dashboard(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
              monitor: HealthDep, delivery: OverrideDeliveryDep) -> Response:
    if who.role == Role.OWNER:
        return see_other("/panel/owner")  # an owner's whole panel is their board's content
    tiles = health.unit_wall(session, actor=who.user, unit_id=who.user.unit_id, now=monitor.clock(),
                             config=monitor.config)
    units = units_in_scope(session, who.user)
    counts: dict[int, Counter[str]] = {}
    for tile in tiles:
        counts.setdefault(tile.unit_id, Counter())[tile.status] += 1
    thumbs = {t.board_id: "/panel" + t.thumbnail_url.removeprefix(API_PREFIX)
              for t in tiles if t.thumbnail_url}
    emergencies = overrides.list_visible(session, user=who.user, state=OverrideState.ACTIVE,
                                         delivery=delivery)
    mine = publications.list_submissions(session, user=who.user, mine=True)[:MY_SUBMISSIONS]
    return view.render(request, "dashboard.html", who, tiles=tiles, units=units, counts=counts, mine=mine,
                       thumbs=thumbs, attention=[t for t in tiles if t.status != "online"],
                       emergencies=emergencies,
                       expires={o.id: local_time(o.expires_at) for o in emergencies})


@router.get("/boards/{board_id}/screenshots/{shot_id}/thumbnail")
def screenshot_thumbnail(session: SessionDep, who: CurrentPanelUser, store: ScreenshotStoreDep, board_id: int,
                         shot_id: int) -> FileResponse:
    """The health API's thumbnail, reached with the panel session."""
    path = health.screenshot_file(session, actor=who.user, store=store, board_id=board_id, shot_id=shot_id,
                                  thumbnail=True)
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": IMAGE_CACHE_CONTROL})
