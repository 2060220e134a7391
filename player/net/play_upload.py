"""Proof of play upload: the closed records of the local queue (player/core/playlog.py), in batches.

Idempotent: the record ids are chosen by the board and are the server's key, and rows leave the
queue only once the server answered for them, so a retry after a timeout sends the same ids again
and the server stores each once.

Never resent forever: a record the server refuses for its content (400, 413, 422) is found by
halving the batch and dropped alone, with a log line; the rest goes through. A wrong board clock
is not a reason to resend: the server keeps such records, corrects their times by the offset its
heartbeats measured (or marks them unverified), and says how many in its reply, which is logged.
"""

from __future__ import annotations

import logging

import httpx

from signage_contract.device import DEVICE_PLAYS, PLAY_BATCH_MAX, PlayBatch, PlayBatchReply, PlayRecord

from ..core.playlog import PlayLog

log = logging.getLogger(__name__)
REFUSED_CONTENT = frozenset({400, 413, 422})  # the same body would be refused again


class PlayUploader:
    """Sends closed records in batches of at most ``PLAY_BATCH_MAX``; network errors propagate
    (the caller's loop retries later with the same ids)."""

    def __init__(self, playlog: PlayLog, client: httpx.Client, batch_max: int = PLAY_BATCH_MAX) -> None:
        self.playlog = playlog
        self.client = client
        self.batch_max = batch_max

    def upload_all(self, headers: dict[str, str]) -> int:
        """Upload until the queue has no closed record; returns how many the server took."""
        sent = 0
        while records := self.playlog.pending(self.batch_max):
            sent += self._send(records, headers)
        return sent

    def _send(self, records: list[PlayRecord], headers: dict[str, str]) -> int:
        body = PlayBatch(records=records).model_dump_json()
        response = self.client.post(
            DEVICE_PLAYS, content=body, headers={**headers, "Content-Type": "application/json"}
        )
        if response.status_code in REFUSED_CONTENT and len(records) > 1:  # a record it cannot take:
            half = len(records) // 2  # halve until it is found, so it cannot block the queue
            return self._send(records[:half], headers) + self._send(records[half:], headers)
        if response.status_code in REFUSED_CONTENT:
            log.error("server refused play record %s (%d): %s", records[0].id, response.status_code,
                      response.text[:200])
            self.playlog.acknowledge([records[0].id])
            return 0
        response.raise_for_status()
        reply = PlayBatchReply.model_validate_json(response.content)
        if reply.rejected:
            log.warning("server refused %d play records for good", len(reply.rejected))
        if reply.corrected or reply.unverified:
            log.warning("board clock is off: the server corrected the times of %d play records and "
                        "could not verify %d (check the clock's time source)",
                        reply.corrected, reply.unverified)
        self.playlog.acknowledge([r.id for r in records])  # stored (corrected or not), duplicate or refused
        return reply.accepted + reply.duplicates
