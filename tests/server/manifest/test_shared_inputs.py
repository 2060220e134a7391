"""The content every board shares is read once per count of writes to it (``shared_inputs``): a
write from anywhere, even one that publishes no change, is seen by the next composition."""

from nacl.signing import SigningKey
from sqlalchemy import event, text
from sqlmodel import Session, select

from signage_contract import SignedManifest
from signage_server.core.bus import LocalBus
from signage_server.db import make_engine
from signage_server.manifest import batch
from signage_server.manifest.composer import Composer
from signage_server.models import (
    Bulletin,
    ComposedManifest,
    ContentGeneration,
    ContentState,
    ItemKind,
    Playlist,
    PlaylistItem,
    Schedule,
    ScheduleRegion,
    TargetKind,
)


def _bulletin_schedule(session: Session, unit_id: int, layout_id: str, body: str) -> Bulletin:
    bulletin = Bulletin(unit_id=unit_id, title="Lịch tiêm chủng", body=body, state=ContentState.PUBLISHED)
    playlist = Playlist(unit_id=unit_id, name="Thông báo", state=ContentState.PUBLISHED)
    session.add_all([bulletin, playlist])
    session.flush()
    session.add(PlaylistItem(playlist_id=playlist.id, position=0, kind=ItemKind.BULLETIN,
                             bulletin_id=bulletin.id))
    schedule = Schedule(unit_id=unit_id, name="Cả ngày", layout_id=layout_id, target_kind=TargetKind.UNIT,
                        target_unit_id=unit_id, state=ContentState.PUBLISHED)
    session.add(schedule)
    session.flush()
    session.add(ScheduleRegion(schedule_id=schedule.id, region_id="main", playlist_id=playlist.id))
    session.commit()
    return bulletin


def _generation(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(ContentGeneration.value)).one()


def _document(session: Session, board_id: int) -> str:
    session.expire_all()
    row = session.get(ComposedManifest, board_id)
    assert row is not None
    return SignedManifest.model_validate_json(row.document).payload


def test_boards_share_one_read_until_a_write_elsewhere_which_the_next_composition_sees(
    app, session, tree, make_board, layout, settings, monkeypatch
) -> None:
    engine = app.state.engine
    bulletin = _bulletin_schedule(session, tree.commune_a, layout.id, "Sáng thứ Hai tại trạm y tế xã.")
    first, second = make_board(), make_board()
    composer = Composer(engine, SigningKey.generate(), LocalBus(), 60)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

    composer.recompose(session, [first.id])
    assert composer._shared.reads == 1
    assert "Sáng thứ Hai" in _document(session, first.id)
    statements.clear()
    made = []
    real = batch.compose_body
    monkeypatch.setattr(batch, "compose_body", lambda *args: made.append(args) or real(*args))
    composer.recompose(session, [second.id])
    assert composer._shared.reads == 1  # the second board reuses the first one's read
    assert made == []  # and, in the same unit, the first one's manifest body
    assert "Sáng thứ Hai" in _document(session, second.id)
    assert not [s for s in statements if "FROM schedule " in s or "FROM playlist " in s]

    # Another instance (or a tool) edits the bulletin and tells this composer nothing; this
    # session holds the bulletin as it read it before.
    assert session.get(Bulletin, bulletin.id).body.startswith("Sáng")
    other = make_engine(settings.database_url)
    before = _generation(other)
    with Session(other) as elsewhere:
        row = elsewhere.get(Bulletin, bulletin.id)
        row.body = "Chiều thứ Ba tại nhà văn hoá thôn."
        elsewhere.add(row)
        elsewhere.commit()
    assert _generation(other) > before
    other.dispose()

    if engine.dialect.name == "sqlite":
        session.commit()  # SQLite: a new transaction; the one open since the last read keeps its snapshot
    else:
        assert session.get(Bulletin, bulletin.id).body.startswith("Sáng")  # still held as read before
    assert first.id in composer.recompose(session, [first.id])
    assert composer._shared.reads == 2
    assert len(made) == 1  # a body of the new content
    assert "Chiều thứ Ba" in _document(session, first.id)


def test_a_write_rolled_back_is_not_counted_and_one_committed_is(app, session, tree, layout) -> None:
    engine = app.state.engine
    _bulletin_schedule(session, tree.commune_a, layout.id, "Nội dung")
    before = _generation(engine)
    with engine.connect() as conn:
        conn.execute(text("UPDATE schedule SET priority = priority + 1"))
        conn.rollback()
    assert _generation(engine) == before
    with engine.connect() as conn:
        conn.execute(text("DELETE FROM schedule_region"))
        conn.commit()
    assert _generation(engine) > before
