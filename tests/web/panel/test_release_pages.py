"""The panel's player versions page: who runs what for every role in scope, in Vietnamese; the
province admin uploads a real wheel and sets what a channel offers; a file that is not a wheel of
the player is refused in words and nothing is stored."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from signage_contract.release import DEVICE_RELEASE, ReleaseCheck, UpdateReport
from signage_server.models import PlayerRelease, ReleaseChannel
from tests.support.overrides import device_headers
from tests.support.panel_client import login
from tests.support.wheels import build_wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> bytes:
    return build_wheel(tmp_path_factory.mktemp("wheels"), "0.2.0").read_bytes()


def test_the_province_admin_uploads_and_offers_and_everyone_sees_who_runs_what(
        client, users, tree, make_board, session, wheel):
    board = make_board(tree.commune_a)
    csrf = login(client, "admin")
    page = client.get("/panel/releases")
    assert page.status_code == 200 and "Phiên bản phần mềm bảng" in page.text
    assert "Tải lên phiên bản" in page.text
    sent = client.post("/panel/releases/upload", data={"csrf_token": csrf, "channel": "stable"},
                       files={"wheel": ("signage-0.2.0-py3-none-any.whl", wheel, "application/zip")})
    assert sent.status_code == 200 and "Đã tải lên phiên bản." in sent.text, sent.text
    (release,) = session.exec(select(PlayerRelease)).all()
    assert session.get(ReleaseChannel, "stable").release_id == release.id  # type: ignore[union-attr]

    report = UpdateReport(from_version="0.1.0", to_version="0.2.0", outcome="rolled_back",
                          reason="it exited with status 1 before reporting healthy", at=datetime.now(UTC))
    check = ReleaseCheck(running_version="0.1.0", last_update=report)
    client.post(DEVICE_RELEASE, content=check.model_dump_json(),
                headers={**device_headers(session, board.id), "Content-Type": "application/json"})
    login(client, "viewer-a")
    page = client.get("/panel/releases")
    assert page.status_code == 200 and board.name in page.text
    assert "đã quay về bản trước" in page.text and "chưa lên phiên bản được cung cấp" in page.text
    assert "ổn định (mọi bảng)" in page.text and "Tải lên phiên bản" not in page.text  # no upload form


def test_a_file_that_is_not_a_wheel_is_refused_in_vietnamese(client, users, session):
    csrf = login(client, "admin")
    sent = client.post("/panel/releases/upload", data={"csrf_token": csrf},
                       files={"wheel": ("virus.whl", b"MZ not a zip", "application/octet-stream")})
    assert sent.status_code == 422 and "Tệp bị từ chối và không có gì được lưu" in sent.text
    assert session.exec(select(PlayerRelease)).all() == []


def test_a_commune_admin_cannot_upload_or_offer(client, users, session, wheel):
    csrf = login(client, "admin-a")
    assert "Tải lên phiên bản" not in client.get("/panel/releases").text
    sent = client.post("/panel/releases/upload", data={"csrf_token": csrf},
                       files={"wheel": ("signage-0.2.0-py3-none-any.whl", wheel, "application/zip")})
    assert sent.status_code == 422 and "Chỉ quản trị viên cấp tỉnh" in sent.text
    offered = client.post("/panel/releases/offer", data={"csrf_token": csrf, "channel": "pilot"})
    assert offered.status_code == 422 and "Chỉ quản trị viên cấp tỉnh" in offered.text
    assert session.exec(select(PlayerRelease)).all() == []
