"""API shapes for board health, screenshots and the wall (operators and viewers)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

from signage_server.models import Screenshot

API = "/api/v1"
LinkStatus = Literal["online", "offline", "never_seen"]


class ScreenshotPublic(BaseModel):
    id: int
    board_id: int
    taken_at: datetime
    received_at: datetime
    request_id: str | None
    width: int
    height: int
    size: int
    image_url: str
    thumbnail_url: str

    @classmethod
    def of(cls, shot: Screenshot) -> ScreenshotPublic:
        assert shot.id is not None
        base = f"{API}/boards/{shot.board_id}/screenshots/{shot.id}"
        return cls(id=shot.id, board_id=shot.board_id, taken_at=shot.taken_at,
                   received_at=shot.received_at, request_id=shot.request_id, width=shot.width,
                   height=shot.height, size=shot.size, image_url=f"{base}/image",
                   thumbnail_url=f"{base}/thumbnail")


class ScreenshotRequestPublic(BaseModel):
    request_id: str
    board_id: int
    requested_at: datetime
    fulfilled_at: datetime | None = None
    screenshot_id: int | None = None


class BoardHealthPublic(BaseModel):
    board_id: int
    status: LinkStatus
    last_seen_at: datetime | None = None
    online_since: datetime | None = None  # when the current state began
    software_version: str = ""
    uptime_s: float | None = None
    manifest_version: str | None = None
    regions: dict[str, str] = {}
    clock_offset_s: float | None = None
    free_disk_bytes: int | None = None
    cache_bytes: int | None = None
    last_error: str = ""
    screen_state: str = "unknown"
    brightness: int | None = None  # percent (0 while the schedule has the screen off)
    os_name: str = ""
    temperature_c: float | None = None  # where the PC has thermal zones
    allow_reboot: bool | None = None  # the player's own config allows a remote reboot
    log_level: str = ""
    clock_skewed: bool = False  # the board's clock is more than 5 minutes off the server's


class BoardEventPublic(BaseModel):
    board_id: int
    kind: str
    at: datetime
    flaps: int


class UptimeDayPublic(BaseModel):
    day: date  # local date, Asia/Ho_Chi_Minh
    percent: float | None
    observed_s: float
    covered_s: float
    scheduled_off_s: float = 0.0  # off by the board's power schedule: neither observed nor down


class WallTile(BaseModel):
    board_id: int
    name: str
    unit_id: int
    status: LinkStatus
    last_seen_at: datetime | None
    screenshot_taken_at: datetime | None
    thumbnail_url: str | None
