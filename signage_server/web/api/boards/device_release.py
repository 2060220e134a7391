"""Device routes of player releases: the release check (the board's version and last update
attempt in, its channel's signed release out, or 204) and the download of the offered wheel."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response, status
from fastapi.responses import FileResponse

from signage_contract import release as wire
from signage_server.devices import releases
from signage_server.models import Board, utcnow
from signage_server.web.api.releases import ReleaseStoreDep
from signage_server.web.deps import CurrentDevice, SessionDep, SigningKeyDep

router = APIRouter(tags=["device"])


def _board(session: SessionDep, device: CurrentDevice) -> Board:
    board = session.get(Board, device.board_id)
    if board is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "this board no longer exists")
    return board


@router.post(wire.DEVICE_RELEASE, response_model=wire.SignedRelease,
             responses={204: {"description": "the board's channel offers no release"}})
def release_check(device: CurrentDevice, session: SessionDep, key: SigningKeyDep,
                  body: wire.ReleaseCheck) -> Response:
    board = _board(session, device)
    now = utcnow()
    releases.record_check(session, device.board_id, body, now)
    session.commit()
    signed = releases.signed_release(session, board, key, now)
    if signed is None:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    return Response(signed.model_dump_json(), media_type="application/json")


@router.get(wire.DEVICE_RELEASE_WHEEL, response_class=FileResponse)
def release_wheel(device: CurrentDevice, session: SessionDep, store: ReleaseStoreDep,
                  sha256: str) -> FileResponse:
    """The wheel the board's channel offers (no other: a board fetches only what it was offered)."""
    found = releases.release_for_board(session, _board(session, device))
    path = store.local_path(sha256) if found is not None and found[1].sha256 == sha256 else None
    if path is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such release for this board")
    return FileResponse(path, media_type="application/octet-stream")
