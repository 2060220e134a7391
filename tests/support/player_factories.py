"""Builders shared by the player's tests and benchmarks: real manifests, images and signatures."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from nacl.signing import SigningKey
from PIL import Image

from signage_contract import Manifest, MediaRef, SignedManifest
from signage_contract.signing import sign_payload

NOW = datetime(2026, 11, 23, 7, 5, tzinfo=UTC)  # Thứ Hai 23/11/2026 14:05 in Hà Nội

LAYOUT_FULL = {
    "id": "full",
    "name": "Toàn màn hình",
    "regions": [{"id": "main", "role": "main", "x": 0, "y": 0, "w": 1, "h": 1}],
}
LAYOUT_TICKER_CLOCK = {
    "id": "mtc",
    "name": "Nội dung chính, chữ chạy và đồng hồ",
    "regions": [
        {"id": "main", "role": "main", "x": 0, "y": 0, "w": 1, "h": 0.88},
        {"id": "ticker", "role": "ticker", "x": 0, "y": 0.88, "w": 0.78, "h": 0.12, "z": 1},
        {"id": "clock", "role": "clock", "x": 0.78, "y": 0.88, "w": 0.22, "h": 0.12, "z": 1},
    ],
}
LAYOUT_SPLIT = {
    "id": "split",
    "name": "Hai vùng",
    "regions": [
        {"id": "main", "role": "main", "x": 0, "y": 0, "w": 0.5, "h": 1},
        {"id": "side", "role": "side", "x": 0.5, "y": 0, "w": 0.5, "h": 1},
    ],
}


def image_bytes(width: int, height: int, color: tuple[int, int, int], fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format=fmt)
    return buffer.getvalue()


def media_ref(data: bytes, width: int, height: int, content_type: str = "image/png") -> MediaRef:
    return MediaRef(
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        content_type=content_type,
        width=width,
        height=height,
    )  # type: ignore[arg-type]


def image_item(item_id: str, ref: MediaRef, **extra: Any) -> dict[str, Any]:
    return {"kind": "image", "id": item_id, "media": ref.model_dump(), **extra}


def entry(
    start: datetime, end: datetime, regions: dict[str, list[str]], layout_id: str = "full", **extra: Any
) -> dict[str, Any]:
    return {
        "start": start,
        "end": end,
        "layout_id": layout_id,
        "regions": [{"region_id": r, "item_ids": ids} for r, ids in regions.items()],
        **extra,
    }


def manifest(
    items: list[dict[str, Any]],
    timeline: list[dict[str, Any]] | None = None,
    layouts: list[dict[str, Any]] | None = None,
    board_id: str = "b1",
    **extra: Any,
) -> Manifest:
    if timeline is None:
        timeline = [
            entry(NOW - timedelta(hours=1), NOW + timedelta(days=7), {"main": [i["id"] for i in items]})
        ]
    return Manifest.model_validate(
        {
            "board_id": board_id,
            "board_name": "UBND xã Tân Phú",
            "generated_at": NOW,
            "valid_from": NOW - timedelta(hours=1),
            "valid_until": NOW + timedelta(days=7),
            "layouts": layouts or [LAYOUT_FULL, LAYOUT_TICKER_CLOCK, LAYOUT_SPLIT],
            "items": items,
            "timeline": timeline,
            **extra,
        }
    )


def signed(value: Manifest, key: SigningKey, version: str | None = None) -> SignedManifest:
    payload = value.model_dump_json()
    return sign_payload(key, payload, version or hashlib.sha256(payload.encode()).hexdigest()[:32])
