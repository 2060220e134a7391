"""The pure rules of emergency overrides: precedence (shared with the player) and targeting."""

from datetime import UTC, datetime, timedelta

import pytest

from signage_contract import EmergencyOverride, next_change_at, winning_override
from signage_server.emergency.targets import OverrideTarget

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
H = timedelta(hours=1)


def override(ident: str, level: int, issued: timedelta, starts: timedelta = -H, expires: timedelta = H):
    return EmergencyOverride(
        id=ident, title=f"Cảnh báo {ident}", risk_level=level, starts_at=NOW + starts,
        expires_at=NOW + expires, issued_at=NOW + issued,
    )


@pytest.mark.parametrize(
    ("overrides", "winner"),
    [
        ([], None),
        ([override("a", 3, -H)], "a"),
        ([override("a", 3, -H), override("b", 4, -2 * H)], "b"),  # higher level wins over newer
        ([override("a", 3, -2 * H), override("b", 3, -H)], "b"),  # same level: most recent wins
        ([override("a", 5, -H, expires=-H / 2), override("b", 2, -2 * H)], "b"),  # expired is out
        ([override("a", 5, -H, starts=H / 2), override("b", 1, -2 * H)], "b"),  # not started yet
        ([override("a", 4, -H), override("b", 4, -H)], "b"),  # full tie: the id decides, same everywhere
        ([override("a", 1, -H, expires=timedelta(0))], None),  # expiry is exclusive
    ],
)
def test_winning_override(overrides, winner) -> None:
    found = winning_override(overrides, NOW)
    assert (found.id if found else None) == winner


def test_next_change_is_the_nearest_start_or_expiry_after_now() -> None:
    overrides = [override("a", 3, -H, expires=3 * H), override("b", 3, -H, starts=H / 2, expires=2 * H)]
    assert next_change_at(overrides, NOW) == NOW + H / 2
    assert next_change_at([], NOW) is None


PROVINCE, COMMUNE_A, VILLAGE_A, COMMUNE_B = 1, 2, 3, 4
CHAIN_VILLAGE_A = (VILLAGE_A, COMMUNE_A, PROVINCE)
CHAIN_B = (COMMUNE_B, PROVINCE)


@pytest.mark.parametrize(
    ("target", "board_id", "chain", "tags", "covered"),
    [
        (OverrideTarget(PROVINCE, everything=True), 7, CHAIN_B, (), True),
        (OverrideTarget(COMMUNE_A, everything=True), 7, CHAIN_B, (), False),  # outside the scope
        (OverrideTarget(None, everything=True), 7, CHAIN_B, (), True),  # nationwide (CAP sender)
        (OverrideTarget(PROVINCE, units=frozenset({COMMUNE_A})), 7, CHAIN_VILLAGE_A, (), True),  # subtree
        (OverrideTarget(PROVINCE, units=frozenset({COMMUNE_A})), 7, CHAIN_B, (), False),
        (OverrideTarget(PROVINCE, boards=frozenset({7})), 7, CHAIN_B, (), True),
        (OverrideTarget(PROVINCE, boards=frozenset({8})), 7, CHAIN_B, (), False),
        (OverrideTarget(COMMUNE_A, tags=frozenset({"cho"})), 7, CHAIN_VILLAGE_A, ("cho",), True),
        (OverrideTarget(COMMUNE_A, tags=frozenset({"cho"})), 7, CHAIN_B, ("cho",), False),  # scope only
        (OverrideTarget(COMMUNE_A, tags=frozenset({"cho"})), 7, CHAIN_VILLAGE_A, ("truong",), False),
    ],
)
def test_target_covers(target, board_id, chain, tags, covered) -> None:
    assert target.covers(board_id, chain, tags) is covered
