"""API shapes of emergency overrides (create, update, public view, per-board status)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field

from signage_contract import RISK_COLORS, Category
from signage_server.core.legacy_text import TextConversion
from signage_server.models import Override, OverrideState
from signage_server.schemas import Strict, Tag, Text, _nonempty

Title = Annotated[Text, Field(max_length=300), AfterValidator(lambda v: _nonempty(v, "title"))]
Body = Annotated[Text, Field(max_length=5000)]
RiskLevel = Annotated[int, Field(ge=1, le=5, description="Decision 18/2021/QĐ-TTg risk level")]


class OverrideTargetIn(Strict):
    """``all``: every board in the issuer's scope; otherwise units' subtrees, boards and tags."""

    all: bool = False
    unit_ids: list[int] = Field(default_factory=list, max_length=500)
    board_ids: list[int] = Field(default_factory=list, max_length=20_000)
    tags: list[Tag] = Field(default_factory=list, max_length=50)

    def empty(self) -> bool:
        return not (self.all or self.unit_ids or self.board_ids or self.tags)


class OverrideCreate(Strict):
    title: Title
    body: Body = ""
    media_id: int | None = None
    risk_level: RiskLevel = 3
    category: Category = Category.INCIDENTS
    target: OverrideTargetIn
    starts_at: AwareDatetime | None = None  # default: now
    expires_at: AwareDatetime  # required: an override never runs unbounded
    speak: bool = False  # read aloud on boards with audio, quiet hours or not (content/speech.py)


class OverrideUpdate(Strict):
    """What may change while an override is pending or active (the target may not: cancel and
    issue a new one, so that the operator confirms the boards taken over)."""

    title: Title | None = None
    body: Body | None = None
    risk_level: RiskLevel | None = None
    expires_at: AwareDatetime | None = None


class BoardTargetPublic(BaseModel):
    id: int
    name: str
    unit_id: int


class OverridePublic(BaseModel):
    id: int
    title: str
    body: str
    media_id: int | None
    risk_level: int
    color: str
    category: Category
    target: OverrideTargetIn
    starts_at: datetime
    expires_at: datetime
    state: OverrideState
    unit_id: int | None
    issued_by: int | None
    created_at: datetime
    updated_at: datetime
    confirmed_at: datetime | None
    confirmed_by: int | None
    cancelled_at: datetime | None
    cancelled_by: int | None
    cap_sender: str | None
    cap_identifier: str | None
    # Text fields of this request that arrived in TCVN3 or VNI and were stored converted to Unicode.
    converted: list[TextConversion] = Field(default_factory=list)

    @classmethod
    def of(cls, row: Override) -> OverridePublic:
        assert row.id is not None
        data = row.model_dump(exclude={"target_all", "target_unit_ids", "target_board_ids", "target_tags",
                                       "cap_sent"})
        target = OverrideTargetIn(all=row.target_all, unit_ids=row.target_unit_ids,
                                  board_ids=row.target_board_ids, tags=row.target_tags)
        return cls(**data, color=RISK_COLORS[row.risk_level], target=target)


class PagesPublic(BaseModel):
    """How the text shows on the smallest targeted board: ``pages`` screens in turn (1: it fits)."""

    pages: int
    width: int
    height: int


class OverrideWithBoards(OverridePublic):
    """What the operator is about to take over (create) or took over (confirm), and how many pages
    the text takes on the smallest of those boards (None: no board targeted)."""

    board_count: int
    boards: list[BoardTargetPublic]
    pages: PagesPublic | None = None


DeliveryStatus = Literal["displayed", "delivered", "pending", "unreachable"]


class BoardDelivery(BaseModel):
    board_id: int
    name: str
    status: DeliveryStatus  # pending: reachable, no receipt yet
    connected: bool
    received_at: datetime | None
    displayed_at: datetime | None


class OverrideStatusPublic(BaseModel):
    override_id: int
    state: OverrideState
    counts: dict[DeliveryStatus, int]
    boards: list[BoardDelivery]
