"""API shapes (SQLModel's Base / Create / Update / Public pattern); tables live in ``models.py``.

Strict on write: text is NFC-normalised and trimmed at entry, numbers have bounds, cross-field
rules (capture rectangle inside the resolution, date ranges in order) are checked here so that a
bad request gets a 422 saying what is wrong.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from signage_contract import Category, Priority, Region, nfc
from signage_contract.speech import MAX_SPEECH_TIMES
from signage_contract.timezone import LOCAL_TIMEZONE
from signage_server.core.legacy_text import TextConversion
from signage_server.models import BoardKind, ContentState, Orientation, Role, UnitLevel


def _clean(value: str) -> str:
    return nfc(value).strip()


Text = Annotated[str, AfterValidator(_clean)]
Name = Annotated[Text, Field(max_length=200), AfterValidator(lambda v: _nonempty(v, "name"))]
Color = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$")]
Tag = Annotated[Text, Field(min_length=1, max_length=64)]


def _nonempty(value: str, what: str) -> str:
    if not value:
        raise ValueError(f"{what} must not be empty")
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")




# --- auth and users ------------------------------------------------------------------------------

class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime | None


class ApiTokenCreate(Strict):
    name: Annotated[Text, Field(min_length=1, max_length=100)]
    expires_in_days: Annotated[int, Field(ge=1, le=3650)] | None = None


class ApiTokenPublic(BaseModel):
    id: int
    name: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiTokenCreated(ApiTokenPublic):
    token: str  # shown once; only its sha256 is stored


class AdminApiTokenCreate(ApiTokenCreate):
    """An admin's token for another account of their scope (the token acts as that account)."""

    user_id: int

    def token(self) -> ApiTokenCreate:
        return ApiTokenCreate(name=self.name, expires_in_days=self.expires_in_days)


class AdminApiTokenPublic(ApiTokenPublic):
    user_id: int
    username: str
    unit_id: int


class AdminApiTokenCreated(AdminApiTokenPublic):
    token: str  # shown once; only its sha256 is stored


Username = Annotated[str, Field(pattern=r"^[a-z0-9_.-]{3,64}$", description="lower case, 3-64 chars")]
Password = Annotated[str, Field(min_length=12, max_length=256,
                                description="12+ characters, not the user name, not a common password")]


class UserBase(Strict):
    full_name: Annotated[Text, Field(max_length=200)] = ""
    role: Role
    unit_id: int
    # The owner's board (role ``owner`` only, and then required): a requisitioned board in the
    # admin's scope; the account's unit becomes the board's.
    board_id: int | None = None


class UserCreate(UserBase):
    username: Username
    password: Password


class UserUpdate(Strict):
    full_name: Annotated[Text, Field(max_length=200)] | None = None
    role: Role | None = None
    unit_id: int | None = None
    active: bool | None = None
    password: Password | None = None


class UserPublic(BaseModel):
    id: int
    username: str
    full_name: str
    role: Role
    unit_id: int
    board_id: int | None = None
    active: bool
    created_at: datetime


# --- units ---------------------------------------------------------------------------------------

class UnitPublic(BaseModel):
    id: int
    code: str
    level: UnitLevel
    name: str
    division_type: str
    parent_id: int | None
    valid_from: date
    valid_to: date | None


class VillageCreate(Strict):
    name: Name
    code: Annotated[str, Field(pattern=r"^[0-9A-Za-z_.-]{1,16}$")] | None = None
    division_type: Annotated[Text, Field(min_length=1, max_length=64)] = "thôn"
    valid_from: date | None = None


class ReorganiseRequest(Strict):
    from_ids: Annotated[list[int], Field(min_length=1)]
    effective: date
    into_id: int | None = None
    new_code: Annotated[str, Field(pattern=r"^[0-9A-Za-z_.-]{1,16}$")] | None = None
    new_name: Name | None = None
    note: Annotated[Text, Field(max_length=500)] = ""

    @model_validator(mode="after")
    def _one_target(self) -> ReorganiseRequest:
        if (self.into_id is None) == (self.new_code is None or self.new_name is None):
            raise ValueError("give either into_id (an existing unit) or new_code and new_name")
        return self


UnitCode = Annotated[str, Field(pattern=r"^[0-9A-Za-z_.-]{1,16}$")]


class SplitPart(Strict):
    code: UnitCode
    name: Name


class SplitRequest(Strict):
    """One unit split into new ones from ``effective``. ``boards``, ``users`` and ``villages`` (any
    unit below it) map an id to the position of its new unit in ``parts`` (0-based); what is not
    named, and all content, goes to the first part."""

    from_id: int
    effective: date
    parts: Annotated[list[SplitPart], Field(min_length=2, max_length=10)]
    boards: dict[int, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)
    users: dict[int, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)
    villages: dict[int, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)
    note: Annotated[Text, Field(max_length=500)] = ""

    @model_validator(mode="after")
    def _distinct_codes(self) -> SplitRequest:
        if len({p.code for p in self.parts}) != len(self.parts):
            raise ValueError("each new unit needs its own code")
        return self


class ReorganisePublic(BaseModel):
    new_unit_ids: list[int]
    retired_unit_ids: list[int]
    board_ids: list[int]


# --- boards --------------------------------------------------------------------------------------

Pixels = Annotated[int, Field(ge=1, le=16384)]


class BoardBase(Strict):
    """``width`` x ``height`` is the output the player drives; the capture rectangle (default: all
    of it) is the part the LED sending card reads and must lie inside it."""

    name: Name
    unit_id: int
    kind: BoardKind = BoardKind.PUBLIC
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    address: Annotated[Text, Field(max_length=500)] = ""
    width: Pixels = 1920
    height: Pixels = 1080
    orientation: Orientation = Orientation.LANDSCAPE
    capture_x: Annotated[int, Field(ge=0)] = 0
    capture_y: Annotated[int, Field(ge=0)] = 0
    capture_w: Pixels | None = None
    capture_h: Pixels | None = None
    timezone: str = LOCAL_TIMEZONE
    tags: Annotated[list[Tag], Field(max_length=50)] = []

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as {LOCAL_TIMEZONE})"
            ) from exc
        return value

    @field_validator("tags")
    @classmethod
    def _unique_tags(cls, value: list[str]) -> list[str]:
        return sorted(set(value))

    @model_validator(mode="after")
    def _capture_inside(self) -> BoardBase:
        w = self.capture_w if self.capture_w is not None else self.width - self.capture_x
        h = self.capture_h if self.capture_h is not None else self.height - self.capture_y
        if w < 1 or self.capture_x + w > self.width or h < 1 or self.capture_y + h > self.height:
            raise ValueError(
                f"capture rectangle x={self.capture_x} y={self.capture_y} w={w} h={h} must lie inside "
                f"the {self.width}x{self.height} resolution"
            )
        return self


class BoardCreate(BoardBase):
    pass


class BoardUpdate(Strict):
    name: Name | None = None
    unit_id: int | None = None
    kind: BoardKind | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None
    width: int | None = None
    height: int | None = None
    orientation: Orientation | None = None
    capture_x: int | None = None
    capture_y: int | None = None
    capture_w: int | None = None
    capture_h: int | None = None
    timezone: str | None = None
    tags: list[str] | None = None


class BoardPublic(BoardBase):
    id: int
    created_at: datetime
    updated_at: datetime


class BoardHistoryPublic(BaseModel):
    unit_id: int
    valid_from: datetime
    valid_to: datetime | None


# --- content -------------------------------------------------------------------------------------

class ContentPublic(BaseModel):
    id: int
    unit_id: int
    state: ContentState
    rejection_reason: str
    created_by: int | None
    submitted_by: int | None = None
    submitted_at: datetime | None = None
    reviewed_by: int | None = None  # who approved or rejected it last
    reviewed_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    # Text fields of this request that arrived in TCVN3 or VNI and were stored converted to Unicode.
    converted: list[TextConversion] = Field(default_factory=list)
    archived_at: datetime | None = None  # archived: off air, out of lists and pickers, restorable


class StateChange(Strict):
    state: ContentState
    reason: Annotated[Text, Field(max_length=1000)] = ""


class Validity(Strict):
    """When content may be shown (either end open); a board drops it at ``valid_until``."""

    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Validity:
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        return self


def is_expired(valid_until: datetime | None, now: datetime) -> bool:
    """Whether content dated to ``valid_until`` (naive: UTC, as SQLite returns it) is over at ``now``."""
    if valid_until is None:
        return False
    return (valid_until if valid_until.tzinfo else valid_until.replace(tzinfo=UTC)) <= now


class ValidityPublic(BaseModel):
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    expired: bool = False  # valid_until has passed: no board shows it any more


# Local times of day ("HH:MM") at which a spoken bulletin is due; none: each time it shows.
SpeakTimes = Annotated[list[Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]],
                       Field(max_length=MAX_SPEECH_TIMES)]


class BulletinBase(Validity):
    title: Annotated[Text, Field(max_length=300), AfterValidator(lambda v: _nonempty(v, "title"))]
    body: Annotated[Text, Field(max_length=20_000)] = ""
    category: Category = Category.OTHER
    priority: Priority = Priority.NORMAL
    speak: bool = False  # read aloud on boards with audio (content/speech.py)
    speak_times: SpeakTimes = []


class BulletinCreate(BulletinBase):
    unit_id: int | None = None  # default: the author's unit


class BulletinUpdate(Strict):
    title: str | None = None
    body: str | None = None
    category: Category | None = None
    priority: Priority | None = None
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    speak: bool | None = None
    speak_times: SpeakTimes | None = None


class BulletinPublic(BulletinBase, ValidityPublic, ContentPublic):
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    # An edit of the approved bulletin awaiting approval (the fields it changes to); the bulletin's
    # own fields stay what is on air until then.
    pending_edit: dict[str, Any] | None = None
    pending_submission_id: int | None = None
    # Sent by an upstream system (``POST /intake/bulletins``): its name and its own id.
    source: str | None = None
    external_id: str | None = None


class MediaUpdate(Validity):
    title: Annotated[Text, Field(max_length=200)] | None = None
    category: Category | None = None


class MediaPublic(ValidityPublic, ContentPublic):
    sha256: str
    size: int
    content_type: str
    width: int
    height: int
    original_name: str
    title: str
    category: Category
    # An edit of the approved image awaiting approval (its title, category, dates as they would
    # be); the image's own fields stay what is on air until then.
    pending_edit: dict[str, Any] | None = None
    pending_submission_id: int | None = None


# --- layouts -------------------------------------------------------------------------------------

class LayoutCreate(Strict):
    # Stored as u<unit id>.<id> (content/custom_layouts.scoped_id), within the 64 characters of an id.
    id: Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,48}$",
                             description="a name for the layout; stored as u<unit id>.<name>")]
    name: Name
    background: Color = "#000000"
    regions: Annotated[list[Region], Field(min_length=1)]
    variants: Annotated[dict[Orientation, list[Region]], Field(
        description="the same regions (ids and roles) placed for a screen of the other orientation; "
        "a board of that orientation shows its variant")] = Field(default_factory=dict)
    unit_id: int | None = None  # default: the author's unit


class LayoutUpdate(Strict):
    """A partial update; ``variants``, when sent, replaces them all ({} removes them). Changing the
    regions' ids or roles needs the variants sent to match."""

    name: str | None = None
    background: str | None = None
    regions: list[Region] | None = None
    variants: dict[Orientation, list[Region]] | None = None


class LayoutPublic(BaseModel):
    id: str
    name: str
    background: str
    regions: list[dict[str, Any]]
    variants: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)
    builtin: bool
    unit_id: int | None
