"""Which boards an override covers, and the overrides each board must carry.

The rule (``OverrideTarget.covers``) is pure; the loaders below run a handful of queries for any
number of boards: active overrides are few, boards may be tens of thousands.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, or_, select

from signage_contract import EmergencyOverride, MediaRef
from signage_contract.speech import SpeechRef
from signage_server.content.speech import clips_for, spoken_text
from signage_server.manifest.scheduling import BoardContext
from signage_server.models import Board, Media, Override, OverrideState
from signage_server.units.tree import UnitTree


@dataclass(frozen=True)
class OverrideTarget:
    """``scope_unit``: the issuer's unit (None: nationwide); every covered board lies below it."""

    scope_unit: int | None
    everything: bool = False
    units: frozenset[int] = frozenset()
    boards: frozenset[int] = frozenset()
    tags: frozenset[str] = frozenset()

    @classmethod
    def of(cls, row: Override) -> OverrideTarget:
        return cls(
            scope_unit=row.unit_id,
            everything=row.target_all,
            units=frozenset(row.target_unit_ids or ()),
            boards=frozenset(row.target_board_ids or ()),
            tags=frozenset(row.target_tags or ()),
        )

    def covers(self, board_id: int, unit_chain: Sequence[int], tags: Iterable[str]) -> bool:
        """Whether a board (its id, its unit and the unit's ancestors, its tags) is targeted.
        Public and commercial boards alike: requisitioned commercial boards carry overrides too."""
        if self.scope_unit is not None and self.scope_unit not in unit_chain:
            return False
        if self.everything or board_id in self.boards or not self.units.isdisjoint(unit_chain):
            return True
        return not self.tags.isdisjoint(tags)


@dataclass(frozen=True)
class BoardBrief:
    id: int
    name: str
    unit_id: int


def targeted_boards(session: Session, target: OverrideTarget, tree: UnitTree) -> list[BoardBrief]:
    """Every board the target covers today (``tree``: the unit tree loaded for today).

    Units and board ids are matched in SQL; only tag targets need the boards' tags (JSON) read.
    This runs on the confirmation's path to the push, for up to tens of thousands of boards.
    """
    scope = None if target.scope_unit is None else tree.subtree([target.scope_unit])
    found: dict[int, BoardBrief] = {}
    conditions = []
    if target.everything and scope is None:
        conditions.append(col(Board.id).is_not(None))  # nationwide: every board
    else:
        units = scope if target.everything else tree.subtree(target.units)
        if units and scope is not None:
            units = units & scope
        if units:
            conditions.append(col(Board.unit_id).in_(units))
    if target.boards:
        conditions.append(col(Board.id).in_(target.boards))
    if conditions:
        query = select(Board.id, Board.name, Board.unit_id).where(or_(*conditions))
        for board_id, name, unit_id in session.exec(query).all():
            if board_id is not None and (scope is None or unit_id in scope):
                found[board_id] = BoardBrief(board_id, name, unit_id)
    if target.tags:
        tagged = select(Board.id, Board.name, Board.unit_id, Board.tags)
        if scope is not None:
            tagged = tagged.where(col(Board.unit_id).in_(scope))
        for board_id, name, unit_id, tags in session.exec(tagged).all():
            if board_id is not None and not target.tags.isdisjoint(tags or ()):
                found[board_id] = BoardBrief(board_id, name, unit_id)
    return [found[key] for key in sorted(found)]


SCREENS_CHUNK = 1000  # board ids per query: far below every database's limit on parameters


def board_screens(session: Session, board_ids: Sequence[int]) -> set[tuple[int, int]]:
    """The distinct screen sizes the boards' players draw: the capture rectangle, else the board's size."""
    screens: set[tuple[int, int]] = set()
    for start in range(0, len(board_ids), SCREENS_CHUNK):
        chunk = board_ids[start : start + SCREENS_CHUNK]
        query = select(Board.width, Board.height, Board.capture_w, Board.capture_h).where(
            col(Board.id).in_(chunk)).distinct()
        screens.update((cap_w or w, cap_h or h) for w, h, cap_w, cap_h in session.exec(query))
    return screens


def media_ref(media: Media) -> MediaRef:
    return MediaRef.model_validate(
        {
            "sha256": media.sha256,
            "size": media.size,
            "content_type": media.content_type,
            "width": media.width,
            "height": media.height,
        }
    )


def to_wire(row: Override, media: MediaRef | None, speech: SpeechRef | None = None) -> EmergencyOverride:
    assert row.id is not None
    return EmergencyOverride(
        id=str(row.id),
        title=row.title,
        body=row.body,
        risk_level=row.risk_level,
        category=row.category,
        media=media,
        speech=speech,
        starts_at=row.starts_at,
        expires_at=row.expires_at,
        issued_at=row.confirmed_at or row.created_at,
    )


def wire_overrides(session: Session, rows: Sequence[Override]) -> list[EmergencyOverride]:
    media_ids = {r.media_id for r in rows if r.media_id is not None}
    media = {
        m.id: media_ref(m) for m in session.exec(select(Media).where(col(Media.id).in_(media_ids))) if m.id
    }
    clips = clips_for(session, {spoken_text(r.title, r.body) for r in rows if r.speak})
    return [to_wire(r, media.get(r.media_id or 0),
                    clips.get(spoken_text(r.title, r.body)) if r.speak else None) for r in rows]


def active_overrides(session: Session, now: datetime) -> list[Override]:
    query = select(Override).where(Override.state == OverrideState.ACTIVE, col(Override.expires_at) > now)
    return list(session.exec(query.order_by(col(Override.id))).all())


def overrides_by_board(
    session: Session, boards: Sequence[BoardContext], now: datetime
) -> dict[int, list[EmergencyOverride]]:
    """The live overrides each board must carry in its manifest (and be pushed when it connects)."""
    rows = active_overrides(session, now)
    if not rows:
        return {}
    pairs = list(zip(rows, wire_overrides(session, rows), strict=True))
    found: dict[int, list[EmergencyOverride]] = {}
    for board in boards:
        mine = [wire for row, wire in pairs if OverrideTarget.of(row).covers(
            board.board_id, board.unit_chain, board.tags)]
        if mine:
            found[board.board_id] = mine
    return found
