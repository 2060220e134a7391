"""Request body limits per route class: no route reads more than its own limit.

A pure ASGI middleware (no ``BaseHTTPMiddleware``, which would buffer): a request whose declared
``Content-Length`` is over its route's limit is answered 413 before a byte of its body is read;
otherwise the bytes actually received are counted (a chunked body declares no length) and the
request is refused with 413 as soon as they pass the limit. Any answer sent before the body was
read to its end (a 413, a 401 before the body was looked at) closes the connection
(``Connection: close``), so the server does not go on receiving and discarding the rest.

Every body has a limit: ``default`` for JSON and form posts; the routes that take files or bigger
documents have named, larger ones (``BodyLimits.from_settings``). Uploads are parsed by
python-multipart into spooled temporary files (on disk past 1 MiB), never held whole in memory.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from signage_contract.bundle import PLAYS_IMPORT
from signage_contract.device import DEVICE_LOGS, DEVICE_PLAYS, DEVICE_SCREENSHOTS, LOG_UPLOAD_MAX_BYTES
from signage_contract.release import RELEASE_MAX_BYTES
from signage_server.emergency.sources.cap import MAX_CAP_BYTES
from signage_server.settings import Settings

KIB = 1024
MIB = 1024 * KIB
# Form fields, part headers and boundaries around an uploaded file.
MULTIPART_OVERHEAD_BYTES = 64 * KIB
# 1,000 records (PLAY_BATCH_MAX) of ~400 bytes each, with room for long region and item ids.
PLAY_BATCH_BYTES = 2 * MIB
CLOSE = {"Connection": "close"}


class BodyTooLarge(HTTPException):
    """The body is over its route's limit. An ``HTTPException``, so FastAPI's body parsing lets it
    through to the usual error handling; the middleware answers it itself when nothing else did."""

    def __init__(self, route_class: str, limit: int) -> None:
        super().__init__(413, f"request body too large: the limit for {route_class} is {limit} bytes",
                         headers=CLOSE)
        self.route_class = route_class
        self.limit = limit


@dataclass(frozen=True)
class BodyRule:
    """A named limit for one route (method and exact path)."""

    route_class: str
    method: str
    path: str
    limit: int


@dataclass(frozen=True)
class BodyLimits:
    default: int
    rules: tuple[BodyRule, ...] = ()

    def limit_for(self, method: str, path: str) -> tuple[str, int]:
        """The route class and its limit in bytes."""
        for rule in self.rules:
            if rule.method == method and rule.path == path:
                return rule.route_class, rule.limit
        return "JSON and form requests", self.default

    @classmethod
    def from_settings(cls, settings: Settings) -> BodyLimits:
        media = settings.max_upload_bytes + MULTIPART_OVERHEAD_BYTES
        screenshot = settings.screenshot_max_bytes + MULTIPART_OVERHEAD_BYTES
        return cls(default=settings.max_body_bytes, rules=(
            BodyRule("media uploads", "POST", "/api/v1/media", media),
            BodyRule("media uploads", "POST", "/panel/media", media),
            BodyRule("media uploads", "POST", "/panel/emergency", media),  # an image with the text
            BodyRule("media uploads", "POST", "/panel/publish", media),  # files sent with a bulletin
            BodyRule("bulletin intake", "POST", "/api/v1/intake/bulletins", media),  # and its images
            BodyRule("screenshot uploads", "POST", DEVICE_SCREENSHOTS, screenshot),
            BodyRule("CAP messages", "POST", "/api/v1/cap", MAX_CAP_BYTES),
            BodyRule("play batches", "POST", DEVICE_PLAYS, PLAY_BATCH_BYTES),
            BodyRule("play batches", "POST", PLAYS_IMPORT, PLAY_BATCH_BYTES),  # from a USB drive
            # up to 16 such files at once (web/panel/routes/bundles.py)
            BodyRule("play files", "POST", "/panel/bundles/plays",
                     16 * PLAY_BATCH_BYTES + MULTIPART_OVERHEAD_BYTES),
            BodyRule("log uploads", "POST", DEVICE_LOGS, LOG_UPLOAD_MAX_BYTES),
            BodyRule("player releases", "POST", "/api/v1/releases", RELEASE_MAX_BYTES),
            BodyRule("player releases", "POST", "/panel/releases/upload",
                     RELEASE_MAX_BYTES + MULTIPART_OVERHEAD_BYTES),
        ))


def declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length before the app runs
    return None


def _may_have_body(scope: Scope) -> bool:
    declared = declared_length(scope)
    if declared is not None:
        return declared > 0
    return any(name == b"transfer-encoding" for name, _ in scope.get("headers", ()))


def _without_connection(message: Message) -> list[tuple[bytes, bytes]]:
    return [(name, value) for name, value in message.get("headers", []) if name.lower() != b"connection"]


class BodyLimit:
    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route_class, limit = self.limits.limit_for(scope["method"], scope["path"])
        declared = declared_length(scope)
        if declared is not None and declared > limit:
            await _refuse(BodyTooLarge(route_class, limit), scope, receive, send)
            return
        received = 0
        started = False
        body_read = False

        async def counted_receive() -> Message:
            nonlocal received, body_read
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(route_class, limit)
                body_read = not message.get("more_body", False)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if not body_read and _may_have_body(scope):
                    closing = [*_without_connection(message), (b"connection", b"close")]
                    message = {**message, "headers": closing}
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge as exc:
            if started:
                raise
            await _refuse(exc, scope, receive, send)


async def _refuse(exc: BodyTooLarge, scope: Scope, receive: Receive, send: Send) -> None:
    response = JSONResponse({"detail": exc.detail, "code": "request.too_large",
                             "params": {"limit": exc.limit}}, status_code=413, headers=CLOSE)
    await response(scope, receive, send)


async def read_limited(request: Request, limit: int, route_class: str) -> bytes:
    """The body, read as a stream and refused (``BodyTooLarge``) the moment it passes ``limit``."""
    declared = declared_length(request.scope)
    if declared is not None and declared > limit:
        raise BodyTooLarge(route_class, limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge(route_class, limit)
    return bytes(body)
