"""API shapes of feeds: what an editor sets (address, unit, target playlist and kind of item, how
long an entry stays, how often the feed is read, trusted or not) and the state the poller keeps."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from signage_server.feeds.fetch import check_url
from signage_server.models import FeedTarget
from signage_server.schemas import Name, Strict, Text

Url = Annotated[Text, Field(min_length=1, max_length=2000), AfterValidator(check_url)]
ValidityMin = Annotated[int, Field(ge=10, le=30 * 24 * 60, description="minutes an entry stays on air")]
IntervalMin = Annotated[int, Field(ge=1, le=24 * 60, description="minutes between two reads")]
FeedStatus = Literal["new", "ok", "failing", "paused"]


class FeedCreate(Strict):
    name: Name
    url: Url
    unit_id: int | None = None  # the user's unit when omitted
    target: FeedTarget
    playlist_id: int
    validity_min: ValidityMin = 360
    poll_interval_min: IntervalMin = 15
    trusted: bool = False  # admins and approvers only


class FeedUpdate(Strict):
    name: Name | None = None
    url: Url | None = None
    target: FeedTarget | None = None
    playlist_id: int | None = None
    validity_min: ValidityMin | None = None
    poll_interval_min: IntervalMin | None = None
    trusted: bool | None = None
    active: bool | None = None


class FeedPublic(BaseModel):
    id: int
    unit_id: int
    name: str
    url: str
    target: FeedTarget
    playlist_id: int
    validity_min: int
    poll_interval_min: int
    trusted: bool
    active: bool
    status: FeedStatus
    next_poll_at: datetime
    last_polled_at: datetime | None
    last_ok_at: datetime | None
    error_code: str
    error_detail: str
    failing_since: datetime | None
    entries_on_air: int
    entries_waiting: int
