"""The device socket: one WebSocket to the server, kept open by its own thread.

It connects with the board's credential, says ``Hello``, attaches the ack outbox while connected,
and parses each server message once (``parse_server_message``) before handing it to ``deliver``;
what a message means is decided there (``Coordinator.route``), not here. The socket only nudges:
HTTP is the truth, so a lost message costs one poll interval at worst. It reconnects with jittered
exponential back-off; a refusal of the credential wakes the poll loop, which decides.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable

from pydantic import ValidationError

from signage_contract.device import (
    DEVICE_SOCKET,
    Hello,
    ServerMessage,
    is_unknown_message,
    parse_server_message,
)

from .. import __version__
from ..core.shared import Shared
from ..core.state import StateDir
from .overrides import AckOutbox

log = logging.getLogger(__name__)
BACKOFF_BASE_S = 1.0
BACKOFF_CAP_S = 60.0
RECEIVE_TIMEOUT_S = 1.0  # how often the socket thread looks at the stop flag
REFUSED_STATUSES = (401, 403)  # the server no longer knows this credential (revoked, or a new database)
POLICY_CLOSE = 1008  # the server closes a revoked board's socket with this code


def backoff_s(attempt: int, rand: Callable[[], float] = random.random) -> float:
    """Exponential back-off with jitter in [half, full], so a thousand boards do not reconnect in step."""
    ceiling = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2.0 ** min(attempt, 16))
    return ceiling * (0.5 + 0.5 * rand())


def socket_url(server: str) -> str:
    return server.replace("https://", "wss://", 1).replace("http://", "ws://", 1) + DEVICE_SOCKET


class DeviceChannel:
    """The socket thread: connection, reconnection, and each received message parsed once."""

    def __init__(
        self,
        *,
        server: str,
        state: StateDir,
        shared: Shared,
        deliver: Callable[[ServerMessage], None],
        stop_event: threading.Event,
        on_refused: Callable[[], None] = lambda: None,
        outbox: AckOutbox | None = None,
    ) -> None:
        self.url = socket_url(server)
        self.state = state
        self.shared = shared
        self.deliver = deliver
        self.stop_event = stop_event
        self.on_refused = on_refused
        self.outbox = outbox
        self._thread: threading.Thread | None = None

    def ensure_running(self) -> None:
        """Start the socket thread unless it runs (it needs the credential, so it starts once
        paired, and again after pairing anew)."""
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self.run, name="signage-ws", daemon=True)
            self._thread.start()

    def receive(self, raw: str | bytes) -> ServerMessage | None:
        """Parse one message and deliver it; None when it was not delivered (a message type added
        by a newer server is ignored quietly, a malformed one is logged)."""
        try:
            message = parse_server_message(raw)
        except ValidationError as exc:
            if not is_unknown_message(exc):
                log.warning("malformed socket message ignored: %s", str(exc).splitlines()[0])
            return None
        self.deliver(message)
        return message

    def run(self) -> None:
        """Keep the socket open until stopped or unpaired."""
        from websockets.exceptions import WebSocketException
        from websockets.sync.client import connect

        attempt = 0
        while not self.stop_event.is_set():
            credential = self.state.load_credential()
            if credential is None:
                return
            try:
                with connect(
                    self.url,
                    additional_headers={"Authorization": f"Bearer {credential.token}"},
                    open_timeout=10,
                    close_timeout=2,
                ) as socket:
                    attempt = 0
                    hello = Hello(
                        manifest_version=self.shared.snapshot().version, software_version=__version__
                    )
                    socket.send(hello.model_dump_json())
                    if self.outbox is not None:
                        self.outbox.attach(socket.send)
                    self._listen(socket)
            except (WebSocketException, OSError, TimeoutError) as exc:
                log.debug("socket closed: %s", exc)
                if _refused(exc):
                    self.on_refused()  # perhaps revoked: the manifest poll is the truth, ask it now
            finally:
                if self.outbox is not None:
                    self.outbox.attach(None)
            self.stop_event.wait(backoff_s(attempt))
            attempt += 1

    def _listen(self, socket: object) -> None:
        from websockets.sync.client import ClientConnection

        assert isinstance(socket, ClientConnection)
        while not self.stop_event.is_set():
            try:
                raw = socket.recv(timeout=RECEIVE_TIMEOUT_S)
            except TimeoutError:
                continue
            self.receive(raw)


def _refused(exc: Exception) -> bool:
    """Whether the server shut the socket on the credential (policy close, or 401/403 at handshake)."""
    from websockets.exceptions import ConnectionClosed, InvalidStatus

    if isinstance(exc, ConnectionClosed):
        return exc.rcvd is not None and exc.rcvd.code == POLICY_CLOSE
    if isinstance(exc, InvalidStatus):
        return exc.response.status_code in REFUSED_STATUSES
    return False
