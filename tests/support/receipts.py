"""Factories for receipts tests: an approved bulletin on air, a paired board, its plays."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from signage_contract import device as wire
from signage_server.devices.auth import issue_credential
from signage_server.models import (
    Board,
    Bulletin,
    ContentState,
    ItemKind,
    LayoutRecord,
    Playlist,
    PlaylistItem,
    Schedule,
    ScheduleRegion,
)

APPROVED = ContentState.APPROVED


@dataclass(frozen=True)
class Published:
    bulletin_id: int
    item_id: str  # the wire id its plays carry


def publish(session: Session, layout: LayoutRecord, *, unit_id: int, author: int, target: dict[str, Any],
            title: str = "Lịch tiếp công dân", valid_from: datetime | None = None) -> Published:
    """An approved bulletin in an approved playlist, scheduled (approved) at ``target``."""
    bulletin = Bulletin(unit_id=unit_id, title=title, body="Thứ Hai", state=APPROVED, created_by=author,
                        valid_from=valid_from)
    playlist = Playlist(unit_id=unit_id, name="Bản tin", state=APPROVED)
    session.add_all([bulletin, playlist])
    session.commit()
    assert playlist.id is not None and schedule_ready(layout)
    item = PlaylistItem(playlist_id=playlist.id, position=0, kind=ItemKind.BULLETIN, bulletin_id=bulletin.id)
    schedule = Schedule(unit_id=unit_id, name="Lịch", layout_id=layout.id, state=APPROVED, **target)
    session.add_all([item, schedule])
    session.commit()
    assert schedule.id is not None
    session.add(ScheduleRegion(schedule_id=schedule.id, region_id="main", playlist_id=playlist.id))
    session.commit()
    assert bulletin.id is not None
    return Published(bulletin.id, f"p{playlist.id}-i{item.id}")


def schedule_ready(layout: LayoutRecord) -> bool:
    return any(region.get("id") == "main" for region in layout.regions)


def device_headers(session: Session, board: Board) -> dict[str, str]:
    assert board.id is not None
    _credential, token = issue_credential(session, board.id, f"pc-{board.id}")
    return {"Authorization": f"Bearer {token}"}


def play(item_id: str, start: datetime, seconds: float = 30.0) -> dict[str, str]:
    return {"id": uuid.uuid4().hex, "region_id": "main", "item_id": item_id, "reason": "scheduled",
            "category": "other", "priority": "normal", "started_at": start.isoformat(),
            "ended_at": (start + timedelta(seconds=seconds)).isoformat()}


def receipts_url(published: Published) -> str:
    return f"/api/v1/bulletins/{published.bulletin_id}/receipts"


def upload(client: TestClient, headers: dict[str, str], records: list[dict[str, str]]) -> None:
    reply = client.post(wire.DEVICE_PLAYS, json={"records": records}, headers=headers)
    assert reply.status_code == 200, reply.text
