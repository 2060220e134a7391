"""The composer's store: concurrent composition of the same board never fails a request."""

from nacl.signing import SigningKey
from sqlmodel import select

from signage_contract import SignedManifest
from signage_contract.signing import verify_manifest
from signage_server.core.bus import LocalBus
from signage_server.manifest import composer as composer_module
from signage_server.manifest.composer import Composer
from signage_server.manifest.inputs import load_inputs
from signage_server.models import ComposedManifest


class _ReadBeforeTheOtherInsert(Composer):
    """Sees no stored row on its first look, as a request does when another stores it just after."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.looks = 0

    def _stored_versions(self, session, board_ids):
        self.looks += 1
        return {} if self.looks == 1 else super()._stored_versions(session, board_ids)


def test_a_board_stored_concurrently_is_written_over_not_a_conflict(app, session, make_board) -> None:
    board = make_board()
    key = SigningKey.generate()
    Composer(app.state.engine, key, LocalBus(), 60).recompose(session, [board.id])
    late = _ReadBeforeTheOtherInsert(app.state.engine, key, LocalBus(), 60)
    late.recompose(session, [board.id])
    assert late.looks == 2
    assert len(session.exec(select(ComposedManifest).where(ComposedManifest.board_id == board.id)).all()) == 1


def test_boards_are_stored_chunk_by_chunk_and_a_late_conflict_keeps_every_change(
    app, session, make_board, monkeypatch
) -> None:
    """Five boards in chunks of two: the third chunk meets the row another request stored. The two
    chunks committed before stay and are still reported changed (so they are nudged) although the
    retry finds them stored; the fifth is the other request's to report. One row each, and every
    document verifies."""
    monkeypatch.setattr(composer_module, "STORE_CHUNK", 2)
    boards = [make_board() for _ in range(5)]
    inputs = load_inputs(session, [b.id for b in boards], composer_module.system_clock())
    order = [b.board_id for b in inputs.boards]
    key = SigningKey.generate()
    Composer(app.state.engine, key, LocalBus(), 60).recompose(session, [order[-1]])  # the other request
    late = _ReadBeforeTheOtherInsert(app.state.engine, key, LocalBus(), 60)
    changed = late.recompose(session, order)
    assert late.looks == 2
    assert set(changed) == set(order[:-1])
    rows = session.exec(select(ComposedManifest).where(ComposedManifest.board_id.in_(order))).all()
    assert len(rows) == 5
    for row in rows:
        signed = SignedManifest.model_validate_json(row.document)
        assert signed.version == row.version
        assert verify_manifest(signed, key.verify_key, str(row.board_id)).sequence == row.sequence


def test_a_change_moves_stored_media_to_previous_and_raises_the_sequence(app, session, make_board) -> None:
    board = make_board()
    composer = Composer(app.state.engine, SigningKey.generate(), LocalBus(), 60)
    composer.recompose(session, [board.id])
    row = session.get(ComposedManifest, board.id)
    shown = ["a" * 64, "b" * 64]
    row.media_sha256 = shown  # as if its manifest named two images
    session.add(row)
    session.commit()
    first_sequence = row.sequence
    assert composer.recompose(session, [board.id]) == {}  # unchanged: nothing moves
    board.name = "Bảng tin mới"
    session.add(board)
    session.commit()
    assert board.id in composer.recompose(session, [board.id])
    session.expire_all()
    row = session.get(ComposedManifest, board.id)
    assert row.previous_media_sha256 == shown and row.media_sha256 == []
    assert row.sequence > first_sequence > 0


def test_instances_compose_in_turn_and_only_one_does_the_periodic_pass(app, session, make_board,
                                                                        database_url) -> None:
    """Two composers on one database (two instances): while one composes, the other's periodic pass
    is skipped and its change waits its turn (PostgreSQL); SQLite serves one instance: never held."""
    import threading

    from sqlalchemy import create_engine

    from signage_server.core.changes import Change
    from signage_server.manifest.composer import composition_turn

    board = make_board()
    if not database_url.startswith("postgresql"):
        with composition_turn(app.state.engine, wait=False) as mine, \
                composition_turn(app.state.engine, wait=False) as also_mine:
            assert mine and also_mine
        return
    engine = create_engine(database_url)
    other = Composer(engine, SigningKey.generate(), LocalBus(), 60)
    with composition_turn(app.state.engine, wait=True) as mine:  # instance A is composing
        assert mine
        assert other._compose([]) == (set(), {})  # B's periodic pass: skipped, A's covers it
        done = threading.Event()
        result: list[object] = []
        change = Change(boards=frozenset({board.id}))
        worker = threading.Thread(target=lambda: (result.append(other._compose([change])), done.set()))
        worker.start()
        assert not done.wait(0.5)  # B's change waits for A's turn to end
    assert done.wait(30)
    worker.join()
    touched, changed = result[0]
    assert board.id in touched and board.id in changed
    engine.dispose()


class _RecordingBus(LocalBus):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[object] = []

    async def publish(self, message) -> None:
        self.sent.append(message)


def test_spread_grows_with_the_fleet_and_is_capped() -> None:
    from signage_contract.device import NUDGE_SPREAD_MAX_S
    from signage_server.manifest.composer import spread_s

    assert spread_s(1, 150) == spread_s(150, 150) == 0.0  # a commune's change: at once
    assert spread_s(10_000, 150) == 66.7  # a province-wide override: ~150 fetches a second
    assert spread_s(1_000_000, 150) == NUDGE_SPREAD_MAX_S


def test_boards_nudged_together_are_told_to_spread_their_fetches() -> None:
    import asyncio

    from sqlalchemy import create_engine

    from signage_contract.device import Nudge

    bus = _RecordingBus()
    composer = Composer(create_engine("sqlite://"), SigningKey.generate(), bus, 60, fetch_rate=100)
    asyncio.run(composer._nudge({7: "v7"}))
    asyncio.run(composer._nudge({board: f"v{board}" for board in range(1, 1001)}))
    nudges = [(sorted(m.boards), Nudge.model_validate_json(m.text)) for m in bus.sent]
    assert nudges[0] == ([7], Nudge(version="v7", within_s=0))
    assert len(nudges) == 1001 and {n.within_s for _, n in nudges[1:]} == {10.0}
    assert nudges[500] == ([500], Nudge(version="v500", within_s=10.0))
