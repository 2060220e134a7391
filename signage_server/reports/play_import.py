"""Proof of play carried on a drive from a board without a link (``PlayExport``), imported by a
user from any office PC: the same idempotent ingestion as a board's own uploads (``plays.py``),
for a board in the user's scope."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from signage_contract import device as wire
from signage_contract.bundle import PlayExport
from signage_server.core import audit
from signage_server.core.auth import get_in_scope, not_found, require_role
from signage_server.manifest.bundles import EXPORTERS
from signage_server.models import Board, User
from signage_server.reports.plays import ClockRules, ingest_batch


def import_plays(session: Session, *, actor: User, ip: str, export: PlayExport, now: datetime,
                 rules: ClockRules) -> wire.PlayBatchReply:
    """Store the file's records for its board; a record already stored (by id) is counted, not doubled."""
    require_role(actor, EXPORTERS)
    if not export.board_id.isdigit():
        raise not_found("board", export.board_id)
    board = get_in_scope(session, actor, Board, int(export.board_id), "board")
    reply = ingest_batch(session, board, wire.PlayBatch(records=export.records), now, rules)
    audit.record_as(session, actor, ip, "board.plays_import", "board", board.id, unit_id=board.unit_id,
                    after={"accepted": reply.accepted, "duplicates": reply.duplicates,
                           "rejected": len(reply.rejected)})
    session.commit()
    return reply
