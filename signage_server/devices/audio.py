"""Each board's audio for spoken announcements (``signage_contract.speech.AudioSettings``): on or off,
its volume, its quiet hours. A board without a row is silent. Operators of the board's unit set it;
everyone in scope reads it. Every write is audited and recomposes the board, so the settings travel
in its signed manifest."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import ValidationError
from sqlmodel import Session, col, select

from signage_contract.speech import AudioSettings, QuietHours
from signage_server.core import audit, roles
from signage_server.core.auth import get_in_scope, require_role
from signage_server.core.changes import Change, ChangeFeed
from signage_server.core.errors import Invalid
from signage_server.models import Board, BoardAudio, User, utcnow

OBJECT_TYPE = "board_audio"


def settings_of(row: BoardAudio | None) -> AudioSettings:
    if row is None:
        return AudioSettings()
    quiet = None
    if row.quiet_start is not None and row.quiet_end is not None and row.quiet_start != row.quiet_end:
        quiet = QuietHours(start=row.quiet_start, end=row.quiet_end)
    return AudioSettings(enabled=row.enabled, volume=max(0, min(100, row.volume)), quiet=quiet)


def audio_for(session: Session, board_ids: Iterable[int]) -> dict[int, AudioSettings]:
    """Board id -> its audio, for the boards with audio turned on (the manifest builder's look-up)."""
    rows = session.exec(select(BoardAudio).where(col(BoardAudio.board_id).in_(list(board_ids)),
                                                 col(BoardAudio.enabled))).all()
    return {row.board_id: settings_of(row) for row in rows}


def get_board_audio(session: Session, *, actor: User, board_id: int) -> AudioSettings:
    get_in_scope(session, actor, Board, board_id, "board")
    return settings_of(session.get(BoardAudio, board_id))


def set_board_audio(session: Session, *, actor: User, ip: str, changes: ChangeFeed, board_id: int,
                    settings: AudioSettings) -> AudioSettings:
    """Set the board's audio (audited); the board's manifest carries it from its next composition."""
    require_role(actor, roles.OPERATORS)
    board = get_in_scope(session, actor, Board, board_id, "board")
    row = session.get(BoardAudio, board_id)
    before = audit.snapshot(row) if row is not None else None
    target = row if row is not None else BoardAudio(board_id=board_id)
    target.enabled, target.volume = settings.enabled, settings.volume
    target.quiet_start = settings.quiet.start if settings.quiet is not None else None
    target.quiet_end = settings.quiet.end if settings.quiet is not None else None
    target.updated_at = utcnow()
    session.add(target)
    session.flush()
    audit.record_as(session, actor, ip, "update" if row is not None else "create", OBJECT_TYPE, board_id,
                    unit_id=board.unit_id, before=before, after=audit.snapshot(target))
    session.commit()
    changes.publish(Change(boards=frozenset({board_id})))
    return settings_of(target)


def parse_settings(*, enabled: bool, volume: int, quiet_start: str, quiet_end: str) -> AudioSettings:
    """Settings from a form: quiet hours "HH:MM" both or neither (``board_audio.quiet_hours``)."""
    if bool(quiet_start) != bool(quiet_end):
        raise Invalid("board_audio.quiet_hours", "quiet hours need both a start and an end")
    try:
        quiet = QuietHours.model_validate({"start": quiet_start, "end": quiet_end}) if quiet_start else None
        return AudioSettings(enabled=enabled, volume=volume, quiet=quiet)
    except ValidationError as exc:
        if quiet_start and quiet_start == quiet_end:
            raise Invalid("board_audio.quiet_hours", "quiet hours must start and end at different "
                          "times") from exc
        raise
