"""Recomposing many boards at once (a province schedule touches every board below it).

Boards that see the same specs with the same specificity in the same zone share one manifest body
(layouts, items, timeline, sources): it is built and serialised once per group, and each board's signed
payload is spliced from its own header and that shared text. The splice gives exactly
``manifest.model_dump_json()`` (tested), so versions and signatures equal those of the one-board
path; it only saves serialising the same body thousands of times.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from nacl.signing import SigningKey

from signage_contract import (
    HORIZON,
    EmergencyOverride,
    Layout,
    Manifest,
    SignedManifest,
    TextItem,
)
from signage_contract.manifest import DEFAULT_POLL_INTERVAL_S, item_media
from signage_contract.signing import sign_payload
from signage_server.manifest.builder import (
    UNVERSIONED_FIELDS,
    ManifestBody,
    PlaylistSpec,
    assemble,
    compose_body,
    content_version,
    horizon_bounds,
    manifest_header,
    next_sequence,
)
from signage_server.manifest.scheduling import BoardContext, ScheduleSpec, SpecIndex

_BODY_FIELDS = ("layouts", "items", "timeline", "sources", "requisition")
_TAIL_FIELDS = (*_BODY_FIELDS, "overrides")


@dataclass(frozen=True, slots=True)
class ComposedBoard:
    """What the server stores per board (``ComposedManifest``): only this, so 10,000 of them stay
    light for the garbage collector."""

    signed: SignedManifest
    media_sha256: tuple[str, ...]  # sorted
    valid_until: datetime  # the horizon's end: recompose before it
    sequence: int  # signed into the manifest; grows with each change of content


@dataclass(frozen=True, slots=True)
class Previous:
    """What a board's stored manifest says of its place: its version and sequence."""

    version: str
    sequence: int


class _Group:
    """Boards that share a body; its JSON text is made once, on first use."""

    def __init__(self, bounds: tuple[datetime, datetime], body: ManifestBody) -> None:
        self.bounds = bounds
        self.body: ManifestBody | None = body
        self.media = tuple(sorted({ref.sha256 for item in body.items for ref in item_media(item)}
                                  | {i.speech.audio.sha256 for i in body.items
                                     if isinstance(i, TextItem) and i.speech is not None}))
        self._text: tuple[str, bytes] | None = None

    def text(self, header: Manifest) -> tuple[str, bytes]:
        """'"layouts":[...],"items":[...],"timeline":[...],"sources":[...]' as text and in UTF-8 (the
        same for any header of the group): joining both per board is cheaper than encoding or
        decoding one."""
        if self._text is None:
            whole = assemble(header, self.model_body()).model_dump_json(include=set(_BODY_FIELDS))
            self._text = (whole[1:-1], whole[1:-1].encode("utf-8"))
            # Only the text is needed from now on: freeing the models at once keeps the garbage
            # collector from tracing them through the rest of a 10,000-board batch (measured).
            self.body = None
        return self._text

    def model_body(self) -> ManifestBody:
        if self.body is None:
            raise RuntimeError("the body of this group was released after serialisation")
        return self.body


def build_manifests(
    boards: Iterable[BoardContext],
    specs: Iterable[ScheduleSpec],
    playlists: Mapping[int, PlaylistSpec],
    layouts: Mapping[str, Layout],
    overrides: Mapping[int, Sequence[EmergencyOverride]],
    now: datetime,
    horizon: timedelta = HORIZON,
    poll_interval_s: int = DEFAULT_POLL_INTERVAL_S,
) -> dict[int, Manifest]:
    """``build_manifest`` for each board; ``overrides`` maps a board id to its overrides."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    groups = _grouped(boards, SpecIndex(specs), playlists, layouts, now, horizon)
    return {
        board.board_id: assemble(_header(board, group, overrides, now, poll_interval_s), group.model_body())
        for board, group in groups
    }


def compose_boards(
    boards: Iterable[BoardContext],
    specs: Iterable[ScheduleSpec],
    playlists: Mapping[int, PlaylistSpec],
    layouts: Mapping[str, Layout],
    overrides: Mapping[int, Sequence[EmergencyOverride]],
    now: datetime,
    signing_key: SigningKey,
    horizon: timedelta = HORIZON,
    poll_interval_s: int = DEFAULT_POLL_INTERVAL_S,
    previous: Mapping[int, Previous] | None = None,
) -> dict[int, ComposedBoard]:
    """Build, version and sign the manifest of every board. A board whose content is unchanged
    from ``previous`` keeps its sequence; any other gets ``next_sequence`` of it."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    stored = previous or {}
    composed: dict[int, ComposedBoard] = {}
    for board, group in _grouped(boards, SpecIndex(specs), playlists, layouts, now, horizon):
        header = _header(board, group, overrides, now, poll_interval_s)
        media = group.media if not header.overrides else tuple(sorted({*group.media, *header.media()}))
        before = stored.get(board.board_id)

        def sequence_for(version: str, before: Previous | None = before) -> int:
            if before is not None and before.version == version:
                return before.sequence
            return next_sequence(before.sequence if before is not None else 0, now)

        payload, payload_bytes, version, sequence = _spliced(header, group, sequence_for)
        signed = _signed(signing_key, payload, payload_bytes, version)
        composed[board.board_id] = ComposedBoard(signed, media, group.bounds[1], sequence)
    return composed


def _header(
    board: BoardContext,
    group: _Group,
    overrides: Mapping[int, Sequence[EmergencyOverride]],
    now: datetime,
    poll_interval_s: int,
) -> Manifest:
    return manifest_header(board, group.bounds, overrides.get(board.board_id, ()), now, poll_interval_s)


def _grouped(
    boards: Iterable[BoardContext],
    index: SpecIndex,
    playlists: Mapping[int, PlaylistSpec],
    layouts: Mapping[str, Layout],
    now: datetime,
    horizon: timedelta,
) -> Iterable[tuple[BoardContext, _Group]]:
    groups: dict[tuple[object, ...], _Group] = {}
    for board in boards:
        candidates = index.applicable(board)
        key = (board.timezone, board.requisition, *((spec.id, rank) for spec, rank in candidates))
        group = groups.get(key)
        if group is None:
            bounds = horizon_bounds(now, board.timezone, horizon)
            body = compose_body(candidates, board.timezone, bounds, playlists, layouts, board.requisition)
            group = _Group(bounds, body)
            groups[key] = group
        yield board, group


def _spliced(
    header: Manifest, group: _Group, sequence_for: Callable[[str], int]
) -> tuple[str, bytes, str, int]:
    """(payload, its UTF-8, version, sequence): the per-board header and the group's body text,
    spliced in field order, so the body is serialised and encoded once per group. The version
    (without the stamps) is known first, so the sequence can follow it. Falls back to plain
    serialisation if the contract ever reorders its last fields."""
    if tuple(Manifest.model_fields)[-len(_TAIL_FIELDS):] != _TAIL_FIELDS:
        manifest = assemble(header, group.model_body())
        version = content_version(manifest)
        sequence = sequence_for(version)
        payload = manifest.model_copy(update={"sequence": sequence}).model_dump_json()
        return payload, payload.encode("utf-8"), version, sequence
    body, body_bytes = group.text(header)
    overrides = "," + header.model_dump_json(include={"overrides"})[1:]
    unstamped = header.model_dump_json(exclude={*_TAIL_FIELDS, *UNVERSIONED_FIELDS})[:-1]
    tail = overrides.encode("utf-8")
    version = hashlib.sha256(b"".join((unstamped.encode("utf-8"), b",", body_bytes, tail))).hexdigest()
    sequence = sequence_for(version)
    stamped = header.model_copy(update={"sequence": sequence}).model_dump_json(exclude=set(_TAIL_FIELDS))[:-1]
    payload_bytes = b"".join((stamped.encode("utf-8"), b",", body_bytes, tail))
    return "".join((stamped, ",", body, overrides)), payload_bytes, version, sequence


def _signed(signing_key: SigningKey, payload: str, payload_bytes: bytes, version: str) -> SignedManifest:
    """``signing.sign_payload`` with the UTF-8 already at hand (encoding 50 KiB of Vietnamese text
    again per board costs a tenth of a batch)."""
    return sign_payload(signing_key, payload, version, payload_bytes)
