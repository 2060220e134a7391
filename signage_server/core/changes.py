"""What a write touched, so that only the affected boards' manifests are recomposed and nudged.

Routers publish a ``Change`` after they commit; the composer subscribes (see ``composer.py``).
A board edit touches one board; a province-wide schedule touches every board below the province.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Change:
    boards: frozenset[int] = field(default_factory=frozenset)  # board rows created/edited/re-homed
    units: frozenset[int] = field(default_factory=frozenset)  # every board in these subtrees
    tags: frozenset[str] = field(default_factory=frozenset)  # every board carrying these tags
    playlists: frozenset[int] = field(default_factory=frozenset)  # boards whose schedules use them
    schedules: frozenset[int] = field(default_factory=frozenset)  # boards these schedules target(ed)
    media: frozenset[int] = field(default_factory=frozenset)
    bulletins: frozenset[int] = field(default_factory=frozenset)
    layouts: frozenset[str] = field(default_factory=frozenset)
    everything: bool = False

    def __bool__(self) -> bool:
        return self.everything or any(
            (self.boards, self.units, self.tags, self.playlists, self.schedules, self.media,
             self.bulletins, self.layouts)
        )


Subscriber = Callable[[Change], None]


class ChangeFeed:
    """In-process publish/subscribe of changes; subscribers must not block (they enqueue work)."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.append(subscriber)

    def publish(self, change: Change) -> None:
        if not change:
            return
        for subscriber in self._subscribers:
            subscriber(change)
