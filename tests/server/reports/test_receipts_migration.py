"""The receipts migration ties the plays stored before it to their bulletin (``p<playlist>-i<item>``)."""

from datetime import UTC, date, datetime
from enum import Enum

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, insert, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from signage_server.db import make_engine
from signage_server.migrate import alembic_config, upgrade
from signage_server.models import AdminUnit, Bulletin, ItemKind, Playlist, PlaylistItem, UnitLevel


def _downgrade(engine: Engine, revision: str) -> None:
    """The shared PostgreSQL database of a test session may already be at head: step back."""
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _insert_as_then(session: Session, row: SQLModel) -> int:
    """Insert ``row`` with only the columns its table had at that revision (later migrations add
    columns the model already has), enums by name as stored; its new id."""
    table = Table(row.__tablename__, MetaData(), autoload_with=session.connection())  # type: ignore[attr-defined]
    values = {}
    for column in table.columns:
        value = getattr(row, column.name, None)
        if column.name != "id" and value is not None:
            values[column.name] = value.name if isinstance(value, Enum) else value
    new_id = session.connection().execute(insert(table).values(values)).inserted_primary_key
    assert new_id is not None
    return int(new_id[0])


def _before_receipts() -> str:
    """The revision just before the receipts migration."""
    scripts = ScriptDirectory.from_config(alembic_config())
    receipts = next(r for r in scripts.walk_revisions() if r.path.endswith("_bulletin_receipts.py"))
    assert isinstance(receipts.down_revision, str)
    return receipts.down_revision


def test_plays_stored_before_are_backfilled_with_their_bulletin(database_url) -> None:
    engine = make_engine(database_url)
    before = _before_receipts()
    upgrade(engine, before)
    _downgrade(engine, before)
    with Session(engine) as session:
        unit = AdminUnit(code="91", level=UnitLevel.PROVINCE, name="Tỉnh", valid_from=date(2025, 7, 1))
        session.add(unit)
        session.commit()
        bulletin_id = _insert_as_then(session, Bulletin(unit_id=unit.id, title="Tin"))
        playlist_id = _insert_as_then(session, Playlist(unit_id=unit.id, name="p"))
        item = PlaylistItem(playlist_id=playlist_id, position=0, kind=ItemKind.BULLETIN,
                            bulletin_id=bulletin_id)
        item_id = _insert_as_then(session, item)
        session.commit()
        at = datetime(2026, 3, 1, tzinfo=UTC)
        for record, played in (("a", f"p{playlist_id}-i{item_id}"), ("b", "emergency-7")):
            values = {"board_id": 1, "record_id": record, "unit_id": unit.id, "region_id": "main",
                      "item_id": played, "reason": "scheduled", "category": "other", "priority": "normal",
                      "started_at": at, "ended_at": at, "duration_s": 1.0, "received_at": at,
                      "clock_status": "device", "clock_correction_s": 0.0}
            names = ", ".join(values)
            session.connection().execute(text(f"INSERT INTO play_log ({names}) VALUES "
                                              f"({', '.join(':' + k for k in values)})"), values)
        session.commit()
    upgrade(engine)
    with engine.connect() as conn:
        found = dict(conn.execute(text("SELECT record_id, bulletin_id FROM play_log")).all())
    assert found == {"a": bulletin_id, "b": None}
    engine.dispose()
