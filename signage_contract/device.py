"""Device protocol: pairing, the WebSocket messages, and the HTTP routes a player uses.

Only pydantic here; shared by the server and the player.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, TypeAdapter, ValidationError

from .manifest import Category, EmergencyOverride, PlayReason, Priority, WireModel

API_PREFIX = "/api/v1"
# Device routes (bearer token of the paired board, except the pairing calls).
PAIRING_START = f"{API_PREFIX}/device/pairing"  # POST PairingStart -> PairingTicket
PAIRING_POLL = f"{API_PREFIX}/device/pairing/{{ticket_id}}"  # GET (X-Pairing-Secret) -> PairingStatus
DEVICE_MANIFEST = f"{API_PREFIX}/device/manifest"  # GET, If-None-Match -> SignedManifest | 304
DEVICE_MEDIA = f"{API_PREFIX}/device/media/{{sha256}}"  # GET, Range; immutable
DEVICE_SOCKET = f"{API_PREFIX}/device/ws"  # WebSocket, Authorization: Bearer <token>
DEVICE_ROTATE = f"{API_PREFIX}/device/credential/rotate"  # POST -> DeviceCredential
PAIRING_CODE_ALPHABET = "ACDEFHJKLMNPRTUVWXY3479"  # no 0/O, 1/I, 2/Z, 5/S, 6/G, 8/B look-alikes
PAIRING_CODE_LENGTH = 6


class PairingStart(WireModel):
    """Sent by an unpaired player."""

    hardware_id: Annotated[str, Field(min_length=1, max_length=128)]
    software_version: Annotated[str, Field(max_length=64)] = ""
    screen_width: Annotated[int, Field(gt=0, le=16384)] | None = None
    screen_height: Annotated[int, Field(gt=0, le=16384)] | None = None


class PairingTicket(WireModel):
    ticket_id: str
    code: str  # shown large on the board's screen; an operator claims it
    secret: str  # only the device knows it; required to collect the credential
    expires_at: AwareDatetime
    poll_interval_s: int = 3


class DeviceCredential(WireModel):
    board_id: str
    token: str  # bearer token; stored by the player in its state directory, never logged
    server_public_key: str  # base64 Ed25519 verify key, pinned by the player
    key_id: str


class PairingStatus(WireModel):
    state: Literal["pending", "claimed", "expired"]
    credential: DeviceCredential | None = None


# --- WebSocket messages ------------------------------------------------------------------------
# The socket only nudges; HTTP is the truth (a lost message costs one poll interval at worst).


NUDGE_SPREAD_MAX_S = 300.0  # the longest a board defers a nudged fetch, whatever the server asks


class Nudge(WireModel):
    """Server -> device: your manifest changed; fetch it, at once or, when ``within_s`` > 0, at a
    random moment within that many seconds (a change that reached thousands of boards: their
    fetches are spread instead of arriving together). A board caps the wait at
    ``NUDGE_SPREAD_MAX_S``; servers older than the field send none (0: at once)."""

    type: Literal["nudge"] = "nudge"
    version: str
    within_s: float = Field(default=0.0, ge=0)


class Hello(WireModel):
    """Device -> server, first message: what it has."""

    type: Literal["hello"] = "hello"
    manifest_version: str | None = None
    software_version: str = ""


# --- Emergency override (server -> device over the socket; also in every manifest) -------------


class OverridePush(WireModel):
    """Server -> device: show this override now (it is also in the next manifest)."""

    type: Literal["override"] = "override"
    override: EmergencyOverride


class OverrideCancel(WireModel):
    """Server -> device: stop showing this override."""

    type: Literal["override_cancel"] = "override_cancel"
    override_id: str


class OverrideAck(WireModel):
    """Device -> server: the override was received (stored) or first displayed."""

    type: Literal["override_ack"] = "override_ack"
    override_id: str
    stage: Literal["received", "displayed"]
    at: AwareDatetime


class ScreenshotRequest(WireModel):
    """Server -> device: capture the screen now and upload it (DEVICE_SCREENSHOTS)."""

    type: Literal["screenshot"] = "screenshot"
    request_id: str


# --- Remote care (server -> device over the socket) -----------------------------------------------
# The player decides what it allows: a reboot only where its own config file says ``allow_reboot``.

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
LOG_LINES_MAX = 2000  # lines a log fetch may ask for
LOG_LINE_MAX_CHARS = 1000  # a longer line is cut by the player
LOG_UPLOAD_MAX_BYTES = 1_000_000  # bound of a DEVICE_LOGS body; the player drops the oldest lines to fit


LogLine = Annotated[str, Field(max_length=LOG_LINE_MAX_CHARS)]


class CareCommand(WireModel):
    """Server -> device: restart the player (it exits for its service manager to start it again),
    reboot the PC (only where the player's config allows it; refused otherwise, reported in the
    heartbeat's ``last_error``), or change the log level at run time (until the next start)."""

    type: Literal["care"] = "care"
    action: Literal["restart", "reboot", "log_level"]
    level: LogLevel | None = None  # for "log_level"


class LogsRequest(WireModel):
    """Server -> device: upload the last ``lines`` lines of your log (DEVICE_LOGS, ``request_id``)."""

    type: Literal["logs"] = "logs"
    request_id: Annotated[str, Field(min_length=1, max_length=64)]
    lines: Annotated[int, Field(ge=1, le=LOG_LINES_MAX)] = 200


class LogUpload(WireModel):
    """Device -> server over HTTP (DEVICE_LOGS): the lines a ``LogsRequest`` asked for."""

    request_id: Annotated[str, Field(min_length=1, max_length=64)]
    lines: Annotated[list[LogLine], Field(max_length=LOG_LINES_MAX)]


# --- Parsing: each socket message is parsed once, by its ``type`` tag, then matched ----------------

ServerMessage = Annotated[
    Nudge | OverridePush | OverrideCancel | ScreenshotRequest | CareCommand | LogsRequest,
    Field(discriminator="type"),
]
"""What the server sends a device over the socket."""

DeviceMessage = Annotated[Hello | OverrideAck, Field(discriminator="type")]
"""What a device sends the server over the socket."""

_SERVER_MESSAGE: TypeAdapter[ServerMessage] = TypeAdapter(ServerMessage)
_DEVICE_MESSAGE: TypeAdapter[DeviceMessage] = TypeAdapter(DeviceMessage)
UNKNOWN_TAG_ERRORS = frozenset({"union_tag_invalid", "union_tag_not_found"})


def parse_server_message(raw: str | bytes) -> ServerMessage:
    """A server -> device message; raises ``pydantic.ValidationError`` (see ``is_unknown_message``)."""
    return _SERVER_MESSAGE.validate_json(raw)


def parse_device_message(raw: str | bytes) -> DeviceMessage:
    """A device -> server message; raises ``pydantic.ValidationError`` (see ``is_unknown_message``)."""
    return _DEVICE_MESSAGE.validate_json(raw)


def is_unknown_message(error: ValidationError) -> bool:
    """Whether a parse failed only because the ``type`` is missing or not known here (a message added
    by a newer peer, to be ignored quietly) rather than because a known message is malformed."""
    return all(e["type"] in UNKNOWN_TAG_ERRORS for e in error.errors())


# --- Health and proof of play (device -> server over HTTP) -------------------------------------

DEVICE_HEARTBEAT = f"{API_PREFIX}/device/heartbeat"  # POST Heartbeat -> HeartbeatReply
DEVICE_PLAYS = f"{API_PREFIX}/device/plays"  # POST PlayBatch -> PlayBatchReply (idempotent by id)
DEVICE_SCREENSHOTS = f"{API_PREFIX}/device/screenshots"  # POST multipart: image (JPEG), request_id
DEVICE_LOGS = f"{API_PREFIX}/device/logs"  # POST LogUpload (answering a LogsRequest) -> 204
HEARTBEAT_INTERVAL_S = 30
PLAY_BATCH_MAX = 1000


class Heartbeat(WireModel):
    sent_at: AwareDatetime  # the device's clock; the reply's server_time gives the offset
    software_version: str = ""
    uptime_s: Annotated[float, Field(ge=0)] = 0
    manifest_version: str | None = None
    # region id -> item id on screen now ("override:<id>" while an override shows)
    regions: dict[str, str] = Field(default_factory=dict)
    clock_offset_s: float | None = None  # server minus device, as last measured by the device
    free_disk_bytes: Annotated[int, Field(ge=0)] | None = None
    cache_bytes: Annotated[int, Field(ge=0)] | None = None
    last_error: Annotated[str, Field(max_length=2000)] = ""
    # "off": the power schedule has the screen off (black, display powered down where it can be)
    screen_state: Literal["on", "off", "unknown"] = "unknown"
    brightness: Annotated[int, Field(ge=0, le=100)] | None = None  # percent while on; None: not known
    # remote care (added later; older players leave them out)
    os_name: Annotated[str, Field(max_length=128)] = ""  # e.g. "Linux 6.1 (x86_64)"
    temperature_c: float | None = None  # hottest /sys/class/thermal zone; None where there is none
    allow_reboot: bool | None = None  # the player's own config allows a remote reboot
    log_level: Annotated[str, Field(max_length=16)] = ""


class HeartbeatReply(WireModel):
    server_time: AwareDatetime
    heartbeat_interval_s: int = HEARTBEAT_INTERVAL_S


class PlayRecord(WireModel):
    """One item shown in one region from ``started_at`` to ``ended_at``; ``id`` is chosen by the
    device (a UUID) and makes uploads idempotent: a retried batch never duplicates."""

    id: Annotated[str, Field(min_length=8, max_length=64)]
    region_id: str
    item_id: str
    schedule_id: str | None = None
    override_id: str | None = None
    reason: PlayReason
    category: Category = Category.OTHER
    priority: Priority = Priority.NORMAL
    started_at: AwareDatetime
    ended_at: AwareDatetime


class PlayBatch(WireModel):
    records: Annotated[list[PlayRecord], Field(max_length=PLAY_BATCH_MAX)]


class PlayBatchReply(WireModel):
    """``accepted``: newly stored; ``duplicates``: already stored (a retry); ``rejected``: ids of
    records the server refuses for good (ending before they start): the device drops them from its
    queue rather than retrying them forever. ``corrected``: records of the batch the server moved
    by the board's clock offset (measured by its heartbeats); ``unverified``: records kept with
    times the server could not check (ahead of its clock, no offset known). Both are stored."""

    accepted: int
    duplicates: int
    rejected: list[str] = Field(default_factory=list)
    corrected: int = 0
    unverified: int = 0
