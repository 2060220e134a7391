"""A board's audio for spoken announcements in the panel: on or off, volume, quiet hours. Saved
through the same service as the JSON API (``devices/audio``), which checks the role (operators and
admins) and the scope and audits."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from signage_contract.speech import AudioSettings
from signage_server.core import roles
from signage_server.core.audit import client_ip
from signage_server.devices import audio, boards
from signage_server.web.deps import ChangesDep, SessionDep
from signage_server.web.panel.pages import see_other
from signage_server.web.panel.refusals import attempt
from signage_server.web.panel.routes.common import PagesDep
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/boards")
TimeText = Annotated[str, Form(max_length=5)]


def _page(request: Request, view: PagesDep, who: PanelUser, *, board_id: int, name: str,
          settings: AudioSettings, error: str = "", done: bool = False) -> Response:
    return view.render(request, "board_audio.html", who, board_id=board_id, name=name, settings=settings,
                       can_edit=who.role in roles.OPERATORS, error=error, done=done,
                       status_code=422 if error else 200)


@router.get("/{board_id}/audio")
def audio_page(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
               board_id: int) -> Response:
    settings = audio.get_board_audio(session, actor=who.user, board_id=board_id)  # the scope check
    name = boards.get_board(session, actor=who.user, board_id=board_id).name
    return _page(request, view, who, board_id=board_id, name=name, settings=settings,
                 done=request.query_params.get("done") == "saved")


@router.post("/{board_id}/audio")
def save_audio(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
               changes: ChangesDep, board_id: int, volume: Annotated[int, Form()] = 80,
               enabled: Annotated[bool, Form()] = False, quiet_start: TimeText = "",
               quiet_end: TimeText = "") -> Response:
    current = audio.get_board_audio(session, actor=who.user, board_id=board_id)
    ip = client_ip(request)

    def save() -> AudioSettings:
        wanted = audio.parse_settings(enabled=enabled, volume=volume, quiet_start=quiet_start,
                                      quiet_end=quiet_end)
        return audio.set_board_audio(session, actor=who.user, ip=ip, changes=changes, board_id=board_id,
                                     settings=wanted)

    saved, error = attempt(save, view.translator(request))
    if saved is None:
        name = boards.get_board(session, actor=who.user, board_id=board_id).name
        return _page(request, view, who, board_id=board_id, name=name, settings=current, error=error)
    return see_other(f"/panel/boards/{board_id}/audio?done=saved")
