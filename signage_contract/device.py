"""Device protocol: pairing, the WebSocket messages, and the HTTP routes a player uses.

Only pydantic here; shared by the server and the player.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from .manifest import WireModel

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


class Nudge(WireModel):
    """Server -> device: your manifest changed; fetch it."""

    type: Literal["nudge"] = "nudge"
    version: str


class Hello(WireModel):
    """Device -> server, first message: what it has."""

    type: Literal["hello"] = "hello"
    manifest_version: str | None = None
    software_version: str = ""
