"""A commune without a link, end to end: the server exports a bundle through the API, the headless
player imports it from a drive and plays it, and its proof of play comes back through the import
route from an office PC, once however often the file is imported."""

from __future__ import annotations

import io
import tarfile
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from sqlmodel import func, select

from player.core.bundle_import import import_bundle, write_plays
from player.core.playlog import PlayLog
from player.core.playtrack import PlayTracker
from player.core.state import StateDir
from player.core.timeline import resolve
from signage_contract import ImageItem
from signage_contract.bundle import BUNDLE_EXPORT, PLAYS_IMPORT, BundleRejected, PlayExport
from signage_contract.device import DeviceCredential
from signage_contract.signing import encode_key, key_id
from signage_server.content.workflow import publish
from signage_server.devices.auth import issue_credential
from signage_server.models import (
    AuditEvent,
    ContentState,
    ItemKind,
    Media,
    Playlist,
    PlaylistItem,
    Schedule,
    ScheduleRegion,
    TargetKind,
)
from signage_server.models import PlayLog as PlayRow


def _scheduled_image(client, session, board, layout) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "PNG")
    stored = client.app.state.media_store.ingest(io.BytesIO(buffer.getvalue()), "a.png", "image/png")
    media = Media(unit_id=board.unit_id, sha256=stored.sha256, size=stored.size,
                  content_type=stored.content_type, width=stored.width, height=stored.height,
                  state=ContentState.APPROVED)
    playlist = Playlist(name="Ảnh", unit_id=board.unit_id, state=ContentState.APPROVED)
    session.add_all([media, playlist])
    session.commit()
    session.add(PlaylistItem(playlist_id=playlist.id, position=1, kind=ItemKind.IMAGE, media_id=media.id))
    schedule = Schedule(name="Bảng xã", unit_id=board.unit_id, layout_id=layout.id,
                        target_kind=TargetKind.BOARD, target_board_id=board.id, state=ContentState.APPROVED)
    session.add(schedule)
    session.commit()
    session.add(ScheduleRegion(schedule_id=schedule.id, region_id="main", playlist_id=playlist.id))
    session.commit()
    publish(client.app.state.changes, everything=True)
    client.portal.call(client.app.state.composer.wait_idle)
    return stored.sha256


def _paired_player(client, session, board, root) -> StateDir:
    issue_credential(session, board.id, "mini-pc")  # paired once, while the commune had a link
    key = client.app.state.signing_key.verify_key
    state = StateDir(root)
    state.save_credential(DeviceCredential(board_id=str(board.id), token="offline", key_id=key_id(key),
                                           server_public_key=encode_key(key)))
    return state


def _play_ten_minutes(state: StateDir, playlog: PlayLog, start: datetime) -> None:
    stored = state.load_manifest()
    assert stored is not None
    tracker, now = PlayTracker(playlog.submit), start
    while now < start + timedelta(minutes=10):
        frame = resolve(stored[1], now)
        tracker.observe(frame, now)
        now = frame.next_change_at
    tracker.close(now)
    playlog.flush()


def test_a_bundle_goes_out_on_a_drive_and_its_proof_of_play_comes_back(
    client, session, make_board, layout, users, tmp_path
) -> None:
    board = make_board()
    other = make_board()
    sha = _scheduled_image(client, session, board, layout)
    editor = users["editor_a"].headers

    reply = client.post(BUNDLE_EXPORT, json={"board_ids": [board.id, other.id]}, headers=editor)
    assert reply.status_code == 200, reply.text
    drive = tmp_path / "media" / "usb0"
    drive.mkdir(parents=True)
    (drive / "signage-bundle.tar").write_bytes(reply.content)
    with tarfile.open(drive / "signage-bundle.tar") as archive:
        assert f"media/{sha}" in archive.getnames()

    state = _paired_player(client, session, board, tmp_path / "player")
    assert import_bundle(state, drive / "signage-bundle.tar").new
    stored = state.load_manifest()
    assert stored is not None and state.media.has(sha)
    assert any(isinstance(item, ImageItem) and item.media.sha256 == sha for item in stored[1].items)

    playlog = PlayLog(tmp_path / "player" / "playlog.sqlite3")
    try:
        _play_ten_minutes(state, playlog, datetime.now(UTC) - timedelta(minutes=20))
        files = write_plays(playlog, str(board.id), drive, datetime.now(UTC))
        played = playlog.count(open_rows=False)
    finally:
        playlog.close()
    assert played > 0 and len(files) == 1

    export = PlayExport.model_validate_json(files[0].read_bytes())
    first = client.post(PLAYS_IMPORT, content=files[0].read_bytes(), headers={
        **editor, "Content-Type": "application/json"})
    again = client.post(PLAYS_IMPORT, content=files[0].read_bytes(), headers={
        **editor, "Content-Type": "application/json"})
    assert (first.json()["accepted"], again.json()["accepted"], again.json()["duplicates"]) == (
        played, 0, played)
    rows = session.exec(select(func.count()).select_from(PlayRow).where(PlayRow.board_id == board.id)).one()
    assert rows == played == len(export.records)
    actions = set(session.exec(select(AuditEvent.action).where(AuditEvent.object_id == str(board.id))).all())
    assert {"board.bundle_export", "board.plays_import"} <= actions


def test_a_board_outside_the_users_scope_is_neither_exported_nor_imported(
    client, make_board, tree, users
) -> None:
    outside = make_board(unit_id=tree.commune_b)
    editor = users["editor_a"].headers
    assert client.post(BUNDLE_EXPORT, json={"board_ids": [outside.id]}, headers=editor).status_code == 404
    body = {"board_id": str(outside.id), "exported_at": datetime.now(UTC).isoformat(), "records": []}
    assert client.post(PLAYS_IMPORT, json=body, headers=editor).status_code == 404


def test_a_real_bundle_for_one_board_is_refused_by_another(
    client, session, make_board, users, tmp_path
) -> None:
    board, other = make_board(), make_board()
    reply = client.post(BUNDLE_EXPORT, json={"board_ids": [board.id]}, headers=users["operator_a"].headers)
    path = tmp_path / "signage-bundle.tar"
    path.write_bytes(reply.content)
    state = _paired_player(client, session, other, tmp_path / "other")
    with pytest.raises(BundleRejected, match="no manifest for this board"):
        import_bundle(state, path)
    assert state.load_manifest() is None


def test_an_oversized_play_file_is_refused_before_it_is_read(client, make_board, users) -> None:
    board = make_board()
    body = b'{"board_id": "' + str(board.id).encode() + b'", "records": [' + b" " * (3 * 1024 * 1024) + b"]}"
    answer = client.post(PLAYS_IMPORT, content=body, headers={**users["editor_a"].headers,
                                                              "Content-Type": "application/json"})
    assert answer.status_code == 413
