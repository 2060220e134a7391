"""The in-memory answer to unchanged polls: what it keeps, and when it must forget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from signage_contract import HORIZON
from signage_server.devices.poll_cache import PollCache

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
FAR = NOW + HORIZON + timedelta(days=1)


def _cache() -> PollCache:
    return PollCache(clock=lambda: NOW)


def test_a_known_token_with_the_current_version_is_answered() -> None:
    cache = _cache()
    cache.remember_token("t1", 5, 7, cache.epoch)
    cache.remember_version(7, "v1", FAR, cache.epoch)
    assert cache.unchanged("t1", {'"v1"'}) == '"v1"'
    assert cache.unchanged("t1", {'"v0"'}) is None  # another version: the database answers
    assert cache.unchanged("t2", {'"v1"'}) is None  # an unknown token: the database decides


def test_a_horizon_running_short_goes_to_the_database() -> None:
    cache = _cache()
    cache.remember_token("t1", 5, 7, cache.epoch)
    cache.remember_version(7, "v1", NOW + HORIZON - timedelta(minutes=1), cache.epoch)
    assert cache.unchanged("t1", {'"v1"'}) is None


def test_forgetting_a_board_drops_its_version_and_tokens_only() -> None:
    cache = _cache()
    for token, credential, board in (("t7", 1, 7), ("t8", 2, 8)):
        cache.remember_token(token, credential, board, cache.epoch)
        cache.remember_version(board, f"v{board}", FAR, cache.epoch)
    cache.forget(frozenset({7}))
    assert cache.unchanged("t7", {'"v7"'}) is None
    assert cache.unchanged("t8", {'"v8"'}) == '"v8"'
    cache.forget(None)
    assert cache.unchanged("t8", {'"v8"'}) is None


def test_a_read_that_began_before_an_invalidation_is_not_kept() -> None:
    cache = _cache()
    epoch = cache.epoch  # a poll starts reading the database...
    cache.forget(frozenset({7}))  # ...a change of board 7 is announced meanwhile...
    cache.remember_token("t1", 5, 7, epoch)  # ...and what it read may be stale: dropped
    cache.remember_version(7, "v-old", FAR, epoch)
    assert cache.unchanged("t1", {'"v-old"'}) is None


def test_an_invalidation_of_other_boards_keeps_a_read_in_flight() -> None:
    """Under load reads take seconds and changes come every few: a change of board 8 must not void
    what a poll of board 7 read, or the cache stops filling and every poll reads the database."""
    cache = _cache()
    epoch = cache.epoch
    cache.forget(frozenset({8}))
    cache.remember_token("t1", 5, 7, epoch)
    cache.remember_version(7, "v1", FAR, epoch)
    assert cache.unchanged("t1", {'"v1"'}) == '"v1"'


def test_a_read_that_began_before_everything_was_forgotten_is_not_kept() -> None:
    cache = _cache()
    epoch = cache.epoch
    cache.forget(frozenset({8}))
    cache.forget(None)  # a lost Redis connection: anything may have changed
    later = cache.epoch
    cache.remember_token("t1", 5, 7, epoch)
    cache.remember_version(7, "v1", FAR, epoch)
    assert cache.unchanged("t1", {'"v1"'}) is None
    cache.remember_token("t1", 5, 7, later)
    cache.remember_version(7, "v1", FAR, later)
    assert cache.unchanged("t1", {'"v1"'}) == '"v1"'
