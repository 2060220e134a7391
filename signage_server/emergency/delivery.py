"""Telling boards about an override, after the transaction that changed it is committed.

Two paths for every change, whatever its source: one ``BusMessage`` naming every targeted board
(the fast path, before any recomposition: the push or the cancel), then a ``Change`` for the same
boards so that their manifests include or drop the override (the durable path).

``Delivery`` holds the two channels (the bus, the change feed); routers receive it as a dependency
(``OverrideDeliveryDep``), never through the application's state. Its methods run in a worker
thread of the app's event loop (a sync route, or ``anyio.to_thread``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass, field

import anyio.from_thread
from sqlmodel import Session

from signage_contract.device import OverrideCancel, OverridePush
from signage_server.core.bus import Bus, BusMessage
from signage_server.core.changes import Change, ChangeFeed
from signage_server.emergency.targets import wire_overrides
from signage_server.models import Override

FAST_PATH_BOARDS = 200  # above this many boards, recomposition waits for the push to go out
RECOMPOSE_DELAY_S = 5.0


def push_text(session: Session, row: Override) -> str:
    """The socket message that shows (or shows again, updated) the override on a board."""
    return OverridePush(override=wire_overrides(session, [row])[0]).model_dump_json()


def cancel_text(row: Override) -> str:
    """The socket message that takes the override off a board."""
    return OverrideCancel(override_id=str(row.id)).model_dump_json()


@dataclass(frozen=True)
class Send:
    """One message for a set of boards; ``text`` None: only their manifests change."""

    text: str | None
    boards: frozenset[int]


@dataclass
class Outbound:
    """What a transaction will tell boards once it is committed (collected while it runs)."""

    sends: list[Send] = field(default_factory=list)

    def add(self, text: str | None, boards: Collection[int]) -> None:
        self.sends.append(Send(text, frozenset(boards)))


@dataclass(frozen=True)
class Delivery:
    bus: Bus
    changes: ChangeFeed

    def announce(self, text: str | None, boards: Collection[int]) -> None:
        """Push ``text`` to the boards over the bus at once (one message for all of them), then have
        their manifests recomposed.

        Recomposing thousands of manifests competes for the interpreter with the sends just queued,
        so for a large fan-out it starts ``RECOMPOSE_DELAY_S`` later: the push is the fast path, the
        manifest the durable one.
        """
        ids = frozenset(boards)
        change = Change(boards=ids)
        if text is not None and ids:
            anyio.from_thread.run(self.bus.publish, BusMessage(text, ids))
            if len(ids) > FAST_PATH_BOARDS:
                anyio.from_thread.run_sync(_publish_later, self.changes, change)
                return
        self.changes.publish(change)

    def send(self, outbound: Outbound) -> None:
        """Everything a committed transaction collected, in order."""
        for item in outbound.sends:
            self.announce(item.text, item.boards)


def _publish_later(feed: ChangeFeed, change: Change) -> None:
    asyncio.get_running_loop().call_later(RECOMPOSE_DELAY_S, feed.publish, change)
