from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from signage_server.db import make_engine
from signage_server.migrate import upgrade
from signage_server.models import AdminUnit, Board, BoardUnitHistory, LineageKind, UnitLevel, UnitLineage
from signage_server.units.service import (
    UnitError,
    local_midnight_utc,
    reorganise,
    seed_units,
    split_unit,
    subtree_ids,
    unit_at,
)
from tests.support.factories import add_unit

MERGER = date(2026, 1, 1)


@pytest.fixture
def db(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'units.db'}")
    upgrade(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def small_tree(db):
    p = add_unit(db, "91", UnitLevel.PROVINCE, "Tỉnh P", None)
    a = add_unit(db, "91001", UnitLevel.COMMUNE, "Xã A", p)
    b = add_unit(db, "91002", UnitLevel.COMMUNE, "Xã B", p)
    v = add_unit(db, "91001-01", UnitLevel.VILLAGE, "Thôn V", a)
    return p, a, b, v


def _board(db, unit_id: int) -> Board:
    board = Board(name="Bảng", unit_id=unit_id)
    db.add(board)
    db.commit()
    start = local_midnight_utc(date(2025, 7, 1))
    db.add(BoardUnitHistory(board_id=board.id, unit_id=unit_id, valid_from=start))
    db.commit()
    return board


def _count(db, level: UnitLevel) -> int:
    return len(db.exec(select(AdminUnit).where(AdminUnit.level == level)).all())


def test_seed_gives_34_provinces_and_3321_communes(db) -> None:
    seed_units(db)
    assert (_count(db, UnitLevel.PROVINCE), _count(db, UnitLevel.COMMUNE)) == (34, 3321)


def test_seed_is_idempotent(db) -> None:
    seed_units(db)
    assert seed_units(db) == 0
    assert _count(db, UnitLevel.COMMUNE) == 3321


def test_seeded_names_are_nfc_and_codes_padded(db) -> None:
    seed_units(db)
    hanoi = db.exec(select(AdminUnit).where(AdminUnit.code == "01")).one()
    assert hanoi.name == "Thành phố Hà Nội" and hanoi.valid_from == date(2025, 7, 1)
    assert all(len(u.code) == 5 for u in db.exec(select(AdminUnit).where(AdminUnit.parent_id == hanoi.id)))


def test_subtree_holds_the_unit_and_all_descendants(db, small_tree) -> None:
    p, a, b, v = small_tree
    assert sorted(subtree_ids(db, p)) == sorted([p, a, b, v])
    assert sorted(subtree_ids(db, a)) == sorted([a, v])


def test_subtree_at_a_date_leaves_out_retired_units(db, small_tree) -> None:
    p, a, b, _v = small_tree
    reorganise(db, [b], MERGER, into_id=a)
    assert b not in subtree_ids(db, p, at=MERGER)
    assert b in subtree_ids(db, p, at=date(2025, 12, 31))


def test_merge_rehomes_boards_and_keeps_history(db, small_tree) -> None:
    _p, a, b, _v = small_tree
    board = _board(db, a)
    result = reorganise(db, [a, b], MERGER, new_code="91003", new_name="Xã Mới")
    (new,) = result.new_unit_ids
    db.refresh(board)
    assert board.unit_id == new
    assert unit_at(db, board.id, local_midnight_utc(MERGER) - timedelta(seconds=1)) == a
    assert unit_at(db, board.id, local_midnight_utc(MERGER)) == new


def test_merge_records_lineage_and_retires_old_units(db, small_tree) -> None:
    _p, a, b, _v = small_tree
    (new,) = reorganise(db, [a, b], MERGER, new_code="91003", new_name="Xã Mới").new_unit_ids
    edges = db.exec(select(UnitLineage)).all()
    assert {(e.from_unit_id, e.to_unit_id, e.kind) for e in edges} == {
        (a, new, LineageKind.MERGE), (b, new, LineageKind.MERGE)
    }
    assert db.get(AdminUnit, a).valid_to == MERGER


def test_merge_reparents_children(db, small_tree) -> None:
    _p, a, b, v = small_tree
    reorganise(db, [a], MERGER, into_id=b)
    assert db.get(AdminUnit, v).parent_id == b


def test_split_sends_mapped_boards_to_their_part(db, small_tree) -> None:
    _p, a, _b, _v = small_tree
    first, second = _board(db, a), _board(db, a)
    result = split_unit(db, a, [("91011", "Xã A1"), ("91012", "Xã A2")], MERGER, {second.id: 1})
    db.refresh(first)
    db.refresh(second)
    assert (first.unit_id, second.unit_id) == result.new_unit_ids
    kinds = {e.kind for e in db.exec(select(UnitLineage))}
    assert kinds == {LineageKind.SPLIT}


def test_reorganising_a_retired_unit_is_refused(db, small_tree) -> None:
    _p, a, b, _v = small_tree
    reorganise(db, [b], MERGER, into_id=a)
    with pytest.raises(UnitError, match="already retired"):
        reorganise(db, [b], date(2026, 6, 1), into_id=a)
