"""The quick guide: one printable page that walks a commune editor through publishing a bulletin,
in the reader's language (print CSS in panel.css fits it on one A4 sheet)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from signage_server.web.panel.routes.common import PagesDep
from signage_server.web.panel.session import CurrentPanelUser

router = APIRouter(prefix="/guide")


@router.get("")
def guide_page(request: Request, who: CurrentPanelUser, view: PagesDep) -> Response:
    return view.render(request, "guide.html", who)
