"""Builders of CAP 1.2 XML for the CAP tests: a realistic storm warning over Quảng Ngãi, and parts."""

from __future__ import annotations

import unicodedata
from xml.sax.saxutils import escape

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
SENDER = "canhbao@nchmf.gov.vn"

# Around Quảng Ngãi city (15.12 N, 108.80 E); CAP order is lat,lon.
QUANG_NGAI_POLYGON = "14.90,108.60 14.90,109.00 15.30,109.00 15.30,108.60 14.90,108.60"
LY_SON_CIRCLE = "15.38,109.12 30"  # Lý Sơn island, 30 km

HEADLINE_VI = "Cảnh báo bão số 13: gió giật cấp 14, mưa rất to"
DESCRIPTION_VI = (
    "Hồi 13 giờ ngày 23/11, vị trí tâm bão ở khoảng 15,2 độ Vĩ Bắc; 110,1 độ Kinh Đông. "
    "Sức gió mạnh nhất vùng gần tâm bão mạnh cấp 12 (118-133 km/giờ), giật cấp 14."
)
INSTRUCTION_VI = "Người dân vùng ven biển di chuyển đến nơi tránh trú an toàn trước 18 giờ."


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def area_xml(
    desc: str = "Tỉnh Quảng Ngãi",
    polygons: tuple[str, ...] = (QUANG_NGAI_POLYGON,),
    circles: tuple[str, ...] = (LY_SON_CIRCLE,),
    geocodes: tuple[tuple[str, str], ...] = (("UNIT_CODE", "21025"), ("MA_DVHC", "21211")),
) -> str:
    parts = [f"<areaDesc>{escape(desc)}</areaDesc>"]
    parts += [f"<polygon>{p}</polygon>" for p in polygons]
    parts += [f"<circle>{c}</circle>" for c in circles]
    parts += [
        f"<geocode><valueName>{n}</valueName><value>{escape(v)}</value></geocode>" for n, v in geocodes
    ]
    return "<area>" + "".join(parts) + "</area>"


def info_xml(
    language: str | None = "vi-VN",
    *,
    event: str | None = "Bão",
    urgency: str = "Immediate",
    severity: str = "Extreme",
    certainty: str = "Likely",
    event_codes: tuple[tuple[str, str], ...] = (),
    effective: str | None = "2026-11-23T14:00:00+07:00",
    onset: str | None = "2026-11-23T20:00:00+07:00",
    expires: str | None = "2026-11-24T14:00:00+07:00",
    headline: str | None = HEADLINE_VI,
    description: str | None = DESCRIPTION_VI,
    instruction: str | None = INSTRUCTION_VI,
    parameters: tuple[tuple[str, str], ...] = (),
    areas: tuple[str, ...] | None = None,
) -> str:
    """One <info>, its children in the order the schema's sequence requires."""

    def el(name: str, value: str | None) -> str:
        return "" if value is None else f"<{name}>{escape(value)}</{name}>"

    def pairs(name: str, items: tuple[tuple[str, str], ...]) -> str:
        return "".join(f"<{name}><valueName>{n}</valueName><value>{v}</value></{name}>" for n, v in items)

    return (
        "<info>"
        + el("language", language)
        + "<category>Met</category>"
        + el("event", event)
        + "<responseType>Evacuate</responseType>"
        + el("urgency", urgency)
        + el("severity", severity)
        + el("certainty", certainty)
        + pairs("eventCode", event_codes)
        + el("effective", effective)
        + el("onset", onset)
        + el("expires", expires)
        + "<senderName>Trung tâm Dự báo khí tượng thủy văn quốc gia</senderName>"
        + el("headline", headline)
        + el("description", description)
        + el("instruction", instruction)
        + "<web>https://nchmf.gov.vn/</web>"
        + pairs("parameter", parameters)
        + "".join(areas if areas is not None else (area_xml(),))
        + "</info>"
    )


EN_INFO = info_xml(
    "en-US",
    event="Typhoon",
    headline="Typhoon No. 13 warning",
    description="Typhoon centre near 15.2N 110.1E.",
    instruction="Move to shelters before 18:00.",
)


def alert_xml(
    *,
    identifier: str = "VN-NCHMF-2026-1123-0013",
    sent: str = "2026-11-23T14:05:00+07:00",
    status: str = "Actual",
    msg_type: str = "Alert",
    scope: str = "Public",
    references: str | None = None,
    infos: tuple[str, ...] = (EN_INFO, info_xml()),
    namespace: str = CAP_NS,
) -> bytes:
    refs = "" if references is None else f"<references>{references}</references>"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<alert xmlns="{namespace}">'
        f"<identifier>{identifier}</identifier><sender>{SENDER}</sender><sent>{sent}</sent>"
        f"<status>{status}</status><msgType>{msg_type}</msgType><scope>{scope}</scope>"
        f"{refs}{''.join(infos)}</alert>"
    ).encode()
