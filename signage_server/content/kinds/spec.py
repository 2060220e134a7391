"""What every item kind declares (``KindSpec``), and the vocabulary it is declared with."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, create_model

from signage_contract import Item, MediaRef
from signage_contract.manifest import ItemBase
from signage_contract.speech import Speech
from signage_server.models import ItemKind


class Content(StrEnum):
    """What an item shows besides its options: the server loads it, the wire item carries it."""

    MEDIA = "media"  # a Media row named by ``media_id``; on the wire its MediaRef (by sha256)
    BULLETIN = "bulletin"  # a Bulletin row named by ``bulletin_id``; on the wire its title and body
    TEXT = "text"  # the item's own ``text``
    NONE = "none"  # nothing: drawn from its options alone
    PDF = "pdf"  # a PDF Media row named by ``media_id``; on the wire its pages' MediaRefs

    @property
    def reference(self) -> str | None:
        """The ``PlaylistItem`` column naming the row that holds the content, if another row does."""
        return _REFERENCES.get(self)


_REFERENCES = {Content.MEDIA: "media_id", Content.BULLETIN: "bulletin_id", Content.PDF: "media_id"}
REFERENCE_FIELDS = tuple(dict.fromkeys(_REFERENCES.values()))


class KindOptions(BaseModel):
    """Base of the stored options models: an unknown option is an error on write."""

    model_config = ConfigDict(extra="forbid")


def stored_options(wire_model: type[ItemBase], *names: str) -> type[KindOptions]:
    """The options model of a kind: the named fields of its wire item, with their types, bounds and
    defaults, so what is stored always composes into a valid wire item."""
    fields: dict[str, Any] = {name: (wire_model.model_fields[name].annotation, wire_model.model_fields[name])
                              for name in names}
    return create_model(f"{wire_model.__name__}Options", __base__=KindOptions, **fields)


@dataclass(frozen=True)
class ClipSource:
    """A video's facts as its ``Media`` row keeps them (``content/video_store.py`` probed them)."""

    poster: MediaRef | None
    duration_s: float
    frame_rate: float
    bitrate: int


class ItemSource(Protocol):
    """A stored item with the content it names, as the manifest builder holds it
    (``manifest.builder.PlaylistItemSpec``)."""

    @property
    def id(self) -> int: ...
    @property
    def media(self) -> MediaRef | None: ...
    @property
    def title(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def speech(self) -> Speech | None: ...
    @property
    def clip(self) -> ClipSource | None: ...
    @property
    def pages(self) -> tuple[MediaRef, ...]: ...


# The fields every wire item has (id, duration, validity, category, priority) and the stored options.
WireCommon = Mapping[str, Any]
ToWire = Callable[[ItemSource, WireCommon], Item]
# A kind's own rule on its text and options, beyond their types (a QR code's address): ValueError.
CheckItem = Callable[[str, Mapping[str, Any]], None]


@dataclass(frozen=True)
class KindSpec:
    """One item kind on the server: its stored name, the content it shows, its stored options and
    how a stored item becomes its wire item."""

    kind: ItemKind
    content: Content
    wire_model: type[ItemBase]
    options: type[KindOptions]
    to_wire: ToWire
    check_item: CheckItem | None = None
    option_keys: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "option_keys", frozenset(self.options.model_fields))
        unknown = self.option_keys - set(self.wire_model.model_fields)
        if unknown:
            raise TypeError(f"{self.kind.value} options {sorted(unknown)} are not fields of its wire item")

    @property
    def wire_kind(self) -> str:
        """The tag of its wire items (``kind`` in the manifest): "text" for a bulletin."""
        return str(self.wire_model.model_fields["kind"].default)

    def check_source(self, source: ItemSource) -> None:
        """Raise ValueError when ``source`` lacks the content this kind shows."""
        name = self.kind.value
        if self.content is Content.MEDIA and source.media is None:
            raise ValueError(f"{name} item {source.id} names no media")
        if self.content is Content.PDF and not source.pages:
            raise ValueError(f"{name} item {source.id} names no PDF pages")
        if self.content is Content.TEXT and not source.text.strip():
            raise ValueError(f"{name} item {source.id} has no text")
        if self.content is Content.BULLETIN and not (source.title.strip() or source.text.strip()):
            raise ValueError(f"{name} item {source.id} has neither title nor body")
