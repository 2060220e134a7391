"""CAP 1.2 alerts as immutable values, and the one error every rejection raises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"

MsgType = Literal["Alert", "Update", "Cancel", "Ack", "Error"]
LatLon = tuple[float, float]
Ring = tuple[LatLon, ...]


class CapRejected(ValueError):
    """The CAP message is refused; ``str(error)`` says why, in words fit for the sender."""


class CapExpired(CapRejected):
    """The alert expired before it arrived: answered (``ignored``), not refused, so the sender does not
    send it again."""


@dataclass(frozen=True)
class CapReference:
    """One ``sender,identifier,sent`` triple of ``<references>``: an earlier message this one follows."""

    sender: str
    identifier: str
    sent: datetime


@dataclass(frozen=True)
class CapCircle:
    lat: float
    lon: float
    radius_km: float


@dataclass(frozen=True)
class CapArea:
    description: str
    polygons: tuple[Ring, ...] = ()
    circles: tuple[CapCircle, ...] = ()
    geocodes: tuple[tuple[str, str], ...] = ()  # (valueName, value)


@dataclass(frozen=True)
class CapInfo:
    language: str
    categories: tuple[str, ...]
    event: str
    urgency: str
    severity: str
    certainty: str
    headline: str = ""
    description: str = ""
    instruction: str = ""
    effective: datetime | None = None
    onset: datetime | None = None
    expires: datetime | None = None
    web: str = ""
    event_codes: tuple[tuple[str, str], ...] = ()  # (valueName, value)
    parameters: tuple[tuple[str, str], ...] = ()  # (valueName, value)
    areas: tuple[CapArea, ...] = ()


@dataclass(frozen=True)
class CapAlert:
    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: MsgType
    scope: str
    references: tuple[CapReference, ...] = ()
    infos: tuple[CapInfo, ...] = ()

    def as_reference(self) -> CapReference:
        """How later messages name this one in ``<references>`` (equal and hashed by instant, not offset)."""
        return CapReference(self.sender, self.identifier, self.sent)

    @property
    def info(self) -> CapInfo | None:
        """The info block to show: vi-VN first, then any Vietnamese, then the first one."""
        return preferred_info(self.infos)


def preferred_info(infos: tuple[CapInfo, ...]) -> CapInfo | None:
    for info in infos:
        if info.language.lower() == "vi-vn":
            return info
    for info in infos:
        tag = info.language.lower()
        if tag == "vi" or tag.startswith("vi-"):
            return info
    return infos[0] if infos else None
