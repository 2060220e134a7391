"""The device side: pairing, signed manifest with ETag/304, media scope, WebSocket nudge."""

from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import event, update
from sqlmodel import Session, select

from signage_contract import ImageItem, TextItem
from signage_contract import device as wire
from signage_contract.signing import decode_key, verify_manifest
from signage_server.app import create_app
from signage_server.core.changes import Change
from signage_server.models import (
    AdminUnit,
    Board,
    Bulletin,
    ContentState,
    DeviceCredential,
    ItemKind,
    Media,
    PairingTicket,
    Playlist,
    PlaylistItem,
    Schedule,
    ScheduleRegion,
    TargetKind,
    UnitLevel,
)
from signage_server.settings import Settings


@pytest.fixture()
def client(tmp_path):
    with TestClient(create_app(Settings(data_dir=tmp_path, seed_units=False))) as client:
        yield client


def _session(client: TestClient) -> Session:
    return Session(client.app.state.engine)


def _seed_board(client: TestClient) -> tuple[int, int]:
    """A province > commune > board, a published playlist with a bulletin, scheduled all day."""
    with _session(client) as s:
        province = AdminUnit(
            code="51", level=UnitLevel.PROVINCE, name="Tỉnh Quảng Ngãi", valid_from=date(2025, 7, 1)
        )
        s.add(province)
        s.flush()
        commune = AdminUnit(
            code="21025",
            level=UnitLevel.COMMUNE,
            name="Xã Bình Sơn",
            parent_id=province.id,
            valid_from=date(2025, 7, 1),
        )
        s.add(commune)
        s.flush()
        board = Board(name="Bảng tin UBND xã", unit_id=commune.id, width=384, height=192)
        bulletin = Bulletin(
            unit_id=commune.id,
            title="Thông báo tiêm chủng",
            body="Tiêm vắc-xin sởi",
            state=ContentState.PUBLISHED,
        )
        playlist = Playlist(unit_id=commune.id, name="Chính", state=ContentState.PUBLISHED)
        s.add_all([board, bulletin, playlist])
        s.flush()
        s.add(
            PlaylistItem(playlist_id=playlist.id, position=0, kind=ItemKind.BULLETIN, bulletin_id=bulletin.id)
        )
        schedule = Schedule(
            unit_id=province.id,
            name="Cả tỉnh",
            layout_id="fullscreen",
            target_kind=TargetKind.UNIT,
            target_unit_id=province.id,
            state=ContentState.PUBLISHED,
        )
        s.add(schedule)
        s.flush()
        s.add(ScheduleRegion(schedule_id=schedule.id, region_id="main", playlist_id=playlist.id))
        s.commit()
        return board.id, playlist.id


def _pair(client: TestClient, board_id: int) -> wire.DeviceCredential:
    start = client.post(wire.PAIRING_START, json={"hardware_id": "mini-pc-01", "screen_width": 384})
    assert start.status_code == 201
    ticket = wire.PairingTicket.model_validate(start.json())
    url = wire.PAIRING_POLL.format(ticket_id=ticket.ticket_id)
    headers = {"X-Pairing-Secret": ticket.secret}
    assert client.get(url, headers=headers).json()["state"] == "pending"
    with _session(client) as s:  # what an operator's claim does
        row = s.get(PairingTicket, ticket.ticket_id)
        row.claimed_board_id = board_id
        s.add(row)
        s.commit()
    status = wire.PairingStatus.model_validate(client.get(url, headers=headers).json())
    assert status.state == "claimed" and status.credential is not None
    again = client.get(url, headers=headers).json()
    assert again == {"state": "expired", "credential": None}  # handed out once only
    return status.credential


def test_pairing_gives_a_credential_and_the_pinned_key(client) -> None:
    board_id, _ = _seed_board(client)
    credential = _pair(client, board_id)
    assert credential.board_id == str(board_id)
    assert decode_key(credential.server_public_key) == client.app.state.signing_key.verify_key


def test_pairing_poll_with_wrong_secret_is_404(client) -> None:
    ticket = client.post(wire.PAIRING_START, json={"hardware_id": "x"}).json()
    url = wire.PAIRING_POLL.format(ticket_id=ticket["ticket_id"])
    assert client.get(url, headers={"X-Pairing-Secret": "guess"}).status_code == 404


def test_manifest_is_signed_for_this_board_and_answers_304_when_unchanged(client) -> None:
    board_id, _ = _seed_board(client)
    credential = _pair(client, board_id)
    auth = {"Authorization": f"Bearer {credential.token}"}
    first = client.get(wire.DEVICE_MANIFEST, headers=auth)
    assert first.status_code == 200
    signed = wire_signed(first.json())
    manifest = verify_manifest(signed, decode_key(credential.server_public_key), str(board_id))
    texts = [i for i in manifest.items if isinstance(i, TextItem)]
    assert texts[0].title == "Thông báo tiêm chủng"
    assert manifest.timeline and manifest.timeline[0].layout_id == "fullscreen"
    assert manifest.valid_until - manifest.valid_from >= timedelta(days=7)
    etag = first.headers["ETag"]
    assert etag == f'"{signed.version}"'
    second = client.get(wire.DEVICE_MANIFEST, headers={**auth, "If-None-Match": etag})
    assert second.status_code == 304


def test_an_unchanged_poll_is_answered_without_the_database(client) -> None:
    board_id, _ = _seed_board(client)
    auth = {"Authorization": f"Bearer {_pair(client, board_id).token}"}
    etag = client.get(wire.DEVICE_MANIFEST, headers=auth).headers["ETag"]  # learnt from the database
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(client.app.state.engine, "before_cursor_execute", count)
    try:
        polls = [client.get(wire.DEVICE_MANIFEST, headers={**auth, "If-None-Match": etag}) for _ in range(3)]
    finally:
        event.remove(client.app.state.engine, "before_cursor_execute", count)
    assert [p.status_code for p in polls] == [304, 304, 304]
    assert polls[-1].headers["ETag"] == etag
    assert statements == []


def _fetched_then_unstamped(client) -> tuple[dict[str, str], str]:
    """A paired board that fetched its manifest (its headers, its ETag), then no last-seen stamp."""
    board_id, _ = _seed_board(client)
    auth = {"Authorization": f"Bearer {_pair(client, board_id).token}"}
    etag = client.get(wire.DEVICE_MANIFEST, headers=auth).headers["ETag"]
    with _session(client) as s:
        s.exec(update(DeviceCredential).values(last_seen_at=None))
        s.commit()
    return auth, etag


def test_polls_answered_from_memory_are_stamped_as_seen_in_one_write(client) -> None:
    auth, etag = _fetched_then_unstamped(client)
    assert client.get(wire.DEVICE_MANIFEST, headers={**auth, "If-None-Match": etag}).status_code == 304
    assert client.app.state.poll_cache.flush_seen(client.app.state.engine) == 1
    with _session(client) as s:
        stamps = s.exec(select(DeviceCredential.last_seen_at)).all()
    assert len(stamps) == 1 and stamps[0] is not None


def test_a_poll_answered_from_the_database_writes_nothing_and_is_stamped_with_the_others(client) -> None:
    """A poll memory cannot answer (a new token, a changed manifest) reads the credential and the
    version, and commits nothing: its last-seen stamp waits for the next batched write."""
    auth, etag = _fetched_then_unstamped(client)
    client.app.state.poll_cache.forget(None)  # as after a change: memory cannot answer
    writes: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if not statement.lstrip().upper().startswith("SELECT"):
            writes.append(statement)

    event.listen(client.app.state.engine, "before_cursor_execute", count)
    try:
        assert client.get(wire.DEVICE_MANIFEST, headers={**auth, "If-None-Match": etag}).status_code == 304
    finally:
        event.remove(client.app.state.engine, "before_cursor_execute", count)
    assert writes == []
    assert client.app.state.poll_cache.flush_seen(client.app.state.engine) == 1
    with _session(client) as s:
        assert s.exec(select(DeviceCredential.last_seen_at)).one() is not None


def test_a_token_answered_from_memory_stops_working_when_the_board_is_paired_again(client) -> None:
    board_id, _ = _seed_board(client)
    old = _pair(client, board_id)
    auth = {"Authorization": f"Bearer {old.token}"}
    etag = client.get(wire.DEVICE_MANIFEST, headers=auth).headers["ETag"]
    assert client.get(wire.DEVICE_MANIFEST, headers={**auth, "If-None-Match": etag}).status_code == 304
    _pair(client, board_id)
    assert client.get(wire.DEVICE_MANIFEST, headers={**auth, "If-None-Match": etag}).status_code == 401


def test_unknown_or_revoked_token_is_401(client) -> None:
    board_id, _ = _seed_board(client)
    assert client.get(wire.DEVICE_MANIFEST, headers={"Authorization": "Bearer nope"}).status_code == 401
    old = _pair(client, board_id)
    new = _pair(client, board_id)  # pairing again replaces the earlier device
    assert (
        client.get(wire.DEVICE_MANIFEST, headers={"Authorization": f"Bearer {old.token}"}).status_code == 401
    )
    assert (
        client.get(wire.DEVICE_MANIFEST, headers={"Authorization": f"Bearer {new.token}"}).status_code == 200
    )


def test_rotation_retires_the_old_token(client) -> None:
    board_id, _ = _seed_board(client)
    old = _pair(client, board_id)
    etag = client.get(wire.DEVICE_MANIFEST, headers={"Authorization": f"Bearer {old.token}"}).headers["ETag"]
    unchanged = {"Authorization": f"Bearer {old.token}", "If-None-Match": etag}
    assert client.get(wire.DEVICE_MANIFEST, headers=unchanged).status_code == 304  # now from memory
    rotated = client.post(wire.DEVICE_ROTATE, headers={"Authorization": f"Bearer {old.token}"})
    assert rotated.status_code == 200
    new_token = rotated.json()["token"]
    assert client.get(wire.DEVICE_MANIFEST, headers=unchanged).status_code == 401
    assert (
        client.get(wire.DEVICE_MANIFEST, headers={"Authorization": f"Bearer {old.token}"}).status_code == 401
    )
    assert (
        client.get(wire.DEVICE_MANIFEST, headers={"Authorization": f"Bearer {new_token}"}).status_code == 200
    )


def test_media_only_when_named_by_the_boards_manifest_with_ranges(client, tmp_path) -> None:
    board_id, playlist_id = _seed_board(client)
    source = tmp_path / "poster.png"
    Image.new("RGB", (64, 32), (200, 30, 30)).save(source)
    with source.open("rb") as handle:
        stored = client.app.state.media_store.ingest(handle, "poster.png", "image/png")
    other = tmp_path / "other.png"
    Image.new("RGB", (8, 8), (0, 0, 0)).save(other)
    with other.open("rb") as handle:
        unnamed = client.app.state.media_store.ingest(handle, "other.png", "image/png")
    with _session(client) as s:
        media = Media(
            unit_id=1,
            sha256=stored.sha256,
            size=stored.size,
            content_type=stored.content_type,
            width=stored.width,
            height=stored.height,
            state=ContentState.PUBLISHED,
        )
        s.add(media)
        s.flush()
        s.add(PlaylistItem(playlist_id=playlist_id, position=1, kind=ItemKind.IMAGE, media_id=media.id))
        s.commit()
    credential = _pair(client, board_id)
    auth = {"Authorization": f"Bearer {credential.token}"}
    manifest = verify_manifest(
        wire_signed(client.get(wire.DEVICE_MANIFEST, headers=auth).json()),
        decode_key(credential.server_public_key),
        str(board_id),
    )
    assert any(isinstance(i, ImageItem) and i.media.sha256 == stored.sha256 for i in manifest.items)
    url = wire.DEVICE_MEDIA.format(sha256=stored.sha256)
    whole = client.get(url, headers=auth)
    assert whole.status_code == 200 and whole.content == source.read_bytes()
    assert "immutable" in whole.headers["Cache-Control"]
    part = client.get(url, headers={**auth, "Range": "bytes=10-"})
    assert part.status_code == 206 and part.content == source.read_bytes()[10:]
    assert client.get(wire.DEVICE_MEDIA.format(sha256=unnamed.sha256), headers=auth).status_code == 404


def test_websocket_nudges_when_the_manifest_changes(client) -> None:
    board_id, _ = _seed_board(client)
    credential = _pair(client, board_id)
    auth = {"Authorization": f"Bearer {credential.token}"}
    version = client.get(wire.DEVICE_MANIFEST, headers=auth).headers["ETag"].strip('"')
    unchanged = client.get(wire.DEVICE_MANIFEST, headers={**auth, "If-None-Match": f'"{version}"'})
    assert unchanged.status_code == 304
    with client.websocket_connect(wire.DEVICE_SOCKET, headers=auth) as ws:
        ws.send_text(wire.Hello(manifest_version=version).model_dump_json())
        with _session(client) as s:
            bulletin = s.get(Bulletin, 1)
            bulletin.title = "Thông báo mới: lịch cắt điện"
            bulletin.updated_at = datetime.now(UTC)
            s.add(bulletin)
            s.commit()
        client.app.state.changes.publish(Change(bulletins=frozenset({1})))
        nudge = wire.Nudge.model_validate_json(ws.receive_text())
    assert nudge.version != version
    # The version was in memory (the polls above); the change made the cache forget it.
    fresh = client.get(wire.DEVICE_MANIFEST, headers={**auth, "If-None-Match": f'"{version}"'})
    assert fresh.status_code == 200 and fresh.headers["ETag"] == f'"{nudge.version}"'


def test_websocket_with_stale_version_is_nudged_at_once(client) -> None:
    board_id, _ = _seed_board(client)
    credential = _pair(client, board_id)
    with client.websocket_connect(
        wire.DEVICE_SOCKET, headers={"Authorization": f"Bearer {credential.token}"}
    ) as ws:
        ws.send_text(wire.Hello(manifest_version="old").model_dump_json())
        assert wire.Nudge.model_validate_json(ws.receive_text()).version != "old"


def test_websocket_without_credential_is_refused(client) -> None:
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect), client.websocket_connect(wire.DEVICE_SOCKET) as ws:
        ws.receive_text()


def wire_signed(data: dict):
    from signage_contract import SignedManifest

    return SignedManifest.model_validate(data)


def _published_image(client: TestClient, tmp_path, name: str, color: tuple[int, int, int]) -> int:
    source = tmp_path / f"{name}.png"
    Image.new("RGB", (16, 16), color).save(source)
    with source.open("rb") as handle:
        stored = client.app.state.media_store.ingest(handle, source.name, "image/png")
    with _session(client) as s:
        media = Media(unit_id=1, sha256=stored.sha256, size=stored.size, content_type=stored.content_type,
                      width=stored.width, height=stored.height, state=ContentState.PUBLISHED)
        s.add(media)
        s.commit()
        return media.id


def _show_only(client: TestClient, playlist_id: int, media_id: int, board_id: int) -> str:
    """The playlist now holds just this image; the board's manifest is recomposed at once."""
    with _session(client) as s:
        for item in s.exec(select(PlaylistItem).where(PlaylistItem.playlist_id == playlist_id)).all():
            s.delete(item)
        s.add(PlaylistItem(playlist_id=playlist_id, position=0, kind=ItemKind.IMAGE, media_id=media_id))
        s.commit()
        client.app.state.composer.recompose(s, [board_id])
        return s.get(Media, media_id).sha256


def test_media_of_the_replaced_manifest_are_still_served_until_the_next_change(client, tmp_path) -> None:
    """A board that fetched a manifest just before an edit can still finish its images."""
    board_id, playlist_id = _seed_board(client)
    credential = _pair(client, board_id)
    auth = {"Authorization": f"Bearer {credential.token}"}
    first, second, third = (
        _published_image(client, tmp_path, name, color)
        for name, color in (("a", (200, 0, 0)), ("b", (0, 200, 0)), ("c", (0, 0, 200)))
    )
    old = _show_only(client, playlist_id, first, board_id)
    new = _show_only(client, playlist_id, second, board_id)
    assert client.get(wire.DEVICE_MEDIA.format(sha256=old), headers=auth).status_code == 200
    assert client.get(wire.DEVICE_MEDIA.format(sha256=new), headers=auth).status_code == 200
    _show_only(client, playlist_id, third, board_id)
    assert client.get(wire.DEVICE_MEDIA.format(sha256=old), headers=auth).status_code == 404
    assert client.get(wire.DEVICE_MEDIA.format(sha256=new), headers=auth).status_code == 200


def test_each_change_of_content_signs_a_higher_sequence(client, tmp_path) -> None:
    board_id, playlist_id = _seed_board(client)
    credential = _pair(client, board_id)
    auth = {"Authorization": f"Bearer {credential.token}"}
    key = decode_key(credential.server_public_key)

    def fetch():
        return verify_manifest(wire_signed(client.get(wire.DEVICE_MANIFEST, headers=auth).json()), key,
                               str(board_id))

    before = fetch()
    with _session(client) as s:
        client.app.state.composer.recompose(s, [board_id])  # nothing changed: the same sequence
    assert fetch().sequence == before.sequence
    _show_only(client, playlist_id, _published_image(client, tmp_path, "a", (1, 2, 3)), board_id)
    after = fetch()
    assert before.sequence is not None and after.sequence > before.sequence
    assert before.stamp().older_than(after.stamp())
