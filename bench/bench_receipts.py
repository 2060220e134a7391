"""Receipts and proof-of-play queries over 100,000 play records (200 boards, 500 bulletins, a
month), on SQLite, and on PostgreSQL when ``BENCH_POSTGRES_URL`` names an empty database.

Reported, median of 5 runs each: one bulletin's receipts, the bulletins report of the province
for the month, the first and a deep page of ``/plays`` for one board (keyset: same cost), and the
whole CSV of one board streamed in batches. ``BENCH_PLAYS`` changes the number of records.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from signage_server.db import make_engine
from signage_server.migrate import upgrade
from signage_server.models import (
    AdminUnit,
    Board,
    Bulletin,
    ContentState,
    ItemKind,
    LayoutRecord,
    Playlist,
    PlaylistItem,
    PlayLog,
    Role,
    Schedule,
    ScheduleRegion,
    TargetKind,
    UnitLevel,
    User,
)
from signage_server.reports.bulletin_reach import bulletin_reach
from signage_server.reports.play_records import PlayFilter, play_page, stream_csv
from signage_server.reports.receipts import bulletin_receipts

PLAYS = int(os.environ.get("BENCH_PLAYS", "100000"))
BOARDS, BULLETINS = 200, 500
START = datetime(2026, 3, 1, tzinfo=UTC) - timedelta(hours=7)


def _fill(engine: Engine) -> tuple[User, int, int]:
    with Session(engine) as session:
        province = AdminUnit(code="91", level=UnitLevel.PROVINCE, name="Tỉnh", valid_from=date(2025, 7, 1))
        session.add(province)
        session.commit()
        assert province.id is not None
        user = User(username="bench", role=Role.VIEWER, unit_id=province.id, password_hash="x")
        session.add(user)
        session.add(LayoutRecord(id="bench", name="b", builtin=True,
                                 regions=[{"id": "main", "role": "main", "x": 0, "y": 0, "w": 1, "h": 1}]))
        boards = [Board(name=f"Bảng {i}", unit_id=province.id) for i in range(BOARDS)]
        session.add_all(boards)
        playlist = Playlist(unit_id=province.id, name="p", state=ContentState.APPROVED)
        session.add(playlist)
        session.commit()
        bulletins = [Bulletin(unit_id=province.id, title=f"Tin {i}", state=ContentState.APPROVED)
                     for i in range(BULLETINS)]
        session.add_all(bulletins)
        session.commit()
        items = [PlaylistItem(playlist_id=playlist.id, position=i, kind=ItemKind.BULLETIN, bulletin_id=b.id)
                 for i, b in enumerate(bulletins)]
        schedule = Schedule(unit_id=province.id, name="s", layout_id="bench", state=ContentState.APPROVED,
                            target_kind=TargetKind.UNIT, target_unit_id=province.id)
        session.add_all([*items, schedule])
        session.commit()
        session.add(ScheduleRegion(schedule_id=schedule.id, region_id="main", playlist_id=playlist.id))
        session.commit()
        rows = []
        for n in range(PLAYS):
            started = START + timedelta(seconds=26 * n)  # a month of plays
            bulletin = bulletins[n % BULLETINS]
            item = items[n % BULLETINS]
            rows.append({"board_id": boards[n % BOARDS].id, "record_id": f"r{n}", "unit_id": province.id,
                         "region_id": "main", "item_id": f"p{playlist.id}-i{item.id}", "reason": "scheduled",
                         "category": "other", "priority": "normal", "started_at": started,
                         "ended_at": started + timedelta(seconds=20), "duration_s": 20.0,
                         "received_at": started, "clock_status": "device", "clock_correction_s": 0.0,
                         "bulletin_id": bulletin.id})
        table = PlayLog.__table__  # type: ignore[attr-defined]
        for chunk in range(0, len(rows), 5000):
            session.connection().execute(table.insert(), rows[chunk:chunk + 5000])
        session.commit()
        assert user.id is not None and boards[0].id is not None and bulletins[0].id is not None
        session.refresh(user)
        session.expunge(user)
        return user, boards[0].id, bulletins[0].id


def _median_ms(run: Callable[[], object]) -> float:
    times = []
    for _ in range(5):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _measure(label: str, engine: Engine) -> None:
    upgrade(engine)
    user, board_id, bulletin_id = _fill(engine)
    with Session(engine) as session:
        first = play_page(session, actor=user, wanted=PlayFilter(board_id=board_id), limit=100)
        cursor = first.next_cursor
        for _ in range(3):  # page 4 of the board's 500 records
            cursor = play_page(session, actor=user, wanted=PlayFilter(board_id=board_id), cursor=cursor,
                               limit=100).next_cursor
        figures = {
            "receipts of one bulletin": _median_ms(
                lambda: bulletin_receipts(session, actor=user, bulletin_id=bulletin_id)),
            "bulletins report, province, month": _median_ms(lambda: bulletin_reach(
                session, actor=user, unit_id=user.unit_id, first=date(2026, 3, 1), last=date(2026, 3, 31),
                now=START + timedelta(days=40))),
            "plays page 1 (one board)": _median_ms(
                lambda: play_page(session, actor=user, wanted=PlayFilter(board_id=board_id), limit=100)),
            "plays page 5 (keyset)": _median_ms(lambda: play_page(
                session, actor=user, wanted=PlayFilter(board_id=board_id), cursor=cursor, limit=100)),
            "plays page 1 (one bulletin)": _median_ms(lambda: play_page(
                session, actor=user, wanted=PlayFilter(bulletin_id=bulletin_id), limit=100)),
        }
    figures["CSV of one board"] = _median_ms(
        lambda: sum(len(c) for c in stream_csv(engine, actor=user, wanted=PlayFilter(board_id=board_id))))
    print(f"{label}, {PLAYS} play records:")
    for name, ms in figures.items():
        print(f"  {name:<38} {ms:8.1f} ms")


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        engine = make_engine(f"sqlite:///{Path(directory) / 'bench.db'}")
        _measure("SQLite", engine)
        engine.dispose()
    url = os.environ.get("BENCH_POSTGRES_URL")
    if url:
        engine = make_engine(url)
        _measure("PostgreSQL", engine)
        engine.dispose()


if __name__ == "__main__":
    main()
