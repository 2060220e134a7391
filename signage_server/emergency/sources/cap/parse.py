"""Parse CAP 1.2 XML safely, validate it against the OASIS schema, and map it to ``CapAlert``.

Order of checks: size, then XML well-formedness with defusedxml (no DTD at all, hence no entity
expansion and no external entities), then the root's namespace (a CAP 1.1 alert gets a clearer
message than a schema error), then the official OASIS CAP 1.2 schema, then what the schema cannot
say (coordinates, references, an info block where one is needed). All text leaves here in NFC; the
texts people read are converted from TCVN3 or VNI (``core/legacy_text.py``) or the alert is refused.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import datetime
from functools import cache
from importlib import resources
from typing import cast
from xml.etree.ElementTree import Element, ParseError

import xmlschema
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from xmlschema.locations import FALLBACK_LOCATIONS

from signage_server.core import legacy_text
from signage_server.core.errors import Invalid
from signage_server.emergency.sources.cap.model import (
    CAP_NAMESPACE,
    CapAlert,
    CapArea,
    CapCircle,
    CapInfo,
    CapReference,
    CapRejected,
    LatLon,
    MsgType,
    Ring,
)

MAX_CAP_BYTES = 1024 * 1024  # real CAP alerts are a few KiB; polygons of a province stay far below
_NS = f"{{{CAP_NAMESPACE}}}"
_XMLDSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
_NS_RE = re.compile(r"\{[^}]*\}")
# msgTypes that act on an earlier message and may carry no <info> of their own.
_INFO_OPTIONAL: frozenset[str] = frozenset({"Cancel", "Ack", "Error"})


def parse_cap(xml_bytes: bytes, *, max_bytes: int = MAX_CAP_BYTES) -> CapAlert:
    """Return the alert in ``xml_bytes`` or raise ``CapRejected`` saying why it is refused."""
    if len(xml_bytes) > max_bytes:
        raise CapRejected(f"message too large: {len(xml_bytes)} bytes, the limit is {max_bytes}")
    root = _read_xml(xml_bytes)
    _check_root(root)
    _validate(root)
    alert = _alert_from(root)
    if not alert.infos and alert.msg_type not in _INFO_OPTIONAL:
        raise CapRejected(f"a CAP {alert.msg_type} must carry at least one <info> block; this one has none")
    return alert


def _read_xml(xml_bytes: bytes) -> Element:
    if not xml_bytes.strip():
        raise CapRejected("not XML: the message is empty")
    try:
        root = fromstring(xml_bytes, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        return cast(Element, root)
    except DefusedXmlException as exc:
        raise CapRejected(
            "document type declarations (DOCTYPE/DTD) and entities are refused: CAP needs none, and they "
            f"allow entity-expansion and external-entity attacks ({type(exc).__name__})"
        ) from exc
    except ParseError as exc:
        raise CapRejected(f"not XML: {exc}") from exc


def _check_root(root: Element) -> None:
    namespace, _, local = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
    if local != "alert":
        raise CapRejected(f"root element is <{local}>, a CAP message is an <alert>")
    if namespace != CAP_NAMESPACE:
        shown = namespace or "no namespace"
        raise CapRejected(f"wrong namespace: {shown}; only CAP 1.2 ({CAP_NAMESPACE}) is accepted")


@cache
def _schema() -> xmlschema.XMLSchema10:
    """The OASIS schema, built on first use (not at import).

    CAP 1.2 lets an enveloped XML Signature follow the infos (``<any namespace=xmldsig
    processContents=lax>``); the W3C xmldsig schema is imported here from xmlschema's bundled copy,
    so nothing is fetched and nothing is loaded lazily while threads validate concurrently.
    """
    source = resources.files("signage_server.emergency.sources.cap").joinpath("schema", "CAP-v1.2.xsd")
    with resources.as_file(source) as path:
        dsig = cast(str, FALLBACK_LOCATIONS[_XMLDSIG_NS])
        return xmlschema.XMLSchema10(str(path), locations=[(_XMLDSIG_NS, dsig)])


def _validate(root: Element) -> None:
    error = next(_schema().iter_errors(root), None)
    if error is None:
        return
    where = _NS_RE.sub("", error.path or "") or "/alert"
    reason = _NS_RE.sub("", error.reason or str(error).splitlines()[0])
    raise CapRejected(f"CAP 1.2 schema violation at {where}: {reason}")


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "").strip()


def _text(parent: Element, name: str) -> str:
    child = parent.find(_NS + name)
    return _nfc(child.text) if child is not None else ""


def _human(parent: Element, name: str) -> str:
    """A text people read (headline, description...): converted to Unicode if it was written in
    TCVN3 or VNI, refused when it looks legacy but cannot be read with confidence."""
    try:
        return legacy_text.read(_text(parent, name), field=name).text
    except Invalid as exc:
        raise CapRejected(f"<{name}>: {exc.message}") from exc


def _texts(parent: Element, name: str) -> list[str]:
    return [_nfc(child.text) for child in parent.findall(_NS + name)]


def _pairs(parent: Element, name: str) -> tuple[tuple[str, str], ...]:
    return tuple((_text(child, "valueName"), _text(child, "value")) for child in parent.findall(_NS + name))


def _time(text: str, where: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise CapRejected(f"{where}: {text!r} is not a date-time") from exc
    if value.tzinfo is None:
        raise CapRejected(f"{where}: {text!r} has no UTC offset")
    return value


def _optional_time(parent: Element, name: str) -> datetime | None:
    text = _text(parent, name)
    return _time(text, f"<{name}>") if text else None


def _required(parent: Element, name: str) -> str:
    text = _text(parent, name)
    if not text:
        raise CapRejected(f"<{name}> is empty")
    return text


def _alert_from(root: Element) -> CapAlert:
    return CapAlert(
        identifier=_required(root, "identifier"),
        sender=_required(root, "sender"),
        sent=_time(_text(root, "sent"), "<sent>"),
        status=_text(root, "status"),
        msg_type=cast(MsgType, _text(root, "msgType")),
        scope=_text(root, "scope"),
        references=parse_references(_text(root, "references")),
        infos=tuple(_info_from(info) for info in root.findall(_NS + "info")),
    )


def parse_references(text: str) -> tuple[CapReference, ...]:
    """``sender,identifier,sent`` triples separated by whitespace (CAP 1.2, 3.2.1)."""
    references = []
    for entry in text.split():
        parts = entry.split(",")
        if len(parts) != 3 or not all(parts):
            raise CapRejected(f"<references>: {entry!r} is not sender,identifier,sent")
        sender, identifier, sent = parts
        references.append(CapReference(sender, identifier, _time(sent, "<references>")))
    return tuple(references)


def _info_from(info: Element) -> CapInfo:
    return CapInfo(
        language=_text(info, "language") or "en-US",  # the schema's default
        categories=tuple(_texts(info, "category")),
        event=_human(info, "event"),
        urgency=_text(info, "urgency"),
        severity=_text(info, "severity"),
        certainty=_text(info, "certainty"),
        headline=_human(info, "headline"),
        description=_human(info, "description"),
        instruction=_human(info, "instruction"),
        effective=_optional_time(info, "effective"),
        onset=_optional_time(info, "onset"),
        expires=_optional_time(info, "expires"),
        web=_text(info, "web"),
        event_codes=_pairs(info, "eventCode"),
        parameters=_pairs(info, "parameter"),
        areas=tuple(_area_from(area) for area in info.findall(_NS + "area")),
    )


def _area_from(area: Element) -> CapArea:
    return CapArea(
        description=_human(area, "areaDesc"),
        polygons=tuple(parse_polygon(text) for text in _texts(area, "polygon")),
        circles=tuple(parse_circle(text) for text in _texts(area, "circle")),
        geocodes=_pairs(area, "geocode"),
    )


def _point(text: str, where: str) -> LatLon:
    try:
        lat_text, lon_text = text.split(",")
        lat, lon = float(lat_text), float(lon_text)
    except ValueError as exc:
        raise CapRejected(f"{where}: {text!r} is not a lat,lon pair") from exc
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise CapRejected(f"{where}: {text!r} is outside WGS 84 latitude/longitude ranges")
    return lat, lon


def parse_polygon(text: str) -> Ring:
    """A closed ring of at least four ``lat,lon`` pairs, the first equal to the last (CAP 1.2, 3.2.4)."""
    ring = tuple(_point(pair, "<polygon>") for pair in text.split())
    if len(ring) < 4:
        raise CapRejected(f"<polygon> has {len(ring)} points; a CAP polygon needs at least 4")
    if ring[0] != ring[-1]:
        raise CapRejected("<polygon> is not closed: its first and last points must be the same")
    return ring


def parse_circle(text: str) -> CapCircle:
    """``lat,lon radius`` with the radius in kilometres (CAP 1.2, 3.2.4)."""
    parts = text.split()
    if len(parts) != 2:
        raise CapRejected(f"<circle>: {text!r} is not 'lat,lon radius'")
    lat, lon = _point(parts[0], "<circle>")
    try:
        radius_km = float(parts[1])
    except ValueError as exc:
        raise CapRejected(f"<circle>: radius {parts[1]!r} is not a number") from exc
    if not (math.isfinite(radius_km) and radius_km >= 0.0):
        raise CapRejected(f"<circle>: radius {parts[1]!r} must be zero or more kilometres")
    return CapCircle(lat, lon, radius_km)
