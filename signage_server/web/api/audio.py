"""A board's audio for spoken announcements (``devices/audio``): on or off, volume 0-100, quiet
hours in the board's local time (an emergency's speech ignores them). Operators set it."""

from __future__ import annotations

from fastapi import APIRouter, Request

from signage_contract.speech import AudioSettings
from signage_server.core.audit import client_ip
from signage_server.devices import audio
from signage_server.web.deps import ChangesDep, CurrentUser, OperatorUser, SessionDep

router = APIRouter(tags=["audio"])


@router.get("/boards/{board_id}/audio", response_model=AudioSettings)
def get_board_audio(session: SessionDep, user: CurrentUser, board_id: int) -> AudioSettings:
    return audio.get_board_audio(session, actor=user, board_id=board_id)


@router.put("/boards/{board_id}/audio", response_model=AudioSettings)
def put_board_audio(request: Request, session: SessionDep, user: OperatorUser, changes: ChangesDep,
                    board_id: int, body: AudioSettings) -> AudioSettings:
    return audio.set_board_audio(session, actor=user, ip=client_ip(request), changes=changes,
                                 board_id=board_id, settings=body)
