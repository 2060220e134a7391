"""Panel USB bundles: an editor chooses boards of their area and downloads the signed bundle, and
imports the proof-of-play files a board wrote to the drive, once however often they are imported."""

from __future__ import annotations

import io
import tarfile
import uuid
from datetime import UTC, datetime, timedelta

from signage_contract.bundle import INDEX_NAME, SIGNATURE_NAME, PlayExport
from signage_contract.device import PlayRecord
from tests.support.panel_client import login


def _play_file(board_id: int) -> bytes:
    start = datetime.now(UTC) - timedelta(hours=2)
    records = [PlayRecord(id=uuid.uuid4().hex, region_id="main", item_id="p1-i1", reason="scheduled",
                          category="other", priority="normal", started_at=start + timedelta(minutes=i),
                          ended_at=start + timedelta(minutes=i, seconds=30)) for i in range(3)]
    export = PlayExport(board_id=str(board_id), exported_at=datetime.now(UTC), records=records)
    return export.model_dump_json().encode()


def test_an_editor_downloads_a_bundle_of_the_chosen_boards(client, users, make_board) -> None:
    board = make_board()
    csrf = login(client, "editor-a")
    page = client.get("/panel/bundles")
    assert page.status_code == 200 and "Gói USB cho bảng không có mạng" in page.text
    assert board.name in page.text
    answer = client.post("/panel/bundles", data={"csrf_token": csrf, "board_ids": [str(board.id)]})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/x-tar"
    with tarfile.open(fileobj=io.BytesIO(answer.content)) as archive:
        assert {INDEX_NAME, SIGNATURE_NAME, f"manifests/{board.id}.json"} <= set(archive.getnames())


def test_no_board_chosen_is_said_in_vietnamese(client, users) -> None:
    csrf = login(client, "editor-a")
    answer = client.post("/panel/bundles", data={"csrf_token": csrf})
    assert answer.status_code == 422 and "Hãy chọn ít nhất một bảng." in answer.text


def test_play_files_are_imported_once(client, users, make_board) -> None:
    board = make_board()
    csrf = login(client, "operator-a")
    files = [("files", ("board.json", _play_file(board.id), "application/json"))]
    first = client.post("/panel/bundles/plays", data={"csrf_token": csrf}, files=files)
    assert first.status_code == 200 and "<td>board.json</td><td>3</td><td>0</td>" in first.text
    again = client.post("/panel/bundles/plays", data={"csrf_token": csrf}, files=files)
    assert "<td>board.json</td><td>0</td><td>3</td>" in again.text


def test_a_file_that_is_not_a_play_file_is_refused(client, users) -> None:
    csrf = login(client, "editor-a")
    files = [("files", ("ghi-chu.json", b'{"hello": 1}', "application/json"))]
    answer = client.post("/panel/bundles/plays", data={"csrf_token": csrf}, files=files)
    assert answer.status_code == 422 and "ghi-chu.json không phải tệp nhật ký phát" in answer.text


def test_a_viewer_is_told_who_may(client, users) -> None:
    login(client, "viewer-a")
    page = client.get("/panel/bundles")
    assert page.status_code == 200 and "Tải gói về" not in page.text
