"""Database tables (SQLModel). API shapes live in ``schemas.py``; the wire contract in
``signage_contract``. Every schema change goes through an Alembic migration.

Times are aware UTC ``datetime``s (SQLModel stores them as UTC and returns them aware, also on
SQLite, which keeps no offset); ``utcnow()`` gives one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from signage_contract import Category, Priority
from signage_contract import Orientation as Orientation  # one home: boards store the contract's
from signage_contract.timezone import LOCAL_TIMEZONE


def utcnow() -> datetime:
    return datetime.now(UTC)


class UnitLevel(StrEnum):
    PROVINCE = "province"
    COMMUNE = "commune"  # xã, phường, đặc khu
    VILLAGE = "village"  # thôn, tổ dân phố (added by users)


class LineageKind(StrEnum):
    MERGE = "merge"
    SPLIT = "split"
    RENAME = "rename"


class AdminUnit(SQLModel, table=True):
    """An effective-dated administrative unit. Never key anything by code or name alone: codes of
    the 2025 reform reuse codes of old, different communes. ``valid_to`` is exclusive."""

    __tablename__ = "admin_unit"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, max_length=16)
    level: UnitLevel = Field(index=True)
    name: str = Field(max_length=200)
    division_type: str = Field(default="", max_length=64)  # "phường", "xã", "thôn", ...
    parent_id: int | None = Field(default=None, foreign_key="admin_unit.id", index=True)
    valid_from: date
    valid_to: date | None = Field(default=None, index=True)


class UnitLineage(SQLModel, table=True):
    """One edge of a reorganisation: ``from_unit`` became (part of) ``to_unit`` on ``effective``."""

    __tablename__ = "unit_lineage"
    id: int | None = Field(default=None, primary_key=True)
    kind: LineageKind
    from_unit_id: int = Field(foreign_key="admin_unit.id", index=True)
    to_unit_id: int = Field(foreign_key="admin_unit.id", index=True)
    effective: date
    note: str = Field(default="", max_length=500)


class BoardKind(StrEnum):
    PUBLIC = "public"
    # A business's LED board requisitioned for government messages (Decree 49 "huy động, trưng
    # dụng"): the government's schedules play only in its ``RequisitionWindow``s, its owner's
    # (``Role.OWNER``) the rest of the time.
    COMMERCIAL = "commercial"


class Board(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    unit_id: int = Field(foreign_key="admin_unit.id", index=True)
    kind: BoardKind = BoardKind.PUBLIC
    latitude: float | None = None
    longitude: float | None = None
    address: str = Field(default="", max_length=500)
    width: int = 1920
    height: int = 1080
    orientation: Orientation = Orientation.LANDSCAPE
    # Rectangle of the desktop that the LED sending card captures; the player's window sits there.
    capture_x: int = 0
    capture_y: int = 0
    capture_w: int | None = None
    capture_h: int | None = None
    timezone: str = Field(default=LOCAL_TIMEZONE, max_length=64)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class BoardUnitHistory(SQLModel, table=True):
    """Which unit owned a board when: reports attribute history to the unit valid at the time."""

    __tablename__ = "board_unit_history"
    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="board.id", index=True)
    unit_id: int = Field(foreign_key="admin_unit.id", index=True)
    valid_from: datetime
    valid_to: datetime | None = None


class DeviceCredential(SQLModel, table=True):
    __tablename__ = "device_credential"
    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="board.id", index=True)
    token_hash: str = Field(index=True, unique=True, max_length=64)  # sha256 of the bearer token
    hardware_id: str = Field(default="", max_length=128)
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
    last_seen_at: datetime | None = None


class PairingTicket(SQLModel, table=True):
    __tablename__ = "pairing_ticket"
    id: str = Field(primary_key=True, max_length=32)
    code: str = Field(index=True, max_length=16)
    secret_hash: str = Field(max_length=64)
    hardware_id: str = Field(max_length=128)
    software_version: str = Field(default="", max_length=64)
    screen_width: int | None = None
    screen_height: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    claimed_board_id: int | None = Field(default=None, foreign_key="board.id")
    claimed_by: int | None = Field(default=None, foreign_key="user.id")
    delivered_at: datetime | None = None


class Role(StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"
    APPROVER = "approver"
    OPERATOR = "operator"
    VIEWER = "viewer"
    OWNER = "owner"  # a requisitioned board's owner: its own playlist on that board only (User.board_id)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=64)
    full_name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=255)
    role: Role
    unit_id: int = Field(foreign_key="admin_unit.id", index=True)  # scope: this unit and its subtree
    # An owner's one board (Role.OWNER only): their scope is that board and their own content.
    board_id: int | None = Field(default=None, foreign_key="board.id", index=True)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class UnitSettings(SQLModel, table=True):
    """Per-unit workflow settings (a missing row means the defaults)."""

    __tablename__ = "unit_settings"
    unit_id: int = Field(foreign_key="admin_unit.id", primary_key=True)
    # Editors of this unit may approve their own submissions at once (off: four-eyes applies).
    trusted_editors_auto_approve: bool = False
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class PowerScheduleRow(SQLModel, table=True):
    """A board's or a unit's power and brightness schedule (``signage_contract.power.PowerSchedule``
    as JSON). Exactly one of ``board_id`` / ``unit_id``; a board without its own row inherits its
    nearest unit's (``devices/power.py``)."""

    __tablename__ = "power_schedule"
    id: int | None = Field(default=None, primary_key=True)
    board_id: int | None = Field(default=None, foreign_key="board.id", unique=True)
    unit_id: int | None = Field(default=None, foreign_key="admin_unit.id", unique=True)
    schedule: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class TokenKind(StrEnum):
    SESSION = "session"  # issued by a password login, expires after settings.token_ttl_hours
    API = "api"  # named, created by the user for scripts; listed and revoked by name


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: TokenKind = TokenKind.API
    name: str = Field(max_length=100)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class ContentState(StrEnum):
    """Approval workflow states; only approved/published content reaches a manifest."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    PUBLISHED = "published"


PLAYABLE_STATES = (ContentState.APPROVED, ContentState.PUBLISHED)


class ContentMixin(SQLModel):
    unit_id: int = Field(foreign_key="admin_unit.id", index=True)
    state: ContentState = Field(default=ContentState.DRAFT, index=True)
    rejection_reason: str = Field(default="", max_length=1000)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    # Four-eyes: who last submitted (an approver may not decide on their own submission), and who
    # last approved or rejected it, when (editors see who rejected their work and why).
    submitted_by: int | None = Field(default=None, foreign_key="user.id")
    submitted_at: datetime | None = None
    reviewed_by: int | None = Field(default=None, foreign_key="user.id")
    reviewed_at: datetime | None = None
    # Set on a requisitioned board owner's content: only that owner edits it, it plays only on that
    # board, outside the requisition windows; government accounts do not edit it.
    owner_board_id: int | None = Field(default=None, foreign_key="board.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ValidityMixin(SQLModel):
    """When content may be shown (UTC, either end open): a board drops it at ``valid_until``, offline
    too, because its manifest items carry the dates."""

    valid_from: datetime | None = None
    valid_until: datetime | None = None


class ArchiveMixin(SQLModel):
    """Archived content is off air, left out of lists and pickers unless asked for, and read-only
    until restored (its approval kept)."""

    archived_at: datetime | None = None


class Media(ContentMixin, ValidityMixin, ArchiveMixin, table=True):
    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(index=True, max_length=64)  # the file in the data directory's store
    size: int
    content_type: str = Field(max_length=32)
    width: int
    height: int
    original_name: str = Field(default="", max_length=255)  # sanitised
    title: str = Field(default="", max_length=200)
    category: Category = Category.OTHER
    # A video clip (content_type video/*): what the probe found, and its poster frame (a JPEG in the
    # media store, with its thumbnail) for lists and previews. None for an image.
    duration_s: float | None = None
    frame_rate: float | None = None
    bitrate: int | None = None
    poster_sha256: str | None = Field(default=None, max_length=64)
    poster_size: int | None = None


class MediaPage(SQLModel, table=True):
    """One page of a PDF ``Media``, rendered to a picture stored content-addressed beside the
    images (``content/pdf_media.py``); the boards get the pages, never the PDF."""

    __tablename__ = "media_page"
    __table_args__ = (UniqueConstraint("media_id", "position", name="uq_media_page_position"),)
    id: int | None = Field(default=None, primary_key=True)
    media_id: int = Field(foreign_key="media.id", index=True)
    position: int  # 0 = the first page
    sha256: str = Field(index=True, max_length=64)
    size: int
    content_type: str = Field(max_length=32)
    width: int
    height: int


class Bulletin(ContentMixin, ValidityMixin, ArchiveMixin, table=True):
    # An upstream system's bulletin is one row per (source, external_id), whatever the resends:
    # the constraint decides between two concurrent first sends (NULLs: written in the panel).
    __table_args__ = (UniqueConstraint("source", "external_id", name="uq_bulletin_source_external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    body: str = Field(default="", max_length=20_000)
    category: Category = Category.OTHER
    priority: Priority = Priority.NORMAL
    source: str | None = Field(default=None, max_length=64)  # the intake source's name
    external_id: str | None = Field(default=None, max_length=200)  # that source's own id
    # Read aloud on boards with audio (``content/speech.py``), at these local "HH:MM" (none: each showing).
    speak: bool = False
    speak_times: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class IntakeSource(SQLModel, table=True):
    """An upstream system (the province's source information system) allowed to send bulletins
    through ``POST /api/v1/intake/bulletins``: it acts as one system account (its API tokens), and
    its bulletins are approved at once in the units an admin trusts it for (and their subtrees)."""

    __tablename__ = "intake_source"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=64)  # stored on its bulletins as ``source``
    user_id: int = Field(foreign_key="user.id", unique=True)  # the system account it sends as
    trusted_unit_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class LayoutRecord(SQLModel, table=True):
    """Built-in layouts are loaded from ``layouts/`` at start-up (unit_id None); custom ones belong
    to a unit. ``regions`` holds the wire ``Region`` list as JSON."""

    __tablename__ = "layout"
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    background: str = Field(default="#000000", max_length=7)
    regions: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The same regions placed for the other orientation ("portrait" or "landscape" -> Region list).
    variants: dict[str, list[dict[str, Any]]] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )
    builtin: bool = False
    unit_id: int | None = Field(default=None, foreign_key="admin_unit.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Playlist(ContentMixin, ArchiveMixin, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)


class ItemKind(StrEnum):
    IMAGE = "image"
    BULLETIN = "bulletin"
    TICKER = "ticker"
    CLOCK = "clock"
    QR = "qr"
    VIDEO = "video"
    PDF = "pdf"


class PlaylistItem(SQLModel, table=True):
    __tablename__ = "playlist_item"
    id: int | None = Field(default=None, primary_key=True)
    playlist_id: int = Field(foreign_key="playlist.id", index=True)
    position: int
    kind: ItemKind
    media_id: int | None = Field(default=None, foreign_key="media.id", index=True)
    bulletin_id: int | None = Field(default=None, foreign_key="bulletin.id", index=True)
    text: str = Field(default="", max_length=5000)  # ticker text
    duration_s: float = 10.0
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    # Presentation options (fit, align, colours, ticker speed, clock format), validated on write.
    options: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class TargetKind(StrEnum):
    BOARD = "board"
    UNIT = "unit"  # every board in the unit's subtree
    TAG = "tag"


class Schedule(ContentMixin, ArchiveMixin, table=True):
    """A layout with a playlist per region, targeted at a board, a unit subtree or a tag.

    Recurrence: ``weekdays`` (0 = Monday .. 6 = Sunday; empty = every day), a daily window
    ``daily_start``..``daily_end`` in the board's local time (end exclusive; an end at or before the
    start means the window runs overnight and belongs to the day it starts; both empty = all day),
    and a local date range ``start_date``..``end_date`` (inclusive). ``is_default`` content plays
    only when nothing else is scheduled.

    The programme (``signage_contract.programme``): open schedules share the board's main loop by
    ``weight`` (share of airtime); their priority items recur at least every ``priority_every_min``
    minutes; an ``exclusive`` schedule takes the board alone while it is open.
    """

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    layout_id: str = Field(foreign_key="layout.id")
    target_kind: TargetKind
    target_board_id: int | None = Field(default=None, foreign_key="board.id", index=True)
    target_unit_id: int | None = Field(default=None, foreign_key="admin_unit.id", index=True)
    target_tag: str | None = Field(default=None, max_length=64, index=True)
    weekdays: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    daily_start: time | None = None
    daily_end: time | None = None
    start_date: date | None = None
    end_date: date | None = None
    priority: int = 0
    is_default: bool = False
    weight: int = 1
    exclusive: bool = False
    priority_every_min: int = 10


class RequisitionWindow(SQLModel, table=True):
    """When a requisitioned board carries the government's schedules, as agreed with its owner: the
    schedules' recurrence (``weekdays``, a daily window ``daily_start``..``daily_end``, dates), and
    within each daily window, if ``every_min`` is set, only ``length_min`` minutes starting every
    ``every_min`` minutes (5 minutes in every hour from 06:00 to 22:00). Set by the admins and
    approvers of the board's unit (``devices/requisition.py``)."""

    __tablename__ = "requisition_window"
    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="board.id", index=True)
    weekdays: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    daily_start: time | None = None
    daily_end: time | None = None
    start_date: date | None = None
    end_date: date | None = None
    every_min: int | None = None
    length_min: int | None = None
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class ScheduleRegion(SQLModel, table=True):
    __tablename__ = "schedule_region"
    __table_args__ = (UniqueConstraint("schedule_id", "region_id"),)
    id: int | None = Field(default=None, primary_key=True)
    schedule_id: int = Field(foreign_key="schedule.id", index=True)
    region_id: str = Field(max_length=64)
    playlist_id: int = Field(foreign_key="playlist.id", index=True)


class SubmissionKind(StrEnum):
    PUBLICATION = "publication"  # a bulletin or images, their playlist and schedules, made at once
    EDIT = "edit"  # a change to approved content, kept aside until approved (``pending``)


class Submission(ContentMixin, table=True):
    """What an approver decides on in one action (``content/publications.py``).

    A publication names the rows made together (bulletin or media, one playlist, one schedule per
    target); approving it approves them all at once. An edit of approved content carries the new
    fields in ``pending`` while the approved row stays on air; approving it applies them.
    ``targets`` and ``window`` record what the author chose (``publications.Targets``, ``Window``)
    for the queue.
    """

    id: int | None = Field(default=None, primary_key=True)
    kind: SubmissionKind = SubmissionKind.PUBLICATION
    title: str = Field(default="", max_length=300)
    bulletin_id: int | None = Field(default=None, foreign_key="bulletin.id", index=True)
    media_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    playlist_id: int | None = Field(default=None, foreign_key="playlist.id", index=True)
    schedule_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    targets: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    window: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    pending: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class ComposedManifest(SQLModel, table=True):
    """The last signed manifest per board; served as is, recomposed only when its inputs change."""

    __tablename__ = "composed_manifest"
    board_id: int = Field(foreign_key="board.id", primary_key=True)
    version: str = Field(max_length=64)  # content hash, the ETag
    document: str  # SignedManifest JSON
    media_sha256: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    horizon_end: datetime
    composed_at: datetime = Field(default_factory=utcnow)
    # Signed into the manifest; grows whenever ``version`` changes, so players refuse a replayed
    # older manifest (``builder.next_sequence``).
    sequence: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    # The media of the manifest this one replaced: still served, so a board that fetched that
    # manifest just before the change can finish its download (it keeps it in force until then).
    previous_media_sha256: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    # The wire ids of the items it names, for the receipts of a full fetch (None: stored before
    # they were kept; the document is parsed instead).
    item_ids: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


# --- health, screenshots, proof of play -------------------------------------------------------
# Kinds are stored as their string values (validated on the way in by the wire contract).


class BoardStatus(SQLModel, table=True):
    """The latest heartbeat of a board and its debounced link state (one row per board).

    ``seen_since``..``last_seen_at`` is the open "seen" interval that keeps extending while
    heartbeats keep coming; it is closed into a ``BoardSeen`` row after a gap (see ``uptime.py``).
    ``reported_*`` and ``held_flaps`` implement the flap hold-down of ``link_state.py``.
    """

    __tablename__ = "board_status"
    board_id: int = Field(foreign_key="board.id", primary_key=True)
    last_seen_at: datetime
    seen_since: datetime
    online: bool = True
    changed_at: datetime
    reported_online: bool = True
    reported_at: datetime | None = None
    held_flaps: int = 0
    sent_at: datetime | None = None
    clock_offset_s: float = 0.0  # server time at receipt minus the device's sent_at
    software_version: str = Field(default="", max_length=64)
    uptime_s: float = 0.0
    manifest_version: str | None = Field(default=None, max_length=64)
    regions: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    free_disk_bytes: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    cache_bytes: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    last_error: str = Field(default="", max_length=2000)
    screen_state: str = Field(default="unknown", max_length=16)
    brightness: int | None = None  # percent the player reported (0 while its screen is off)
    # remote care: what the PC says of itself (older players send none of these)
    os_name: str = Field(default="", max_length=128)
    temperature_c: float | None = None
    allow_reboot: bool | None = None  # the player's own config file allows a remote reboot
    log_level: str = Field(default="", max_length=16)


class BoardSeen(SQLModel, table=True):
    """A closed interval during which the server saw a board's heartbeats (``seen_to`` exclusive,
    already extended by the coverage of the last heartbeat). Pruned after the retention period."""

    __tablename__ = "board_seen"
    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="board.id", index=True)
    seen_from: datetime = Field(index=True)
    seen_to: datetime


class BoardEvent(SQLModel, table=True):
    """A recorded link transition: ``offline`` or ``back_online`` at ``at``; ``flaps`` counts the
    transitions coalesced into it by the hold-down."""

    __tablename__ = "board_event"
    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="board.id", index=True)
    kind: str = Field(max_length=16)
    at: datetime = Field(index=True)
    flaps: int = 0


class Screenshot(SQLModel, table=True):
    """A screen capture uploaded by a board; the JPEG and its thumbnail live in the data directory."""

    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="board.id", index=True)
    taken_at: datetime
    received_at: datetime = Field(default_factory=utcnow)
    request_id: str | None = Field(default=None, max_length=32)
    file_name: str = Field(max_length=64)  # under DATA_DIR/screenshots/<board_id>/
    size: int
    width: int
    height: int


class ScreenshotRequestRow(SQLModel, table=True):
    """An operator's request for a fresh capture; fulfilled by the upload that names it."""

    __tablename__ = "screenshot_request"
    id: str = Field(primary_key=True, max_length=32)
    board_id: int = Field(foreign_key="board.id", index=True)
    requested_by: int | None = Field(default=None, foreign_key="user.id")
    requested_at: datetime = Field(default_factory=utcnow)
    fulfilled_at: datetime | None = None
    screenshot_id: int | None = Field(default=None, foreign_key="screenshot.id")


class BoardLogFetch(SQLModel, table=True):
    """An operator's request for the last lines of a board's log; fulfilled by the upload naming
    it (``lines`` joined by newlines, masked of secrets by the player). A few kept per board."""

    __tablename__ = "board_log_fetch"
    id: str = Field(primary_key=True, max_length=32)
    board_id: int = Field(foreign_key="board.id", index=True)
    requested_by: int | None = Field(default=None, foreign_key="user.id")
    requested_at: datetime = Field(default_factory=utcnow)
    line_count: int = 200
    fulfilled_at: datetime | None = None
    text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class ClockStatus(StrEnum):
    """How far a play record's times can be trusted (``reports/plays.py``)."""

    DEVICE = "device"  # as the board stamped them, and they looked right
    CORRECTED = "corrected"  # moved by the board's clock offset, as its heartbeats measured it
    UNVERIFIED = "unverified"  # ahead of the server beyond the tolerance, no offset to correct them by


class PlayLog(SQLModel, table=True):
    """One proof-of-play record. ``unit_id`` is the unit that owned the board at ``started_at``;
    ``(board_id, record_id)`` is unique, so a retried upload never duplicates. A record counts in
    the period in which it starts; ``duration_s`` is stored so reports sum in SQL. ``started_at``
    and ``ended_at`` are the board's stamps plus ``clock_correction_s`` (server minus board clock,
    0 unless ``clock_status`` is ``corrected``)."""

    __tablename__ = "play_log"
    __table_args__ = (
        UniqueConstraint("board_id", "record_id", name="uq_play_log_board_record"),
        Index("ix_play_log_unit_started", "unit_id", "started_at"),
        Index("ix_play_log_board_started", "board_id", "started_at"),
        Index("ix_play_log_bulletin_board", "bulletin_id", "board_id", "started_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    board_id: int  # no foreign key: proof of play outlives a deleted board
    record_id: str = Field(max_length=64)
    unit_id: int = Field(foreign_key="admin_unit.id")
    region_id: str = Field(max_length=64)
    item_id: str = Field(max_length=128)
    schedule_id: str | None = Field(default=None, max_length=64)
    override_id: str | None = Field(default=None, max_length=64)
    reason: str = Field(max_length=16)
    category: str = Field(max_length=32)
    priority: str = Field(max_length=16)
    started_at: datetime
    ended_at: datetime
    duration_s: float
    received_at: datetime
    clock_status: str = Field(default=ClockStatus.DEVICE.value, max_length=16)
    clock_correction_s: float = 0.0
    # The bulletin the item showed, resolved from ``item_id`` when the record arrived (None for
    # images, tickers, clocks and emergencies): receipts survive later playlist edits.
    bulletin_id: int | None = None


# --- per-bulletin receipts and the source system's webhook ---------------------------------------


class BulletinDelivery(SQLModel, table=True):
    """When a board first fetched a manifest naming a bulletin (``reports/receipts.py``).
    No foreign keys: receipts outlive a deleted board or bulletin, like proof of play."""

    __tablename__ = "bulletin_delivery"
    bulletin_id: int = Field(primary_key=True)
    board_id: int = Field(primary_key=True)
    received_at: datetime


class BulletinWebhook(SQLModel, table=True):
    """An account's webhook for its bulletins' events; ``secret`` keys the HMAC signature, so it
    is stored as given (like a signing key) and never shown back."""

    __tablename__ = "bulletin_webhook"
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    url: str = Field(max_length=2000)
    secret: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class BulletinEventKind(StrEnum):
    AIRED_EVERYWHERE = "aired_everywhere"  # first aired on every targeted board
    MISSED_DEADLINE = "missed_deadline"  # not aired on one targeted board by valid_from + grace


class BulletinEvent(SQLModel, table=True):
    """One webhook event, stored once (the unique key) and marked when delivered or given up."""

    __tablename__ = "bulletin_event"
    __table_args__ = (UniqueConstraint("bulletin_id", "kind", "board_id"),)
    id: int | None = Field(default=None, primary_key=True)
    bulletin_id: int = Field(index=True)
    kind: str = Field(max_length=32)
    board_id: int = 0  # 0: the bulletin as a whole (aired_everywhere)
    user_id: int = Field(index=True)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    attempts: int = 0
    failed: bool = False  # given up after every retry


# --- emergency overrides --------------------------------------------------------------------------


class OverrideState(StrEnum):
    PENDING_CONFIRMATION = "pending_confirmation"  # created; nothing pushed until confirmed
    ACTIVE = "active"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


LIVE_OVERRIDE_STATES = (OverrideState.PENDING_CONFIRMATION, OverrideState.ACTIVE)


class Override(SQLModel, table=True):
    """An emergency override over every region of the targeted boards, until ``expires_at``.

    Target: ``target_all`` (every board in the issuer's scope ``unit_id``; national when None),
    units' subtrees, boards, and tags (boards carrying them within the scope). Commercial boards
    requisitioned for government messages are targeted like public ones.
    """

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    body: str = Field(default="", max_length=5000)
    media_id: int | None = Field(default=None, foreign_key="media.id")
    risk_level: int = 3
    category: Category = Category.INCIDENTS
    target_all: bool = False
    target_unit_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    target_board_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    target_tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    starts_at: datetime
    expires_at: datetime = Field(index=True)
    state: OverrideState = Field(default=OverrideState.PENDING_CONFIRMATION, index=True)
    unit_id: int | None = Field(default=None, foreign_key="admin_unit.id", index=True)  # issuer's scope
    issued_by: int | None = Field(default=None, foreign_key="user.id")  # None: a CAP sender
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    confirmed_at: datetime | None = None
    confirmed_by: int | None = Field(default=None, foreign_key="user.id")
    cancelled_at: datetime | None = None
    cancelled_by: int | None = Field(default=None, foreign_key="user.id")
    cap_sender: str | None = Field(default=None, max_length=255)
    cap_identifier: str | None = Field(default=None, max_length=255, index=True)
    speak: bool = False  # read aloud on boards with audio, quiet hours or not (``content/speech.py``)
    cap_sent: datetime | None = None


class OverrideReceipt(SQLModel, table=True):
    """What one board acknowledged of one override (written when its acks arrive)."""

    __tablename__ = "override_receipt"
    override_id: int = Field(foreign_key="override.id", primary_key=True)
    board_id: int = Field(foreign_key="board.id", primary_key=True)
    received_at: datetime | None = None
    displayed_at: datetime | None = None


class AuditEvent(SQLModel, table=True):
    """Who did what to which object, when, from where, with the object before and after."""

    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    actor: str = Field(max_length=300)  # a username, "cap:<sender>", "system" or "anonymous"
    action: str = Field(max_length=64, index=True)
    object_type: str = Field(max_length=64, index=True)
    object_id: str = Field(max_length=64, index=True)
    unit_id: int | None = Field(default=None, foreign_key="admin_unit.id", index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    ip: str = Field(default="", max_length=64)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class CapMessageState(StrEnum):
    APPLIED = "applied"
    PENDING = "pending"  # an Update/Cancel whose alert has not arrived yet


class CapMessage(SQLModel, table=True):
    """Every CAP message accepted, by its (sender, identifier, sent); the override it acts on."""

    __tablename__ = "cap_message"
    __table_args__ = (UniqueConstraint("sender", "identifier"),)
    id: int | None = Field(default=None, primary_key=True)
    sender: str = Field(max_length=255)
    identifier: str = Field(max_length=255)
    sent: datetime
    msg_type: str = Field(max_length=16)
    references: list[list[str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    state: CapMessageState = Field(index=True)
    override_id: int | None = Field(default=None, foreign_key="override.id", index=True)
    document: str = ""  # the XML, kept to apply a pending message once its alert arrives
    received_at: datetime = Field(default_factory=utcnow)


class CapSenderSource(StrEnum):
    SETTING = "setting"  # seeded from SIGNAGE_CAP_SENDERS at start-up; the setting stays its truth
    PANEL = "panel"  # created by an admin in the panel


class TrustedCapSender(SQLModel, table=True):
    """A CAP sender trusted to raise alerts: ``name`` is the alert's ``<sender>``; the token it
    sends (header ``X-CAP-Token``) is stored as sha256 only; ``unit_code`` bounds what its alerts
    may cover (an official code; None: nationwide); when ``certificate_pem`` is set every message
    must carry an XML signature by it, and after ``certificate_not_after`` every alert is refused."""

    __tablename__ = "cap_sender"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=255, unique=True)
    token_hash: str = Field(max_length=64, unique=True)
    unit_code: str | None = Field(default=None, max_length=32)
    geocode_names: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    certificate_pem: str | None = None
    certificate_subject: str = Field(default="", max_length=500)
    certificate_not_after: datetime | None = None
    source: CapSenderSource = CapSenderSource.PANEL
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class StoredBlob(SQLModel, table=True):
    """One chunk of a file every instance must be able to serve (``SIGNAGE_SHARED_STORE=database``):
    uploaded media and their thumbnails, screenshots. ``key`` is the file's path under the data
    directory (``media/ab/<sha256>``); all of a key's chunks are written in one transaction, so a key
    that has rows is complete."""

    __tablename__ = "stored_blob"
    key: str = Field(primary_key=True, max_length=200)
    seq: int = Field(primary_key=True)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class FeedTarget(StrEnum):
    TICKER = "ticker"  # each entry a ticker line of the playlist
    BULLETIN = "bulletin"  # each entry a bulletin (title and text), shown by the playlist


class Feed(SQLModel, table=True):
    """An RSS or Atom feed polled into a playlist of its unit (``feeds/``): each new entry becomes a
    ticker item or a bulletin valid for ``validity_min`` minutes. A ``trusted`` feed (marked so by an
    admin or approver, ``trusted_by``) publishes at once; the others' entries wait for approval.

    The poll's state is kept on the row, not as a notice per poll: ``last_ok_at``, and while the feed
    fails ``error_code`` / ``error_detail`` with ``failing_since`` (the first failure of the run).
    ``next_poll_at`` is also the lease: an instance polls a feed only after moving it forward in one
    compare-and-set, so several instances never poll the same feed twice."""

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="admin_unit.id", index=True)
    name: str = Field(max_length=200)
    url: str = Field(max_length=2000)
    target: FeedTarget
    playlist_id: int = Field(index=True)  # no foreign key: a deleted playlist fails the feed, visibly
    validity_min: int = 360
    poll_interval_min: int = 15
    trusted: bool = False
    trusted_by: int | None = Field(default=None, foreign_key="user.id")
    active: bool = True
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    next_poll_at: datetime = Field(default_factory=utcnow, index=True)
    last_polled_at: datetime | None = None
    last_ok_at: datetime | None = None
    error_code: str = Field(default="", max_length=64)  # "" while the feed works
    error_detail: str = Field(default="", max_length=500)
    failing_since: datetime | None = None


class FeedEntry(SQLModel, table=True):
    """One entry taken from a feed, by the hash of its guid (or link, or text): seen once, made once.
    ``bulletin_id`` is the bulletin made from it (bulletin feeds); ``item_id`` the playlist item
    that shows it, set once it may play and cleared when it expires."""

    __tablename__ = "feed_entry"
    __table_args__ = (UniqueConstraint("feed_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    feed_id: int = Field(foreign_key="feed.id", index=True)
    key: str = Field(max_length=64)
    title: str = Field(default="", max_length=300)
    # No foreign keys: editors may still delete the bulletin or the item; the entry stays, so the
    # feed does not bring it back.
    bulletin_id: int | None = Field(default=None, index=True)
    item_id: int | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    valid_until: datetime = Field(index=True)


class PlayerRelease(SQLModel, table=True):
    """A player release: a wheel of ``signage[player]`` an admin uploaded, stored by its sha256 in
    the release store (``devices/releases.py``); offered to boards through a ``ReleaseChannel``."""

    __tablename__ = "player_release"
    id: int | None = Field(default=None, primary_key=True)
    version: str = Field(max_length=64, unique=True)
    sha256: str = Field(max_length=64)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    uploaded_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class ReleaseChannel(SQLModel, table=True):
    """What a channel ("pilot", "stable") offers its boards; ``release_id`` None: nothing (boards
    keep what they run)."""

    __tablename__ = "release_channel"
    name: str = Field(primary_key=True, max_length=32)
    release_id: int | None = Field(default=None, foreign_key="player_release.id")
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class ReleaseAssignment(SQLModel, table=True):
    """A board's or a unit's release channel (exactly one of ``board_id`` / ``unit_id``); a board
    without its own takes its nearest unit's, and "stable" with none anywhere."""

    __tablename__ = "release_assignment"
    id: int | None = Field(default=None, primary_key=True)
    board_id: int | None = Field(default=None, foreign_key="board.id", unique=True)
    unit_id: int | None = Field(default=None, foreign_key="admin_unit.id", unique=True)
    channel: str = Field(max_length=32)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class BoardRelease(SQLModel, table=True):
    """What a board said at its last release check: the version it runs and its last update
    attempt (``signage_contract.release.UpdateReport``; empty ``update_outcome``: none yet)."""

    __tablename__ = "board_release"
    board_id: int = Field(foreign_key="board.id", primary_key=True)
    running_version: str = Field(default="", max_length=64)
    checked_at: datetime
    update_from: str = Field(default="", max_length=64)
    update_to: str = Field(default="", max_length=64)
    update_outcome: str = Field(default="", max_length=16)
    update_reason: str = Field(default="", max_length=500)
    update_at: datetime | None = None
class SpeechClip(SQLModel, table=True):
    """A spoken text's recording in the media store (by ``sha256``), found by the digest of the text
    it says: a bulletin or an emergency marked to be spoken plays the clip of its current text."""

    __tablename__ = "speech_clip"
    id: int | None = Field(default=None, primary_key=True)
    text_sha256: str = Field(max_length=64, unique=True)
    sha256: str = Field(max_length=64)
    size: int
    duration_ms: int
    engine: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utcnow)


class BoardAudio(SQLModel, table=True):
    """A board's audio for spoken announcements; a board without a row has none."""

    __tablename__ = "board_audio"
    board_id: int = Field(foreign_key="board.id", primary_key=True)
    enabled: bool = False
    volume: int = 80  # 0..100
    quiet_start: time | None = None  # local; both set or neither; start after end spans midnight
    quiet_end: time | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class ContentGeneration(SQLModel, table=True):
    """One row counting the writes to what every board's composition reads alike: schedules and
    their regions, playlists and their items, media and their pages, bulletins, speech clips and
    layouts. Database triggers add to it in the writing transaction itself (migration 0025), so a
    composer that finds the count unchanged may reuse what it read of them before
    (``manifest/shared_inputs.py``), whichever instance or tool wrote."""

    __tablename__ = "content_generation"
    id: int = Field(default=1, primary_key=True)
    value: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
