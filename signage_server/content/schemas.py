"""API shapes of playlists, their items and schedules (see ``schemas.py`` for the conventions).

Item options are validated by the item's kind (``content.kinds``) against its wire item's own
fields (fit, align, colours, ticker speed, clock format), so what is stored can always be composed
into a manifest.
"""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, ValidationError, model_validator

from signage_server.content.kinds import KINDS, REFERENCE_FIELDS, Content, kind_for
from signage_server.models import ItemKind, TargetKind
from signage_server.schemas import ContentPublic, Name, Strict, Tag, Text

MIN_DURATION_S = 1.0
MAX_DURATION_S = 24 * 3600.0


def _check_content(item: ItemCreate) -> None:
    """The item names exactly the content its kind shows: a media file, a bulletin, a text or none."""
    content = kind_for(item.kind).content
    for field in REFERENCE_FIELDS:
        present = getattr(item, field) is not None
        if field == content.reference and not present:
            raise ValueError(f"a {item.kind.value} item needs {field}")
        if field != content.reference and present:
            raise ValueError(f"a {item.kind.value} item takes no {field}")
    if content is Content.TEXT and not item.text:
        raise ValueError(f"a {item.kind.value} item needs text")
    if content is not Content.TEXT and item.text:
        raise ValueError(f"a {item.kind.value} item takes no text (only {_TEXT_KINDS} do)")


_TEXT_KINDS = " and ".join(f"{kind.value}s" for kind, spec in KINDS.items() if spec.content is Content.TEXT)


class ItemCreate(Strict):
    kind: ItemKind
    media_id: int | None = None
    bulletin_id: int | None = None
    text: Annotated[Text, Field(max_length=5000)] = ""
    duration_s: Annotated[float, Field(ge=MIN_DURATION_S, le=MAX_DURATION_S)] = 10.0
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    options: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> ItemCreate:
        _check_content(self)
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        try:
            parsed = kind_for(self.kind).options.model_validate(self.options)
        except ValidationError as exc:
            reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise ValueError(f"options for a {self.kind.value} item: {reasons}") from exc
        self.options = parsed.model_dump(mode="json", exclude_unset=True)
        if (check := kind_for(self.kind).check_item) is not None:
            check(self.text, self.options)
        return self


class ItemUpdate(Strict):
    kind: ItemKind | None = None
    media_id: int | None = None
    bulletin_id: int | None = None
    text: str | None = None
    duration_s: float | None = None
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    options: dict[str, Any] | None = None


class ItemPublic(BaseModel):
    id: int
    playlist_id: int
    position: int
    kind: ItemKind
    media_id: int | None
    bulletin_id: int | None
    text: str
    duration_s: float
    valid_from: datetime | None
    valid_until: datetime | None
    options: dict[str, Any]


class PlaylistCreate(Strict):
    name: Name
    unit_id: int | None = None  # default: the author's unit


class PlaylistUpdate(Strict):
    name: Name | None = None


class PlaylistDraft(BaseModel):
    """An edit of an approved playlist waiting for approval: its name and items as they would be
    (an item added by the edit has a negative id until then)."""

    name: str
    items: list[ItemPublic]


class PlaylistPublic(ContentPublic):
    name: str
    items: list[ItemPublic]  # what is on air
    pending_edit: PlaylistDraft | None = None
    pending_submission_id: int | None = None


class ReorderRequest(Strict):
    item_ids: Annotated[list[int], Field(description="every item id of the playlist, in the new order")]


def _weekdays(value: list[int]) -> list[int]:
    if len(set(value)) != len(value):
        raise ValueError("weekdays must not repeat")
    return sorted(value)


Weekday = Annotated[int, Field(ge=0, le=6, description="0 = Monday .. 6 = Sunday")]
RegionId = Annotated[str, Field(min_length=1, max_length=64)]


class ScheduleBase(Strict):
    name: Name
    layout_id: Annotated[str, Field(min_length=1, max_length=64)]
    regions: Annotated[dict[RegionId, int], Field(min_length=1, description="region id -> playlist id")]
    target_kind: TargetKind
    target_board_id: int | None = None
    target_unit_id: int | None = None
    target_tag: Tag | None = None
    weekdays: Annotated[list[Weekday], AfterValidator(_weekdays)] = Field(default_factory=list)
    daily_start: time | None = None
    daily_end: time | None = None
    start_date: date | None = None
    end_date: date | None = None
    priority: Annotated[int, Field(ge=-1000, le=1000)] = 0
    is_default: bool = False
    weight: Annotated[int, Field(ge=1, le=1000, description="share of airtime among open schedules")] = 1
    exclusive: Annotated[bool, Field(description="takes the board alone while open")] = False
    priority_every_min: Annotated[
        int, Field(ge=1, le=1440, description="priority items recur at least this often (minutes)")
    ] = 10

    @model_validator(mode="after")
    def _consistent(self) -> ScheduleBase:
        wanted = {TargetKind.BOARD: "target_board_id", TargetKind.UNIT: "target_unit_id",
                  TargetKind.TAG: "target_tag"}
        for kind, field in wanted.items():
            present = getattr(self, field) is not None
            if kind == self.target_kind and not present:
                raise ValueError(f"target_kind {kind.value} needs {field}")
            if kind != self.target_kind and present:
                raise ValueError(f"target_kind {self.target_kind.value} takes no {field}")
        if (self.daily_start is None) != (self.daily_end is None):
            raise ValueError("give both daily_start and daily_end, or neither (all day)")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        return self


class ScheduleCreate(ScheduleBase):
    unit_id: int | None = None  # owner; default: the author's unit


class SchedulePreviewRequest(ScheduleCreate):
    """A schedule as it would be saved: new, or the whole of ``schedule_id`` after an edit; ``date``
    is the local day to plan (default: the first day it plays from today)."""

    schedule_id: int | None = None
    date: dt.date | None = None


class ScheduleUpdate(Strict):
    name: str | None = None
    layout_id: str | None = None
    regions: dict[str, int] | None = None
    target_kind: TargetKind | None = None
    target_board_id: int | None = None
    target_unit_id: int | None = None
    target_tag: str | None = None
    weekdays: list[int] | None = None
    daily_start: time | None = None
    daily_end: time | None = None
    start_date: date | None = None
    end_date: date | None = None
    priority: int | None = None
    is_default: bool | None = None
    weight: int | None = None
    exclusive: bool | None = None
    priority_every_min: int | None = None


class SchedulePublic(ContentPublic):
    name: str
    layout_id: str
    regions: dict[str, int]
    target_kind: TargetKind
    target_board_id: int | None
    target_unit_id: int | None
    target_tag: str | None
    weekdays: list[int]
    daily_start: time | None
    daily_end: time | None
    start_date: date | None
    end_date: date | None
    priority: int
    is_default: bool
    weight: int
    exclusive: bool
    priority_every_min: int
    # An exclusive schedule's answer to "what does it silence": the schedules that reach one of its
    # boards with an overlapping window in the coming days (empty for a schedule that is not).
    silences: list[int] = Field(default_factory=list)
    # An edit of the approved schedule awaiting approval (the schedule as it would be); the fields
    # above stay what is on the boards until then.
    pending_edit: dict[str, Any] | None = None
    pending_submission_id: int | None = None
