"""Device routes of board health: heartbeats, proof-of-play batches, screenshot and log uploads.

Heartbeats and play batches are the hot paths: authentication and the writes run in one worker
thread hop with one session and one transaction (as ``get_manifest`` does).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import anyio
from fastapi import APIRouter, File, Form, Header, HTTPException, Request, Response, UploadFile, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlmodel import Session
from starlette.requests import ClientDisconnect

from signage_contract import device as wire
from signage_server.content.media_store import MediaRejected
from signage_server.devices.auth import UNPAIRED, bearer_token, credential_for_token
from signage_server.health.care import save_log_upload
from signage_server.health.monitor import HealthMonitor
from signage_server.health.schemas import ScreenshotPublic
from signage_server.health.screenshots import save_screenshot
from signage_server.health.writer import HeartbeatWriter, UnknownDevice
from signage_server.models import Board, utcnow
from signage_server.reports.plays import ClockRules, ingest_batch
from signage_server.web.deps import (
    CurrentDevice,
    DeviceThreadsDep,
    EngineDep,
    ScreenshotStoreDep,
    SessionDep,
    SettingsDep,
    state_of,
)

router = APIRouter(tags=["device"])
Authorization = Annotated[str | None, Header()]


def _board_id(session: Session, authorization: str | None) -> int:
    credential = credential_for_token(session, bearer_token(authorization))
    if credential is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, UNPAIRED, {"WWW-Authenticate": "Bearer"})
    return credential.board_id


@router.post(
    wire.DEVICE_HEARTBEAT,
    response_model=wire.HeartbeatReply,
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
        "schema": wire.Heartbeat.model_json_schema()}}}},
)
async def heartbeat(request: Request) -> Response:
    """Store the board's latest heartbeat (body: ``Heartbeat``); the reply's ``server_time`` lets it
    measure its clock.

    The hot path of every board: no thread hop of its own (the heartbeat joins the next group
    commit of ``HeartbeatWriter``, which also checks the credential), and the body is parsed and
    the reply written by pydantic directly, without FastAPI's generic body and response handling.
    The writer and the monitor are read with ``state_of``, not injected, for the same reason: an
    injected dependency is a resolution step on every heartbeat (~10 % of its time, measured).
    """
    writer = state_of(request, "heartbeat_writer", HeartbeatWriter)
    monitor = state_of(request, "health", HealthMonitor)
    token = bearer_token(request.headers.get("authorization"))  # the writer checks it, in its group commit
    if token is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, UNPAIRED, {"WWW-Authenticate": "Bearer"})
    try:
        body = wire.Heartbeat.model_validate_json(await request.body())
    except ClientDisconnect:  # the board gave up waiting (a slow server): nothing to answer, no error
        return Response(status_code=status.HTTP_400_BAD_REQUEST)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None
    try:
        received_at, notices = await writer.submit(token, body)
    except UnknownDevice:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, UNPAIRED, {"WWW-Authenticate": "Bearer"}) from None
    monitor.notify(notices)
    reply = wire.HeartbeatReply(server_time=received_at, heartbeat_interval_s=monitor.config.interval_s)
    return Response(reply.model_dump_json(), media_type="application/json")


@router.post(wire.DEVICE_PLAYS, response_model=wire.PlayBatchReply)
async def plays(body: wire.PlayBatch, settings: SettingsDep, engine: EngineDep, threads: DeviceThreadsDep,
                authorization: Authorization = None) -> wire.PlayBatchReply:
    """Store proof-of-play records idempotently (see ``plays.py``)."""
    rules = ClockRules(future_tolerance=timedelta(seconds=settings.play_future_tolerance_s),
                       correct_from=timedelta(seconds=settings.play_clock_correct_from_s))

    def work() -> wire.PlayBatchReply:
        with Session(engine) as session:
            board = session.get(Board, _board_id(session, authorization))
            if board is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "this board no longer exists")
            return ingest_batch(session, board, body, utcnow(), rules)

    reply: wire.PlayBatchReply = await anyio.to_thread.run_sync(work, limiter=threads)
    return reply


@router.post(wire.DEVICE_SCREENSHOTS, response_model=ScreenshotPublic, status_code=201)
def upload_screenshot(
    device: CurrentDevice,
    session: SessionDep,
    store: ScreenshotStoreDep,
    image: Annotated[UploadFile, File(description="JPEG of what the screen shows")],
    request_id: Annotated[str | None, Form(max_length=32)] = None,
    taken_at: Annotated[datetime | None, Form()] = None,
) -> ScreenshotPublic:
    """A capture from the board (periodic, or answering a ``ScreenshotRequest``)."""
    if taken_at is not None and taken_at.tzinfo is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "taken_at needs a UTC offset")
    data = image.file.read(store.max_bytes + 1)  # enough to tell "too large" without reading it all
    now = utcnow()
    try:
        shot = save_screenshot(session, store, device.board_id, data, taken_at or now, now, request_id)
    except MediaRejected as exc:
        raise HTTPException(exc.status_code, exc.message) from exc
    return ScreenshotPublic.of(shot)


@router.post(wire.DEVICE_LOGS, status_code=status.HTTP_204_NO_CONTENT)
def upload_logs(device: CurrentDevice, session: SessionDep, body: wire.LogUpload) -> Response:
    """The last lines of the board's log, answering a ``LogsRequest`` (body bounded: body_limit.py)."""
    if not save_log_upload(session, device.board_id, body, utcnow()):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no open log request of this board has this id")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
