"""Emergency overrides on the board: stored on receipt, reconciled with manifests, cancelled,
expired by the board's clock, chosen by precedence, acknowledged over a real WebSocket."""

import contextlib
import json
import threading
from datetime import timedelta

import pytest
from websockets.sync.server import serve

from player.core.override_store import OverrideStore
from player.core.shared import Shared
from player.core.state import StateDir
from player.core.timeline import resolve
from player.net.overrides import AckOutbox, OverrideDesk
from player.net.sync import Coordinator
from signage_contract import EmergencyOverride
from signage_contract.device import Hello, OverrideAck, OverrideCancel, OverridePush
from tests.support.player_factories import NOW, manifest


def make_override(oid: str = "o1", level: int = 4, issued_minutes: int = -5, **extra) -> EmergencyOverride:
    issued = NOW + timedelta(minutes=issued_minutes)
    return EmergencyOverride.model_validate(
        {
            "id": oid,
            "title": "Bão số 9 đổ bộ",
            "body": "Người dân ở trong nhà, tránh xa bờ biển.",
            "risk_level": level,
            "starts_at": issued,
            "expires_at": NOW + timedelta(hours=2),
            "issued_at": issued,
            **extra,
        }
    )


def push(override: EmergencyOverride) -> str:
    return OverridePush(override=override).model_dump_json()


class Board:
    """A desk on a real state directory, publishing into a real ``Shared``, at a fixed clock."""

    def __init__(self, root) -> None:
        self.root = root
        self.shared = Shared()
        self.outbox = AckOutbox()
        self.now = NOW
        self.desk = self._desk()

    def _desk(self) -> OverrideDesk:
        publish = lambda current: self.shared.update(overrides=current)  # noqa: E731
        return OverrideDesk(OverrideStore(self.root), self.outbox, publish, clock=lambda: self.now)

    def restart(self) -> "Board":
        self.desk = self._desk()
        self.shared = Shared()
        self.shared.update(overrides=self.desk.store.current())
        return self

    def coordinator(self) -> Coordinator:
        """The board's coordinator around this desk (no thread started, no request made)."""
        state = StateDir(self.root)
        return Coordinator(server="http://signage.test", state=state, shared=self.shared, desk=self.desk)

    def shown(self):
        snap = self.shared.snapshot()
        return resolve(snap.manifest, self.now, overrides=snap.overrides).override


@pytest.fixture
def board(tmp_path) -> Board:
    return Board(tmp_path)


def test_pushed_override_is_stored_durably_and_shown(board) -> None:
    board.desk.handle(OverridePush(override=make_override()))
    assert board.shown().id == "o1"
    assert board.restart().shown().id == "o1"  # a new store reads it back from the state directory
    assert (
        json.loads((board.root / "overrides.json").read_text("utf-8"))["overrides"]["o1"]["risk_level"] == 4
    )


def test_received_ack_is_queued_only_after_storing(board) -> None:
    board.desk.handle(OverridePush(override=make_override()))
    ack = board.outbox._queue.get_nowait()
    assert (ack.override_id, ack.stage) == ("o1", "received")
    assert OverrideStore(board.root).current()[0].id == "o1"


def test_cancel_removes_it_from_screen_and_disk(board) -> None:
    board.desk.handle(OverridePush(override=make_override()))
    board.desk.handle(OverrideCancel(override_id="o1"))
    assert board.shown() is None
    assert board.restart().shown() is None


def test_expiry_follows_the_boards_clock_without_network(board) -> None:
    board.desk.handle(OverridePush(override=make_override()))
    board.now = NOW + timedelta(hours=2)
    assert board.shown() is None


@pytest.mark.parametrize(
    ("generated_minutes", "listed", "kept"),
    [
        (-10, False, True),  # the manifest predates the push: it says nothing about it
        (+10, False, False),  # generated after the issue and not listed: the server dropped it
        (+10, True, True),  # listed: kept
    ],
    ids=["stale manifest keeps the push", "newer manifest drops it", "listed"],
)
def test_manifest_reconciliation_by_issue_time(board, generated_minutes, listed, kept) -> None:
    pushed = make_override(issued_minutes=-5)
    board.desk.handle(OverridePush(override=pushed))
    value = manifest(
        [], generated_at=NOW + timedelta(minutes=generated_minutes), overrides=[pushed] if listed else []
    )
    board.desk.on_manifest(value)
    assert (board.shown() is not None) is kept


def test_override_known_only_from_the_manifest_is_stored(board) -> None:
    board.desk.on_manifest(manifest([], overrides=[make_override("m1")]))
    assert board.restart().shown().id == "m1"


def test_a_stale_manifest_cannot_bring_back_a_cancelled_override(board) -> None:
    listed = make_override()
    board.desk.handle(OverridePush(override=listed))
    board.desk.handle(OverrideCancel(override_id="o1"))
    board.desk.on_manifest(manifest([], overrides=[listed]))
    assert board.shown() is None


@pytest.mark.parametrize(
    ("overrides", "winner"),
    [
        ([make_override("low", 2, -1), make_override("high", 5, -30)], "high"),
        ([make_override("old", 4, -30), make_override("new", 4, -1)], "new"),
    ],
    ids=["higher level wins", "then the most recent"],
)
def test_precedence_between_stored_overrides(board, overrides, winner) -> None:
    for override in overrides:
        board.desk.handle(OverridePush(override=override))
    assert board.shown().id == winner


@pytest.mark.parametrize(
    "message",
    [
        '{"type": "override", "override": {"id": "x"}}',
        '{"type": "override", "override": {"id": "x", "title": "T", "risk_level": 9}}',
        '{"type": "override_cancel"}',
        '{"type": "override"',
    ],
    ids=["missing fields", "risk level out of range", "cancel without id", "not json"],
)
def test_malformed_messages_change_nothing_and_raise_nothing(board, message) -> None:
    channel = board.coordinator().channel  # the socket's receive path: parse once, then route
    assert channel.receive(push(make_override())) is not None
    assert channel.receive(message) is None
    assert board.shown().id == "o1"


def test_unreadable_store_starts_empty(tmp_path) -> None:
    (tmp_path / "overrides.json").write_text("{broken", encoding="utf-8")
    assert OverrideStore(tmp_path).current() == ()


def test_an_expired_push_is_not_stored(board) -> None:
    board.now = NOW + timedelta(hours=3)
    board.desk.handle(OverridePush(override=make_override()))
    assert board.desk.store.current() == ()


def test_received_and_displayed_acks_reach_a_real_websocket_server(tmp_path) -> None:
    from tests.player.net.test_sync import FakeServer

    fake = FakeServer()
    acks: list[OverrideAck] = []
    both = threading.Event()

    def handler(connection) -> None:
        Hello.model_validate_json(connection.recv(timeout=10))
        connection.send(push(make_override(expires_at=NOW + timedelta(days=3650))))
        with contextlib.suppress(Exception):
            while len(acks) < 2:
                acks.append(OverrideAck.model_validate_json(connection.recv(timeout=10)))
                if acks[-1].stage == "received":
                    desk.outbox.displayed(acks[-1].override_id, NOW)  # as the frame loop would
            both.set()
            connection.recv(timeout=10)

    state = StateDir(tmp_path / "state")
    state.save_credential(fake.credential)
    shared = Shared()
    desk = OverrideDesk(OverrideStore(state.root), AckOutbox(), lambda c: shared.update(overrides=c))
    with serve(handler, "127.0.0.1", 0) as ws_server:
        threading.Thread(target=ws_server.serve_forever, daemon=True).start()
        port = ws_server.socket.getsockname()[1]
        coordinator = Coordinator(server=f"http://127.0.0.1:{port}", state=state, shared=shared, desk=desk)
        desk.outbox.start()
        socket_thread = threading.Thread(target=coordinator.channel.run, daemon=True)
        socket_thread.start()
        assert both.wait(timeout=20)
        coordinator.stop()
        desk.outbox.stop()
        socket_thread.join(timeout=20)
        ws_server.shutdown()
    assert [(a.override_id, a.stage) for a in acks] == [("o1", "received"), ("o1", "displayed")]
    assert shared.snapshot().overrides[0].id == "o1"


def test_displayed_is_acked_once_per_override(board) -> None:
    board.outbox.displayed("o1", NOW)
    board.outbox.displayed("o1", NOW + timedelta(seconds=1))
    assert board.outbox._queue.qsize() == 1


def test_without_any_manifest_the_stored_override_shows_until_its_expiry() -> None:
    stored = make_override(expires_at=NOW + timedelta(minutes=30))
    frame = resolve(None, NOW, overrides=[stored])
    assert frame.override.id == "o1" and frame.next_change_at == stored.expires_at


def test_a_pushed_image_not_yet_cached_asks_for_a_fetch(board, tmp_path) -> None:
    from player.core.cache import MediaCache
    from tests.support.player_factories import image_bytes, media_ref

    data = image_bytes(8, 8, (0, 0, 0))
    board.desk.handle(OverridePush(override=make_override(media=media_ref(data, 8, 8))))
    media = MediaCache(tmp_path / "media")
    assert board.desk.needs_media(media)
    media.path(media_ref(data, 8, 8).sha256).write_bytes(data)
    assert not board.desk.needs_media(media)
