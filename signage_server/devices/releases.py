"""Player releases: uploaded wheels, channels, and the signed release descriptor each board gets.

An admin uploads a wheel of ``signage[player]`` (``ReleaseStore.ingest``: streamed to a temporary
file, capped at ``RELEASE_MAX_BYTES``, refused with its reason unless it is a wheel of signage with
a version not uploaded before; nothing is stored then) and offers it on a channel ("pilot" for
the pilot communes first, then "stable"). A board's channel is its own assignment, else its
nearest unit's up the tree (the province assigns, communes inherit, as power schedules do), else
"stable". The board asks with each release check (``DEVICE_RELEASE``, which also records the
version it runs and its last update attempt) and gets the channel's release as a descriptor
signed with the manifest key (``signage_contract.release``).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from nacl.signing import SigningKey
from sqlmodel import Session, col, select

from signage_contract.release import (
    DEVICE_RELEASE_WHEEL,
    RELEASE_MAX_BYTES,
    ReleaseCheck,
    ReleaseDescriptor,
    ReleaseRejected,
    SignedRelease,
    sign_release,
    wheel_identity,
)
from signage_server.core import audit, roles
from signage_server.core.auth import ensure_in_scope, get_in_scope, require_role
from signage_server.core.blobs import LocalFiles
from signage_server.core.errors import Conflict, Forbidden, Invalid, NotFound
from signage_server.models import (
    AdminUnit,
    Board,
    BoardRelease,
    PlayerRelease,
    ReleaseAssignment,
    ReleaseChannel,
    User,
    utcnow,
)
from signage_server.units.tree import UnitTree

DEFAULT_CHANNEL = "stable"
CHANNELS = ("pilot", "stable")
CHUNK_BYTES = 1 << 16


class ReleaseStore:
    """Wheels by sha256 under ``<data>/releases`` (shared between instances like media)."""

    def __init__(self, root: Path, files: LocalFiles, max_bytes: int = RELEASE_MAX_BYTES) -> None:
        self.root, self.files, self.max_bytes = root, files, max_bytes

    def path(self, sha256: str) -> Path:
        return self.root / f"{sha256}.whl"

    def local_path(self, sha256: str) -> Path | None:
        path = self.path(sha256)
        return path if self.files.ensure(path) else None

    async def ingest(self, chunks: AsyncIterator[bytes]) -> tuple[str, int, str]:
        """Spool, hash and check an uploaded wheel; (sha256, size, version). ReleaseRejected with
        the reason, and nothing kept, unless it is a wheel of signage within the size limit."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.root, prefix=".upload-", suffix=".whl")
        temp = Path(name)
        try:
            digest, size = hashlib.sha256(), 0
            with os.fdopen(fd, "wb") as handle:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise ReleaseRejected(f"the wheel is larger than {self.max_bytes} bytes")
                    digest.update(chunk)
                    handle.write(chunk)
            if size == 0:
                raise ReleaseRejected("the upload is empty: send the wheel as the request body")
            _, version = wheel_identity(str(temp))
            sha256 = digest.hexdigest()
            os.replace(temp, self.path(sha256))
            self.files.saved(self.path(sha256))
            return sha256, size, version
        finally:
            temp.unlink(missing_ok=True)


@dataclass(frozen=True)
class ChannelSettings:
    own: str | None
    inherited: str
    inherited_from_unit_id: int | None

    @property
    def effective(self) -> str:
        return self.own or self.inherited


def require_release_admin(session: Session, actor: User) -> None:
    """Releases reach every board of the server, so only an admin of the top unit (the province)
    uploads, offers and assigns them."""
    require_role(actor, roles.ADMINS)
    unit = session.get(AdminUnit, actor.unit_id)
    if unit is None or unit.parent_id is not None:
        raise Forbidden("release.province_only", "only an admin of the province manages player releases",
                        role=actor.role.value)


def _check_channel(channel: str) -> str:
    if channel not in CHANNELS:
        raise Invalid("release.channel_unknown", f"unknown channel {channel!r}: one of {', '.join(CHANNELS)}",
                      channel=channel)
    return channel


def add_release(session: Session, *, actor: User, ip: str, sha256: str, size: int, version: str,
                channel: str | None) -> PlayerRelease:
    """Record an uploaded wheel (``ReleaseStore.ingest``) and offer it on ``channel`` if given."""
    require_release_admin(session, actor)
    if session.exec(select(PlayerRelease).where(PlayerRelease.version == version)).first() is not None:
        raise Conflict("release.version_exists", f"release {version} was uploaded before", version=version)
    release = PlayerRelease(version=version, sha256=sha256, size=size, uploaded_by=actor.id)
    session.add(release)
    session.flush()
    audit.record_as(session, actor, ip, "create", "player_release", release.id, after=audit.snapshot(release))
    if channel is not None:
        _offer(session, actor, ip, _check_channel(channel), release)
    session.commit()
    session.refresh(release)
    return release


def _offer(session: Session, actor: User, ip: str, channel: str, release: PlayerRelease | None) -> None:
    row = session.get(ReleaseChannel, channel)
    before = audit.snapshot(row) if row is not None else None
    row = row or ReleaseChannel(name=channel)
    row.release_id = None if release is None else release.id
    row.updated_at, row.updated_by = utcnow(), actor.id
    session.add(row)
    session.flush()
    audit.record_as(session, actor, ip, "update", "release_channel", channel, before=before,
                    after=audit.snapshot(row))


def offer(session: Session, *, actor: User, ip: str, channel: str, version: str | None) -> None:
    """Offer release ``version`` on ``channel`` (None: offer nothing; boards keep what they run)."""
    require_release_admin(session, actor)
    _check_channel(channel)
    release = None
    if version is not None:
        release = session.exec(select(PlayerRelease).where(PlayerRelease.version == version)).first()
        if release is None:
            raise NotFound("release.not_found", f"no release {version}", version=version)
    _offer(session, actor, ip, channel, release)
    session.commit()


def offered(session: Session) -> dict[str, PlayerRelease | None]:
    rows = {r.name: r for r in session.exec(select(ReleaseChannel)).all()}
    result: dict[str, PlayerRelease | None] = {}
    for channel in CHANNELS:
        row = rows.get(channel)
        result[channel] = None if row is None or row.release_id is None else session.get(PlayerRelease,
                                                                                          row.release_id)
    return result


def releases(session: Session) -> list[PlayerRelease]:
    return list(session.exec(select(PlayerRelease).order_by(col(PlayerRelease.created_at).desc())).all())


# --- channels of boards and units -----------------------------------------------------------------

def _unit_channels(session: Session, unit_ids: Iterable[int]) -> dict[int, str]:
    ids = list(set(unit_ids))
    rows = session.exec(select(ReleaseAssignment).where(col(ReleaseAssignment.unit_id).in_(ids)))
    return {r.unit_id: r.channel for r in rows.all() if r.unit_id is not None}


def _inherited(rows: dict[int, str], chain: Iterable[int]) -> tuple[str, int | None]:
    for unit_id in chain:
        if unit_id in rows:
            return rows[unit_id], unit_id
    return DEFAULT_CHANNEL, None


def channels_for_boards(session: Session, boards: Iterable[Board]) -> dict[int, str]:
    """board id -> the channel that applies (own, nearest unit's, or DEFAULT_CHANNEL)."""
    rows = [b for b in boards if b.id is not None]
    ids = [b.id for b in rows if b.id is not None]
    own = {r.board_id: r.channel for r in session.exec(
        select(ReleaseAssignment).where(col(ReleaseAssignment.board_id).in_(ids))).all() if r.board_id}
    tree = UnitTree.load_ancestors(session, {b.unit_id for b in rows})
    units = _unit_channels(session, (u for b in rows for u in tree.chain(b.unit_id)))
    return {b.id: own.get(b.id) or _inherited(units, tree.chain(b.unit_id))[0]
            for b in rows if b.id is not None}


def board_channel(session: Session, *, actor: User, board_id: int) -> ChannelSettings:
    board = get_in_scope(session, actor, Board, board_id, "board")
    own = session.exec(select(ReleaseAssignment).where(ReleaseAssignment.board_id == board_id)).first()
    chain = UnitTree.load_ancestors(session, {board.unit_id}).chain(board.unit_id)
    channel, source = _inherited(_unit_channels(session, chain), chain)
    return ChannelSettings(own.channel if own else None, channel, source)


def unit_channel(session: Session, *, actor: User, unit_id: int) -> ChannelSettings:
    ensure_in_scope(session, actor, unit_id)
    chain = UnitTree.load_ancestors(session, {unit_id}).chain(unit_id)
    rows = _unit_channels(session, chain)
    channel, source = _inherited(rows, chain[1:])
    return ChannelSettings(rows.get(unit_id), channel, source)


def _assign(session: Session, actor: User, ip: str, row: ReleaseAssignment | None, new: ReleaseAssignment,
            channel: str | None, unit_id: int | None) -> None:
    before = audit.snapshot(row) if row is not None else None
    if channel is None:
        if row is not None:
            session.delete(row)
            audit.record_as(session, actor, ip, "delete", "release_assignment", row.id, unit_id=unit_id,
                            before=before)
        return
    target = row or new
    target.channel = _check_channel(channel)
    target.updated_at, target.updated_by = utcnow(), actor.id
    session.add(target)
    session.flush()
    audit.record_as(session, actor, ip, "update" if row else "create", "release_assignment", target.id,
                    unit_id=unit_id, before=before, after=audit.snapshot(target))


def set_board_channel(session: Session, *, actor: User, ip: str, board_id: int,
                      channel: str | None) -> ChannelSettings:
    """Set (None: remove, so the unit's applies) the board's own channel."""
    require_release_admin(session, actor)
    board = get_in_scope(session, actor, Board, board_id, "board")
    row = session.exec(select(ReleaseAssignment).where(ReleaseAssignment.board_id == board_id)).first()
    _assign(session, actor, ip, row, ReleaseAssignment(board_id=board_id, channel=""), channel, board.unit_id)
    session.commit()
    return board_channel(session, actor=actor, board_id=board_id)


def set_unit_channel(session: Session, *, actor: User, ip: str, unit_id: int,
                     channel: str | None) -> ChannelSettings:
    """Set (None: remove) the unit's channel, inherited by its subtree's boards without their own."""
    require_release_admin(session, actor)
    ensure_in_scope(session, actor, unit_id)
    row = session.exec(select(ReleaseAssignment).where(ReleaseAssignment.unit_id == unit_id)).first()
    _assign(session, actor, ip, row, ReleaseAssignment(unit_id=unit_id, channel=""), channel, unit_id)
    session.commit()
    return unit_channel(session, actor=actor, unit_id=unit_id)


# --- the device's side ----------------------------------------------------------------------------

def record_check(session: Session, board_id: int, check: ReleaseCheck, now: datetime) -> None:
    row = session.get(BoardRelease, board_id) or BoardRelease(board_id=board_id, checked_at=now)
    row.running_version, row.checked_at = check.running_version, now
    report = check.last_update
    if report is not None:
        row.update_from, row.update_to = report.from_version, report.to_version
        row.update_outcome, row.update_reason, row.update_at = report.outcome, report.reason, report.at
    session.add(row)


def release_for_board(session: Session, board: Board) -> tuple[str, PlayerRelease] | None:
    assert board.id is not None
    channel = channels_for_boards(session, [board])[board.id]
    release = offered(session).get(channel)
    return None if release is None else (channel, release)


def signed_release(session: Session, board: Board, key: SigningKey, now: datetime) -> SignedRelease | None:
    """The board's channel's release as a signed descriptor (None: its channel offers none)."""
    found = release_for_board(session, board)
    if found is None:
        return None
    channel, release = found
    descriptor = ReleaseDescriptor(board_id=str(board.id), channel=channel, version=release.version,
                                   sha256=release.sha256, size=release.size,
                                   url=DEVICE_RELEASE_WHEEL.format(sha256=release.sha256), issued_at=now)
    return sign_release(key, descriptor)


@dataclass(frozen=True)
class BoardVersion:
    """Who runs what: a board, its channel, the version it runs and the one its channel offers."""

    board_id: int
    board_name: str
    channel: str
    running_version: str
    offered_version: str
    checked_at: datetime | None
    update_outcome: str
    update_to: str
    update_reason: str


def board_versions(session: Session, *, actor: User) -> list[BoardVersion]:
    from signage_server.core.auth import scope_unit_ids

    units = scope_unit_ids(session, actor)
    boards = list(session.exec(select(Board).where(col(Board.unit_id).in_(units)).order_by(col(Board.name))))
    channels = channels_for_boards(session, boards)
    offers = offered(session)
    states = {r.board_id: r for r in session.exec(select(BoardRelease).where(
        col(BoardRelease.board_id).in_([b.id for b in boards]))).all()}
    result = []
    for board in boards:
        assert board.id is not None
        state = states.get(board.id)
        release = offers.get(channels[board.id])
        result.append(BoardVersion(
            board.id, board.name, channels[board.id], state.running_version if state else "",
            release.version if release else "", state.checked_at if state else None,
            state.update_outcome if state else "", state.update_to if state else "",
            state.update_reason if state else ""))
    return result
