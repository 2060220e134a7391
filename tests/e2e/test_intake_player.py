"""Bulletin intake end to end: the province's source system sends a bulletin twice (the second time
corrected), the server holds one bulletin, an approver approves it, and a real headless player airs
it: its proof of play reaches the server, and the source system reads the bulletin's receipt (received,
first aired, airtime on the board) and its individual plays (JSON and CSV)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pygame
import pytest
from sqlmodel import Session, col, select

from signage_server.core.auth import issue_token
from signage_server.models import AdminUnit, Bulletin, PlayLog, Role, TokenKind, User
from tests.support.live_site import Site, wait_until
from tests.support.net import free_port

pytestmark = pytest.mark.slow
TITLE = "Thông báo tiêm chủng mở rộng"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    monkeypatch.setenv("SIGNAGE_HEARTBEAT_INTERVAL_S", "5")  # plays are uploaded with each heartbeat
    pygame.init()
    created = Site.create(tmp_path)
    try:
        yield created
    finally:
        created.close()


def _system_account(site: Site) -> tuple[int, dict[str, str]]:
    """The source system's account: an editor of the province with an API token."""
    with Session(site.engine) as session:
        province = session.exec(select(AdminUnit).where(AdminUnit.code == "51")).one()
        account = User(username="he-thong-nguon", role=Role.EDITOR, unit_id=province.id or 0,
                       password_hash="!")
        session.add(account)
        session.commit()
        token, _row = issue_token(session, account, TokenKind.API, "nguồn", None)
        assert account.id is not None
        return account.id, {"Authorization": f"Bearer {token}"}


def test_an_intake_bulletin_sent_twice_is_one_bulletin_that_airs(site: Site, tmp_path: Path) -> None:
    port, state = free_port(), tmp_path / "player"
    site.start_server(port)
    api = site.api(port)
    board = api.board(site.commune_id, "Bảng tin UBND xã Tịnh Khê")
    player = site.start_player(port, state)
    code = wait_until(lambda: site.pending_code(state), "the player's pairing code", [player], log=site.log)
    api.claim(board, str(code))
    account_id, system = _system_account(site)
    api.call("POST", "/intake/sources", 201, json={"name": "httn-quang-ngai", "user_id": account_id})

    bulletin = {"external_id": "QN-2026-0042", "title": TITLE, "body": "Sáng Thứ Bảy tại trạm y tế xã.",
                "category": "socio_economic", "unit_codes": ["21001"]}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", headers=system, timeout=30) as source:
        first = source.post("/intake/bulletins", json=bulletin)
        assert first.status_code == 201, first.text
        again = source.post("/intake/bulletins", json={**bulletin, "body": "Sáng Chủ Nhật tại trạm y tế xã."})
        assert again.status_code == 200, again.text
    sent = first.json()
    assert again.json()["bulletin_id"] == sent["bulletin_id"]
    with Session(site.engine) as session:
        rows = session.exec(select(Bulletin).where(Bulletin.external_id == "QN-2026-0042")).all()
        assert [(r.id, r.body) for r in rows] == [(sent["bulletin_id"], "Sáng Chủ Nhật tại trạm y tế xã.")]

    decided = api.approver.post(f"/submissions/{sent['submission_id']}/decision", json={"state": "approved"})
    assert decided.status_code == 200, decided.text
    playlist_id = decided.json()["playlist_id"]
    items = api.call("GET", f"/playlists/{playlist_id}")["items"]
    aired = {f"p{playlist_id}-i{item['id']}" for item in items if item["bulletin_id"] == sent["bulletin_id"]}
    assert len(aired) == 1

    def played() -> list[PlayLog]:
        with Session(site.engine) as session:
            return list(session.exec(select(PlayLog).where(PlayLog.board_id == board,
                                                           col(PlayLog.item_id).in_(aired))).all())

    records = wait_until(played, "the bulletin's play record at the server", [player], log=site.log)
    assert isinstance(records, list)
    assert all(r.duration_s > 0 for r in records)

    # The source system then pulls its proof: the receipt per board and the individual plays.
    ids = {r.id for r in records}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", headers=system, timeout=30) as source:
        receipts = source.get(f"/bulletins/{sent['bulletin_id']}/receipts")
        assert receipts.status_code == 200, receipts.text
        reach = receipts.json()
        row = next(b for b in reach["boards"] if b["board_id"] == board)
        assert row["targeted"] and row["received_at"] is not None and row["first_aired_at"] is not None
        assert row["plays"] >= 1 and row["airtime_s"] > 0
        assert reach["boards_aired"] == 1 and reach["never_aired"] == [] and reach["first_aired_at"]
        plays = source.get("/plays", params={"bulletin_id": sent["bulletin_id"], "board_id": board})
        assert plays.status_code == 200, plays.text
        assert ids <= {p["id"] for p in plays.json()["plays"]}
        listed = source.get("/plays.csv", params={"bulletin_id": sent["bulletin_id"]})
        assert listed.status_code == 200 and listed.text.count("\n") >= len(ids) + 1
