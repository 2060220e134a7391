"""The manifest: everything a board needs to play the coming days on its own.

The server composes one per board; the player verifies it, caches the media it names by sha256 and
evaluates its timeline with its own clock. Only pydantic here: the player imports this module
without FastAPI or SQLModel.

Times are UTC (timezone-aware); text is NFC; coordinates of regions are relative (0..1) so one
layout fits a 384x192 LED board and a 3840x2160 LCD panel alike.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from .power import PowerSchedule
from .speech import AudioSettings, Speech, SpeechRef
from .timezone import LOCAL_TIMEZONE
from .video import VideoType

SCHEMA_VERSION = 1
HORIZON = timedelta(days=7)
DEFAULT_POLL_INTERVAL_S = 60


def nfc(value: str) -> str:
    """Normalise to NFC: Windows keyboards and CP1258 sources produce decomposed Vietnamese."""
    return unicodedata.normalize("NFC", value)


NfcStr = Annotated[str, AfterValidator(nfc)]
Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Color = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$")]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


class WireModel(BaseModel):
    """Base of every wire model: frozen, and tolerant of fields added by newer servers."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class RegionRole(StrEnum):
    MAIN = "main"
    TICKER = "ticker"
    CLOCK = "clock"
    LOGO = "logo"
    SIDE = "side"
    TITLE = "title"


class Region(WireModel):
    id: Annotated[str, Field(min_length=1, max_length=64)]
    role: RegionRole
    x: Fraction
    y: Fraction
    w: Annotated[float, Field(gt=0.0, le=1.0)]
    h: Annotated[float, Field(gt=0.0, le=1.0)]
    z: int = 0

    @model_validator(mode="after")
    def _inside_screen(self) -> Region:
        eps = 1e-9
        if self.x + self.w > 1.0 + eps or self.y + self.h > 1.0 + eps:
            raise ValueError(f"region {self.id!r} extends past the screen (x+w and y+h must be <= 1)")
        return self


class Orientation(StrEnum):
    LANDSCAPE = "landscape"
    PORTRAIT = "portrait"

    @classmethod
    def of(cls, size: tuple[int, int]) -> Orientation:
        """A screen taller than wide is portrait (a square one landscape)."""
        return cls.PORTRAIT if size[1] > size[0] else cls.LANDSCAPE


class Layout(WireModel):
    """Regions in relative coordinates; ``variants`` places the same regions (same ids and roles)
    for a screen of the other orientation, and the player takes the one that fits its screen."""

    id: Annotated[str, Field(min_length=1, max_length=64)]
    name: NfcStr
    background: Color = "#000000"
    regions: Annotated[list[Region], Field(min_length=1)]
    variants: dict[Orientation, list[Region]] = {}

    @model_validator(mode="after")
    def _unique_region_ids(self) -> Layout:
        ids = [r.id for r in self.regions]
        if len(ids) != len(set(ids)):
            raise ValueError(f"layout {self.id!r} has duplicate region ids")
        roles = sorted((r.id, r.role) for r in self.regions)
        for orientation, regions in self.variants.items():
            if sorted((r.id, r.role) for r in regions) != roles:
                raise ValueError(
                    f"layout {self.id!r}: its {orientation.value} variant must place the same regions "
                    f"(ids and roles) as the layout"
                )
        return self

    def regions_for(self, orientation: Orientation) -> list[Region]:
        return self.variants.get(orientation, self.regions)

    def region(self, region_id: str) -> Region | None:
        return next((r for r in self.regions if r.id == region_id), None)


class MediaRef(WireModel):
    sha256: Sha256Hex
    size: Annotated[int, Field(gt=0)]
    content_type: Literal["image/jpeg", "image/png", "image/webp"] | VideoType
    width: Annotated[int, Field(gt=0)]
    height: Annotated[int, Field(gt=0)]


class Category(StrEnum):
    """Decree 49/2024/NĐ-CP categories of grassroots information."""

    POLICY_LAW = "policy_law"
    SOCIO_ECONOMIC = "socio_economic"
    PUBLIC_ORDER = "public_order"
    INCIDENTS = "incidents"
    EXEMPLARY_PEOPLE = "exemplary_people"
    PRODUCTS_SERVICES = "products_services"
    OTHER = "other"


class Priority(StrEnum):
    """Circular 39/2020/TT-BTTTT bulletin priorities."""

    NORMAL = "normal"
    PRIORITY = "priority"
    EMERGENCY = "emergency"

    @property
    def rank(self) -> int:
        return {"normal": 0, "priority": 1, "emergency": 2}[self.value]


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


class TextFlow(StrEnum):
    """How a text too long for its region at a legible size is shown: pages in turn, or one strip
    scrolling up through the region. A player that predates ``flow`` ignores it and pages."""

    PAGES = "pages"
    SCROLL = "scroll"


class Fit(StrEnum):
    CONTAIN = "contain"
    COVER = "cover"  # fills the region, cropping only a sliver: a picture of another shape is contained


class Letterbox(StrEnum):
    """What fills the bands beside a contained picture: a blurred, dimmed copy of the picture
    itself, or the item's ``background`` colour."""

    BLUR = "blur"
    COLOUR = "colour"


class ItemBase(WireModel):
    """One entry of a region's playlist. ``id`` is unique within the manifest."""

    id: Annotated[str, Field(min_length=1, max_length=128)]
    duration_s: Annotated[float, Field(gt=0.0)] = 10.0  # the player clamps absurd values
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    category: Category = Category.OTHER
    priority: Priority = Priority.NORMAL

    def valid_at(self, now: datetime) -> bool:
        if self.valid_from is not None and now < self.valid_from:
            return False
        return not (self.valid_until is not None and now >= self.valid_until)


class ImageItem(ItemBase):
    kind: Literal["image"] = "image"
    media: MediaRef
    fit: Fit = Fit.CONTAIN
    letterbox: Letterbox = Letterbox.BLUR
    background: Color = "#000000"


class PdfItem(ItemBase):
    """A PDF document: its pages, rendered to pictures by the server, shown in turn for ``page_s``
    each, fitted like an image. ``duration_s`` is the whole document's (pages x ``page_s``), so one
    play of the item is one pass through its pages and proof of play names the document once."""

    kind: Literal["pdf"] = "pdf"
    pages: Annotated[list[MediaRef], Field(min_length=1, max_length=500)]
    page_s: Annotated[float, Field(ge=2.0, le=600.0)] = 10.0
    fit: Fit = Fit.CONTAIN
    background: Color = "#FFFFFF"

    def page_at(self, elapsed_s: float) -> int:
        """The page on screen ``elapsed_s`` after the item appeared (pages cycle)."""
        return int(max(0.0, elapsed_s) // self.page_s) % len(self.pages)


class TextItem(ItemBase):
    kind: Literal["text"] = "text"
    title: NfcStr = ""
    body: NfcStr = ""
    align: Align = Align.LEFT
    foreground: Color = "#FFFFFF"
    background: Color = "#003366"
    title_color: Color = "#FFD700"
    # A text too long for its region is paged (or scrolled: ``flow``). By default the item stays at
    # least ``duration_s`` and as long as its pages (or its scroll) take to read; when the editor fixed
    # the duration, the pages share it (the scroll fits in it).
    duration_fixed: bool = False
    flow: TextFlow = TextFlow.PAGES
    speech: Speech | None = None  # read aloud where the board has audio (``speech.py``)


class TickerItem(ItemBase):
    kind: Literal["ticker"] = "ticker"
    text: NfcStr
    # Speed in region heights per second, so it reads the same on a 192 px LED and a 4K panel.
    speed: Annotated[float, Field(gt=0.0, le=20.0)] = 1.5
    foreground: Color = "#FFFFFF"
    background: Color = "#8B0000"


class ClockItem(ItemBase):
    kind: Literal["clock"] = "clock"
    format: Literal["datetime", "time", "date"] = "datetime"
    foreground: Color = "#FFFFFF"
    background: Color = "#000000"


class QrItem(ItemBase):
    """A QR code of ``url`` (dark on a light square with its quiet zone, for scanning) and a short
    ``caption`` beside or below it; the player makes the code (``signage_contract.qr``). The server
    checks the address and the module size on every board it reaches; the bounds here are loose so a
    player never refuses a manifest for one item."""

    kind: Literal["qr"] = "qr"
    url: Annotated[str, Field(min_length=1, max_length=4096)]
    caption: Annotated[NfcStr, Field(max_length=500)] = ""
    foreground: Color = "#FFFFFF"
    background: Color = "#003366"
class VideoItem(ItemBase):
    """A clip (``video.py``: containers, codecs and limits) played at its own frame rate; its
    ``duration_s`` is the clip's (a longer one loops it). ``poster`` is an ordinary image of one of
    its frames, for lists and previews; sound stays off unless the item asks and the board allows."""

    kind: Literal["video"] = "video"
    media: MediaRef
    poster: MediaRef | None = None
    fit: Fit = Fit.CONTAIN
    background: Color = "#000000"
    muted: bool = True
    # As the server's probe found them: the player does not start a clip above its board class.
    frame_rate: Annotated[float, Field(gt=0.0, le=240.0)] = 30.0
    bitrate: Annotated[int, Field(ge=0)] = 0


class UnknownItem(ItemBase):
    """An item kind this player does not know (sent by a newer server): shown as nothing, never fatal."""

    model_config = ConfigDict(frozen=True, extra="allow")
    kind: str


KNOWN_ITEM_KINDS = frozenset({"image", "text", "ticker", "clock", "qr", "video", "pdf"})


def _item_tag(value: Any) -> str:
    kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
    return kind if kind in KNOWN_ITEM_KINDS else "unknown"


Item = Annotated[
    Annotated[ImageItem, Tag("image")]
    | Annotated[TextItem, Tag("text")]
    | Annotated[TickerItem, Tag("ticker")]
    | Annotated[ClockItem, Tag("clock")]
    | Annotated[QrItem, Tag("qr")]
    | Annotated[VideoItem, Tag("video")]
    | Annotated[PdfItem, Tag("pdf")]
    | Annotated[UnknownItem, Tag("unknown")],
    Discriminator(_item_tag),
]


def item_media(item: ItemBase) -> list[MediaRef]:
    """The media files one item shows (an image's picture, a PDF's pages, a clip and its poster)."""
    if isinstance(item, ImageItem):
        return [item.media]
    if isinstance(item, PdfItem):
        return list(item.pages)
    return video_media(item)


class PlayReason(StrEnum):
    SCHEDULED = "scheduled"
    PRIORITY = "priority"
    EMERGENCY = "emergency"
    FALLBACK = "fallback"


class RegionPlaylist(WireModel):
    region_id: str
    item_ids: list[str]


class TimelineEntry(WireModel):
    """From ``start`` (inclusive) to ``end`` (exclusive) the board shows ``layout_id``; each region
    loops its items, the loop anchored at ``start`` so every instant has one answer."""

    start: AwareDatetime
    end: AwareDatetime
    layout_id: str
    schedule_id: str | None = None
    reason: PlayReason = PlayReason.SCHEDULED
    regions: list[RegionPlaylist]

    @model_validator(mode="after")
    def _ordered(self) -> TimelineEntry:
        if self.end <= self.start:
            raise ValueError("timeline entry must end after it starts")
        return self


DEFAULT_WEIGHT = 1
DEFAULT_PRIORITY_EVERY_MIN = 10
Weight = Annotated[int, Field(ge=1, le=1000)]
EveryMin = Annotated[int, Field(ge=1, le=1440)]


class Window(WireModel):
    """An interval in which a source's schedule is open (UTC, end exclusive)."""

    start: AwareDatetime
    end: AwareDatetime

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end <= self.start:
            raise ValueError("a window must end after it starts")
        return self


class ProgrammeSource(WireModel):
    """One schedule that reaches the board, as the programme rule needs it."""

    schedule_id: str
    layout_id: str
    lead_region_id: str
    weight: Weight = DEFAULT_WEIGHT
    exclusive: bool = False
    default: bool = False
    priority_every_min: EveryMin = DEFAULT_PRIORITY_EVERY_MIN
    windows: list[Window]
    regions: list[RegionPlaylist]
    # The owner's own schedule on a requisitioned board (``Requisition``): it plays only outside the
    # requisition windows. An older player ignores the flag, and needs not know it: the server sends
    # every source's windows already cut to the requisition.
    owner: bool = False

    def lead_item_ids(self) -> list[str]:
        return next((r.item_ids for r in self.regions if r.region_id == self.lead_region_id), [])

    def open_at(self, now: datetime) -> bool:
        return any(w.start <= now < w.end for w in self.windows)


class Requisition(WireModel):
    """A requisitioned board (Decree 49: "huy động, trưng dụng"): a business's board that carries the
    government's schedules only inside the ``windows`` agreed with its owner (UTC, over the
    manifest's span), emergencies at any time, and its owner's schedules (``ProgrammeSource.owner``)
    the rest of the time. ``programme.requisitioned`` applies it."""

    windows: list[Window] = []


# Decision 18/2021/QĐ-TTg disaster risk levels 1..5 and their colours.
RISK_COLORS: dict[int, str] = {
    1: "#87CEEB",  # light blue
    2: "#FFFF99",  # light yellow
    3: "#FFA500",  # orange
    4: "#FF0000",  # red
    5: "#800080",  # purple
}
# The same decision's words for each level, as a board says them ("rủi ro thiên tai cấp độ 4").
RISK_LEVEL_NAMES: dict[int, str] = {
    1: "RỦI RO NHỎ",
    2: "RỦI RO TRUNG BÌNH",
    3: "RỦI RO LỚN",
    4: "RỦI RO RẤT LỚN",
    5: "THẢM HỌA",
}


class EmergencyOverride(WireModel):
    """Shown over every region until ``expires_at`` or a cancel (the override issue fills this in)."""

    id: str
    title: NfcStr
    body: NfcStr = ""
    risk_level: Annotated[int, Field(ge=1, le=5)] = 3
    category: Category = Category.INCIDENTS
    media: MediaRef | None = None
    speech: SpeechRef | None = None  # read aloud on boards with audio, quiet hours or not
    starts_at: AwareDatetime
    expires_at: AwareDatetime
    issued_at: AwareDatetime

    def active_at(self, now: datetime) -> bool:
        return self.starts_at <= now < self.expires_at


class ManifestStamp(WireModel):
    """Where a manifest stands among its board's manifests, so a replayed older one is refused.

    ``sequence`` only grows per board (the server bumps it whenever the board's manifest content
    changes, and never below the clock in milliseconds, so it survives a restored database too);
    manifests from servers before it carry none and are ordered by ``generated_at``.
    """

    sequence: int | None = None
    generated_at: AwareDatetime

    def older_than(self, other: ManifestStamp) -> bool:
        if self.sequence is not None and other.sequence is not None:
            return self.sequence < other.sequence
        return self.generated_at < other.generated_at


class Capture(WireModel):
    """The desktop rectangle the board's window covers (what an LED sending card reads), in pixels
    of the output ``resolution``: the player opens there unless its command line says otherwise."""

    x: Annotated[int, Field(ge=0)] = 0
    y: Annotated[int, Field(ge=0)] = 0
    w: Annotated[int, Field(gt=0, le=16384)]
    h: Annotated[int, Field(gt=0, le=16384)]

    @classmethod
    def of(cls, rectangle: tuple[int, int, int, int]) -> Capture:
        x, y, w, h = rectangle
        return cls(x=x, y=y, w=w, h=h)

    @property
    def size(self) -> tuple[int, int]:
        return self.w, self.h


class Manifest(WireModel):
    schema_version: int = SCHEMA_VERSION
    board_id: str
    board_name: NfcStr = ""
    generated_at: AwareDatetime
    sequence: Annotated[int, Field(ge=0)] | None = None  # see ManifestStamp
    valid_from: AwareDatetime
    valid_until: AwareDatetime
    timezone: str = LOCAL_TIMEZONE
    resolution: tuple[int, int] | None = None
    capture: Capture | None = None  # None (an older server): the whole resolution
    poll_interval_s: Annotated[int, Field(ge=5, le=86_400)] = DEFAULT_POLL_INTERVAL_S
    # When the screen is off and how bright it is (``power.py``); None: always on at 100 %. A player
    # that predates the field ignores it and keeps its screen on at full brightness.
    power: PowerSchedule | None = None
    audio: AudioSettings | None = None  # spoken announcements (``speech.py``); None: no audio
    layouts: list[Layout]
    items: list[Item]
    timeline: list[TimelineEntry]
    # The programme's sources (``programme.py``): a player that knows them plays the programme and
    # ignores ``timeline``, which stays for players of the previous contract (one winner at a time).
    sources: list[ProgrammeSource] = []
    # Set on a requisitioned board only. The server also cuts ``sources`` and ``timeline`` to it, so a
    # player of the previous contract (which ignores this field) honours the windows as well.
    requisition: Requisition | None = None
    overrides: list[EmergencyOverride] = []

    def stamp(self) -> ManifestStamp:
        return ManifestStamp(sequence=self.sequence, generated_at=self.generated_at)

    def layout(self, layout_id: str) -> Layout | None:
        return next((lay for lay in self.layouts if lay.id == layout_id), None)

    def item_index(self) -> dict[str, Item]:
        return {item.id: item for item in self.items}

    def media(self) -> dict[str, MediaRef | SpeechRef]:
        """Every media file the board needs, by sha256."""
        refs: dict[str, MediaRef | SpeechRef] = {}
        for item in self.items:
            if isinstance(item, TextItem) and item.speech is not None:
                refs[item.speech.audio.sha256] = item.speech.audio
            refs.update((ref.sha256, ref) for ref in item_media(item))
        for override in self.overrides:
            if override.media is not None:
                refs[override.media.sha256] = override.media
            if override.speech is not None:
                refs[override.speech.sha256] = override.speech
        return refs


def video_media(item: object) -> list[MediaRef]:
    """A video item's clip and poster (nothing for another kind)."""
    if not isinstance(item, VideoItem):
        return []
    return [item.media] if item.poster is None else [item.media, item.poster]


class SignedManifest(WireModel):
    """What travels: the manifest's exact JSON text and an Ed25519 signature over its UTF-8 bytes.

    Signing the text (not a re-serialisation) keeps verification independent of JSON formatting.
    ``version`` is the content hash the server uses as the ETag.
    """

    version: str
    key_id: str
    signature: str  # base64 of the 64-byte Ed25519 signature
    payload: str  # Manifest as JSON text
