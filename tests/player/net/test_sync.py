"""Pairing, manifest sync, media download and the nudge, against a fake server built from the contract."""

import contextlib
import logging
import threading
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from nacl.signing import SigningKey
from websockets.sync.server import serve

from player.core.shared import Shared
from player.core.state import StateDir
from player.net.channel import BACKOFF_CAP_S, backoff_s
from player.net.sync import Coordinator
from signage_contract import SignedManifest
from signage_contract.device import (
    DEVICE_MANIFEST,
    DEVICE_MEDIA,
    DEVICE_SOCKET,
    NUDGE_SPREAD_MAX_S,
    PAIRING_POLL,
    PAIRING_START,
    DeviceCredential,
    Hello,
    Nudge,
    PairingStart,
    PairingStatus,
    PairingTicket,
)
from signage_contract.signing import encode_key, key_id
from tests.support.player_factories import NOW, entry, image_bytes, image_item, manifest, media_ref, signed

TOKEN = "secret-token"


class FakeServer:
    """Just the device routes of signage_contract.device, answering from in-memory state."""

    def __init__(self) -> None:
        self.key = SigningKey.generate()
        self.credential = DeviceCredential(
            board_id="b1",
            token=TOKEN,
            server_public_key=encode_key(self.key.verify_key),
            key_id=key_id(self.key.verify_key),
        )
        self.document: SignedManifest | None = None
        self.published: list[SignedManifest] = []  # every document signed, oldest first
        self.sequence = 0
        self.raw_manifest: bytes | None = None  # when set, served instead of ``document``
        self.media: dict[str, bytes] = {}
        self.requests: list[httpx.Request] = []
        self.claimed = True
        self.down = False
        self.revoked = False

    def publish(self, items, **extra) -> SignedManifest:
        """Sign a new manifest for the board, its sequence one more than the last (as the server)."""
        self.sequence += 1
        value = manifest(items, **{"sequence": self.sequence, **extra})
        self.document = signed(value, self.key)
        self.published.append(self.document)
        return self.document

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        path = request.url.path
        if path == PAIRING_START and request.method == "POST":
            PairingStart.model_validate_json(request.content)
            ticket = PairingTicket(
                ticket_id="t1",
                code="ACD347",
                secret="s3",
                expires_at=datetime.now(UTC) + timedelta(minutes=10),
            )
            return httpx.Response(201, content=ticket.model_dump_json())
        if path == PAIRING_POLL.format(ticket_id="t1"):
            assert request.headers["X-Pairing-Secret"] == "s3"
            status = (
                PairingStatus(state="claimed", credential=self.credential)
                if self.claimed
                else PairingStatus(state="expired")
            )
            return httpx.Response(200, content=status.model_dump_json())
        if self.revoked or request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return httpx.Response(401)
        if path == DEVICE_MANIFEST:
            if self.raw_manifest is not None:
                return httpx.Response(200, content=self.raw_manifest)
            etag = f'"{self.document.version}"'
            if request.headers.get("If-None-Match") == etag:
                return httpx.Response(304)
            return httpx.Response(200, content=self.document.model_dump_json(), headers={"ETag": etag})
        sha = path.rsplit("/", 1)[-1]
        if path == DEVICE_MEDIA.format(sha256=sha) and sha in self.media:
            return httpx.Response(200, content=self.media[sha])
        return httpx.Response(404)


@pytest.fixture
def server() -> FakeServer:
    return FakeServer()


def _coordinator(
    server: FakeServer, tmp_path, paired: bool = True, url: str = "http://signage.test"
) -> Coordinator:
    state = StateDir(tmp_path / "state")
    if paired:
        state.save_credential(server.credential)
    client = httpx.Client(base_url="http://signage.test", transport=httpx.MockTransport(server.handler))
    return Coordinator(
        server=url, state=state, shared=Shared(), client=client, start_socket=False, clock=lambda: NOW
    )


def _image(server: FakeServer, color=(200, 0, 0)):
    png = image_bytes(40, 30, color)
    ref = media_ref(png, 40, 30)
    server.media[ref.sha256] = png
    return image_item(f"img-{ref.sha256[:6]}", ref), ref


class _RecordingShared(Shared):
    """Remembers every pairing code handed to the screen."""

    def __init__(self) -> None:
        super().__init__()
        self.codes: list[object] = []

    def update(self, **changes: object) -> None:
        self.codes.append(changes.get("pairing_code"))
        super().update(**changes)


def test_pairing_shows_the_code_then_stores_credential_and_pinned_key(server, tmp_path) -> None:
    coordinator = _coordinator(server, tmp_path, paired=False)
    coordinator.shared = _RecordingShared()
    assert coordinator.pair_step()
    assert "ACD347" in coordinator.shared.codes and coordinator.shared.snapshot().pairing_code is None
    assert coordinator.state.load_credential() == server.credential
    assert coordinator.state.verify_key() == server.key.verify_key


def test_expired_pairing_code_is_not_a_credential(server, tmp_path) -> None:
    server.claimed = False
    coordinator = _coordinator(server, tmp_path, paired=False)
    assert not coordinator.pair_step()
    assert coordinator.state.load_credential() is None


def test_sync_verifies_downloads_media_and_publishes(server, tmp_path) -> None:
    item, ref = _image(server)
    document = server.publish([item])
    coordinator = _coordinator(server, tmp_path)
    assert coordinator.sync_once()
    snap = coordinator.shared.snapshot()
    assert snap.version == document.version and snap.manifest.items[0].id == item["id"]
    assert coordinator.state.media.has(ref.sha256)
    assert coordinator.state.load_manifest()[0].version == document.version


def test_unchanged_manifest_answers_304_and_moves_no_media(server, tmp_path) -> None:
    item, _ = _image(server)
    server.publish([item])
    coordinator = _coordinator(server, tmp_path)
    coordinator.sync_once()
    server.requests.clear()
    assert not coordinator.sync_once()
    assert [r.url.path for r in server.requests] == [DEVICE_MANIFEST]
    assert server.requests[0].headers["If-None-Match"] == f'"{server.document.version}"'


def test_one_image_change_fetches_only_that_image_and_prunes_the_old_later(server, tmp_path) -> None:
    first, first_ref = _image(server, (200, 0, 0))
    keep = {"kind": "text", "id": "t", "title": "Giữ nguyên"}
    server.publish([first, keep])
    coordinator = _coordinator(server, tmp_path)
    coordinator.sync_once()
    second, second_ref = _image(server, (0, 200, 0))
    server.publish([second, keep])
    server.requests.clear()
    coordinator.sync_once()
    assert [r.url.path for r in server.requests] == [
        DEVICE_MANIFEST,
        DEVICE_MEDIA.format(sha256=second_ref.sha256),
    ]
    assert coordinator.state.media.has(first_ref.sha256)  # the frame loop may still be drawing it
    server.publish([keep])
    coordinator.sync_once()
    assert not coordinator.state.media.has(first_ref.sha256)
    assert coordinator.state.media.has(second_ref.sha256)  # replaced just now: kept until the next change


REJECTED = {
    "tampered": lambda s: (
        s.document.model_copy(update={"payload": s.document.payload.replace("b1", "b1 ")})
        .model_dump_json()
        .encode()
    ),
    "other board": lambda s: signed(manifest([], board_id="b2"), s.key).model_dump_json().encode(),
    "malformed json": lambda s: b'{"version": "v9", "payload": ',
    "wrong key": lambda s: signed(manifest([]), SigningKey.generate()).model_dump_json().encode(),
}


@pytest.mark.parametrize("make_bad", REJECTED.values(), ids=REJECTED.keys())
def test_refused_manifest_keeps_the_last_good_and_is_logged_once(server, tmp_path, caplog, make_bad) -> None:
    good = server.publish([{"kind": "text", "id": "t", "title": "Tin thật"}])
    coordinator = _coordinator(server, tmp_path)
    coordinator.sync_once()
    server.raw_manifest = make_bad(server)
    with caplog.at_level(logging.ERROR, logger="player.net.sync"):
        assert not coordinator.sync_once()
        assert not coordinator.sync_once()
    assert coordinator.shared.snapshot().version == good.version
    assert coordinator.state.load_manifest()[0].version == good.version
    assert len([r for r in caplog.records if "refused" in r.message]) == 1


def test_media_with_the_wrong_hash_is_not_cached_but_the_manifest_plays(server, tmp_path, caplog) -> None:
    item, ref = _image(server)
    server.media[ref.sha256] = b"not the announced bytes"
    server.publish([item, {"kind": "text", "id": "t", "title": "Văn bản"}])
    coordinator = _coordinator(server, tmp_path)
    with caplog.at_level(logging.WARNING, logger="player.net.sync"):
        assert coordinator.sync_once()
        coordinator.sync_once()
    assert not coordinator.state.media.has(ref.sha256)
    assert coordinator.shared.snapshot().manifest is not None
    assert len([r for r in caplog.records if "not usable" in r.message]) == 1


def test_unavailable_and_back_are_each_logged_once(server, tmp_path, caplog) -> None:
    server.publish([{"kind": "text", "id": "t", "title": "x"}])
    coordinator = _coordinator(server, tmp_path)
    coordinator.tick()
    server.down = True
    with caplog.at_level(logging.INFO, logger="player.net.sync"):
        delays = [coordinator.tick() for _ in range(3)]
        server.down = False
        coordinator.tick()
        coordinator.tick()
    messages = [r.message for r in caplog.records]
    assert sum("unavailable" in m for m in messages) == 1 and sum("back" in m for m in messages) == 1
    assert all(0 < d <= coordinator.interval_s() for d in delays)


def test_revoked_credential_is_dropped_logged_once_and_the_board_pairs_again(server, tmp_path, caplog):
    server.publish([{"kind": "text", "id": "t", "title": "Cũ"}])
    coordinator = _coordinator(server, tmp_path)
    coordinator.tick()
    server.revoked = True
    with caplog.at_level(logging.INFO, logger="player.net.sync"):
        assert coordinator.tick() == 0.0
        snapshot = coordinator.shared.snapshot()
        assert snapshot.manifest is None and coordinator.state.load_credential() is None
        assert coordinator.state.load_manifest() is None
        server.revoked = False
        coordinator.tick()  # pairs again: the pairing screen, then a fresh credential
    messages = [r.message for r in caplog.records]
    assert sum("refused this board's credential" in m for m in messages) == 1
    assert not any("unavailable" in m for m in messages)
    assert coordinator.state.load_credential() == server.credential


def test_restart_offline_plays_the_stored_manifest_and_refuses_an_edited_one(server, tmp_path) -> None:
    server.publish([{"kind": "text", "id": "t", "title": "Đã lưu"}])
    coordinator = _coordinator(server, tmp_path)
    coordinator.sync_once()
    restarted = StateDir(tmp_path / "state")
    assert restarted.load_manifest()[1].items[0].title == "Đã lưu"
    path = tmp_path / "state" / "manifest.json"
    path.write_text(path.read_text(encoding="utf-8").replace("Đã lưu", "Sửa trộm"), encoding="utf-8")
    assert restarted.load_manifest() is None


@pytest.mark.parametrize("attempt", [0, 1, 3, 10, 40])
def test_backoff_is_jittered_and_capped(attempt: int) -> None:
    low, high = backoff_s(attempt, rand=lambda: 0.0), backoff_s(attempt, rand=lambda: 0.999999)
    assert 0 < low < high <= BACKOFF_CAP_S and low >= high / 2 - 1e-6


def test_nudge_over_the_socket_wakes_the_poll_loop(server, tmp_path) -> None:
    seen: dict[str, object] = {}

    def handler(connection) -> None:
        seen["path"] = connection.request.path
        seen["auth"] = connection.request.headers.get("Authorization")
        seen["hello"] = Hello.model_validate_json(connection.recv(timeout=10))
        connection.send(Nudge(version="v-new").model_dump_json())
        with contextlib.suppress(Exception):
            connection.recv(timeout=10)

    with serve(handler, "127.0.0.1", 0) as ws_server:
        thread = threading.Thread(target=ws_server.serve_forever, daemon=True)
        thread.start()
        port = ws_server.socket.getsockname()[1]
        coordinator = _coordinator(server, tmp_path, url=f"http://127.0.0.1:{port}")
        socket_thread = threading.Thread(target=coordinator.channel.run, daemon=True)
        socket_thread.start()
        assert coordinator.wake.wait(timeout=20)
        coordinator.stop()
        socket_thread.join(timeout=20)
        ws_server.shutdown()
    assert seen["path"] == DEVICE_SOCKET and seen["auth"] == f"Bearer {TOKEN}"
    assert isinstance(seen["hello"], Hello)


def test_a_spread_nudge_fetches_at_a_random_moment_within_the_window(server, tmp_path, monkeypatch) -> None:
    coordinator = _coordinator(server, tmp_path)
    chosen: list[tuple[float, float]] = []
    monkeypatch.setattr("player.net.sync.random.uniform", lambda a, b: chosen.append((a, b)) or 0.5)
    coordinator.route(Nudge(version="v-new", within_s=40))
    assert not coordinator.wake.is_set()  # not at once: 0.5 s later, as drawn in [0, 40]
    assert coordinator.wake.wait(timeout=10)
    assert chosen == [(0, 40)]
    coordinator.wake.clear()
    coordinator.route(Nudge(version="v-newer", within_s=100_000))  # a server's mistake is capped
    coordinator.route(Nudge(version="v-newest", within_s=100_000))  # one deferred wake stands
    assert chosen[1:] == [(0, NUDGE_SPREAD_MAX_S)]
    coordinator.stop()


def test_a_nudge_without_a_window_wakes_at_once(server, tmp_path) -> None:
    coordinator = _coordinator(server, tmp_path)
    coordinator.route(Nudge.model_validate_json('{"type": "nudge", "version": "v-new"}'))  # older servers
    assert coordinator.wake.is_set()


def test_hardware_id_is_stable_across_restarts(tmp_path) -> None:
    assert StateDir(tmp_path).hardware_id() == StateDir(tmp_path).hardware_id()


# --- manifest order: a replayed older manifest never comes back ----------------------------------


def _text(title: str) -> list[dict]:
    return [{"kind": "text", "id": "t", "title": title}]


def _replay(server: FakeServer, document: SignedManifest) -> None:
    """An attacker (or a confused proxy) serves an older, genuinely signed document."""
    server.raw_manifest = document.model_dump_json().encode()


def test_a_replayed_older_manifest_is_refused_and_the_screen_stays(server, tmp_path, caplog) -> None:
    old = server.publish(_text("Tin cũ đã gỡ"))
    coordinator = _coordinator(server, tmp_path)
    coordinator.sync_once()
    edited = server.publish(_text("Tin sau khi sửa"))
    coordinator.sync_once()
    generation = coordinator.shared.snapshot().generation
    _replay(server, old)
    with caplog.at_level(logging.ERROR, logger="player.net.sync"):
        assert not coordinator.sync_once()
    snap = coordinator.shared.snapshot()
    assert snap.version == edited.version and snap.generation == generation
    assert coordinator.state.load_manifest()[0].version == edited.version
    assert coordinator.pending is None and coordinator.state.load_pending() is None
    assert any("older" in r.message for r in caplog.records)


def test_every_older_manifest_is_refused(server, tmp_path) -> None:
    coordinator = _coordinator(server, tmp_path)
    for n in range(5):
        server.publish(_text(f"Bản {n}"))
        coordinator.sync_once()
    newest = server.document
    accepted = 0
    for document in server.published[:-1]:
        _replay(server, document)
        accepted += coordinator.sync_once()
    assert accepted == 0 and coordinator.shared.snapshot().version == newest.version


def test_manifests_without_a_sequence_are_ordered_by_generation_time(server, tmp_path) -> None:
    """From a server before the sequence: ``generated_at`` decides."""
    old = server.publish(_text("Cũ"), sequence=None)
    coordinator = _coordinator(server, tmp_path)
    coordinator.sync_once()
    newer = server.publish(_text("Mới"), sequence=None, generated_at=NOW + timedelta(minutes=1))
    assert coordinator.sync_once()
    _replay(server, old)
    assert not coordinator.sync_once()
    assert coordinator.shared.snapshot().version == newer.version


def test_an_older_manifest_put_back_on_disk_is_refused_on_load(server, tmp_path) -> None:
    old = server.publish(_text("Cũ"))
    coordinator = _coordinator(server, tmp_path)
    coordinator.sync_once()
    server.publish(_text("Mới"))
    coordinator.sync_once()
    (tmp_path / "state" / "manifest.json").write_text(old.model_dump_json(), encoding="utf-8")
    assert StateDir(tmp_path / "state").load_manifest() is None


# --- handover: the manifest in force stays until the next one's media are cached ----------------


def _on_screen_with_image(server: FakeServer, tmp_path):
    item, ref = _image(server, (200, 0, 0))
    first = server.publish([item])
    coordinator = _coordinator(server, tmp_path)
    assert coordinator.sync_once()
    return coordinator, first, ref


def _assert_still_in_force(coordinator: Coordinator, document: SignedManifest, ref) -> None:
    assert coordinator.shared.snapshot().version == document.version
    assert coordinator.state.load_manifest()[0].version == document.version
    assert coordinator.state.media.has(ref.sha256)  # not pruned: it is still on screen


@pytest.mark.parametrize("failure", ["hash mismatch", "404"])
def test_a_manifest_whose_media_fail_waits_and_the_one_in_force_keeps_its_media(
    server, tmp_path, failure
) -> None:
    coordinator, first, first_ref = _on_screen_with_image(server, tmp_path)
    item, ref = _image(server, (0, 200, 0))
    good_bytes = server.media[ref.sha256]
    if failure == "404":
        del server.media[ref.sha256]
    else:
        server.media[ref.sha256] = b"not the announced bytes"
    second = server.publish([item])
    assert not coordinator.sync_once()
    _assert_still_in_force(coordinator, first, first_ref)
    assert coordinator.pending[0].version == second.version
    server.media[ref.sha256] = good_bytes  # the server serves the right file again
    assert coordinator.sync_once()
    assert coordinator.shared.snapshot().version == second.version
    assert coordinator.state.media.has(ref.sha256)
    assert coordinator.state.media.has(first_ref.sha256)  # replaced just now: kept until the next change
    assert coordinator.state.load_pending() is None


def test_content_changing_between_manifest_and_media_fetch_never_blanks_the_board(server, tmp_path) -> None:
    """The server changed content (and stopped serving the image) right after the manifest fetch."""
    coordinator, first, first_ref = _on_screen_with_image(server, tmp_path)
    item, ref = _image(server, (0, 200, 0))
    second = server.publish([item])
    third_item, third_ref = _image(server, (0, 0, 200))
    original = server.handler

    def change_then_answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == DEVICE_MEDIA.format(sha256=ref.sha256) and server.document is second:
            server.publish([third_item])
            del server.media[ref.sha256]
        return original(request)

    transport = httpx.MockTransport(change_then_answer)
    coordinator.client = httpx.Client(base_url="http://signage.test", transport=transport)
    assert not coordinator.sync_once()
    _assert_still_in_force(coordinator, first, first_ref)
    assert coordinator.sync_once()  # the next poll takes the newest manifest, whose media arrive
    assert coordinator.shared.snapshot().version == server.document.version
    assert coordinator.state.media.has(third_ref.sha256)


def test_a_waiting_manifest_survives_a_restart_and_goes_in_force_once_its_media_arrive(
    server, tmp_path
) -> None:
    coordinator, first, _ = _on_screen_with_image(server, tmp_path)
    item, ref = _image(server, (0, 200, 0))
    good_bytes = server.media.pop(ref.sha256)
    second = server.publish([item])
    coordinator.sync_once()
    restarted = _coordinator(server, tmp_path)
    restarted.shared.update(manifest=restarted.state.load_manifest()[1], version=first.version)
    restarted.pending = restarted._stored_pending()
    assert restarted.pending[0].version == second.version
    server.media[ref.sha256] = good_bytes
    server.requests.clear()
    assert restarted.sync_once()
    assert server.requests[0].headers["If-None-Match"] == f'"{second.version}"'
    assert restarted.shared.snapshot().version == second.version


def test_a_waiting_manifest_needs_only_the_media_of_the_coming_hours(server, tmp_path) -> None:
    coordinator, _, _ = _on_screen_with_image(server, tmp_path)
    soon, _ = _image(server, (0, 200, 0))
    later, later_ref = _image(server, (0, 0, 200))
    del server.media[later_ref.sha256]
    second = server.publish([soon, later], timeline=[
        entry(NOW - timedelta(hours=1), NOW + timedelta(days=1), {"main": [soon["id"]]}),
        entry(NOW + timedelta(days=1), NOW + timedelta(days=7), {"main": [later["id"]]}),
    ])
    assert coordinator.sync_once()
    assert coordinator.shared.snapshot().version == second.version


def test_a_full_disk_prunes_the_cache_to_what_the_manifests_need(server, tmp_path, caplog) -> None:
    item, ref = _image(server)
    server.publish([item])
    coordinator = _coordinator(server, tmp_path)
    coordinator.sync_once()
    stray = coordinator.state.media.root / ("0" * 64)
    stray.write_bytes(b"old media no manifest needs")
    coordinator.disk_free = lambda: 10 * 1024 * 1024
    with caplog.at_level(logging.WARNING):
        assert coordinator.check_disk() == 1
    assert not stray.exists() and coordinator.state.media.has(ref.sha256)
    assert "disk nearly full (10 MB free)" in caplog.text
    coordinator.disk_free = lambda: 10 * 1024 * 1024 * 1024
    assert coordinator.check_disk() == 0


def test_care_messages_from_the_socket_go_to_the_care_desk(server, tmp_path) -> None:
    from signage_contract.device import CareCommand, LogsRequest

    coordinator = _coordinator(server, tmp_path)
    seen: list[object] = []
    coordinator.care = seen.append
    coordinator.route(CareCommand(action="restart"))
    coordinator.route(LogsRequest(request_id="r", lines=5))
    assert [type(m).__name__ for m in seen] == ["CareCommand", "LogsRequest"]
