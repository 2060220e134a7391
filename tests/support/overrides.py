"""Helpers shared by the override tests: request bodies and the device side of a board."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from signage_server.devices.auth import issue_credential

OVERRIDES = "/api/v1/overrides"


def in_hours(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


def body(target: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    return {
        "title": "Bão số 13 đổ bộ",
        "body": "Người dân ở trong nhà, tránh xa bờ biển.",
        "risk_level": 4,
        "target": target or {"all": True},
        "expires_at": in_hours(6),
        **fields,
    }


def issue(client: TestClient, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    created = client.post(OVERRIDES, json=body(**fields), headers=headers)
    assert created.status_code == 201, created.text
    return created.json()


def issue_and_confirm(client: TestClient, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    created = issue(client, headers, **fields)
    confirmed = client.post(f"{OVERRIDES}/{created['id']}/confirm", headers=headers)
    assert confirmed.status_code == 200, confirmed.text
    return confirmed.json()


def device_headers(session: Session, board_id: int) -> dict[str, str]:
    _credential, token = issue_credential(session, board_id, f"hw-{board_id}")
    return {"Authorization": f"Bearer {token}"}
