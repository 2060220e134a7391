"""Recomposing many boards at once (a province schedule touches every board below it).

Boards that see the same specs with the same specificity in the same zone share one manifest body
(layouts, items, timeline, sources): it is built and serialised once per group, and each board's signed
payload is spliced from its own header and that shared text. The splice gives exactly
``manifest.model_dump_json()`` (tested), so versions and signatures equal those of the one-board
path; it only saves serialising the same body thousands of times.
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
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
from signage_contract.signing import digest_signature, key_id, sign_payload
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
# Splicing needs the manifest's last fields in this order and the payload last in the signed
# document; should the contract ever reorder them, every board is serialised whole instead.
_SPLICEABLE = (tuple(Manifest.model_fields)[-len(_TAIL_FIELDS):] == _TAIL_FIELDS
               and tuple(SignedManifest.model_fields)[-1] == "payload")


@dataclass(frozen=True, slots=True)
class ComposedBoard:
    """What the server stores per board (``ComposedManifest``): only this, so 10,000 of them stay
    light for the garbage collector."""

    version: str
    document: str  # the SignedManifest as JSON text: what is stored and served
    media_sha256: tuple[str, ...]  # sorted
    valid_until: datetime  # the horizon's end: recompose before it
    sequence: int  # signed into the manifest; grows with each change of content
    item_ids: tuple[str, ...]  # the wire ids of the items it names (receipts need no parse)

    @property
    def signed(self) -> SignedManifest:
        return SignedManifest.model_validate_json(self.document)


@dataclass(frozen=True, slots=True)
class Previous:
    """What a board's stored manifest says of its place: its version and sequence."""

    version: str
    sequence: int


class _Group:
    """Boards that share a body; its JSON text is made once, on first use (by one thread: a group
    kept in a ``GroupCache`` is shared by the composer's worker and request threads)."""

    def __init__(self, bounds: tuple[datetime, datetime], body: ManifestBody) -> None:
        self.bounds = bounds
        self.body: ManifestBody | None = body
        self.media = tuple(sorted({ref.sha256 for item in body.items for ref in item_media(item)}
                                  | {i.speech.audio.sha256 for i in body.items
                                     if isinstance(i, TextItem) and i.speech is not None}))
        self.item_ids = tuple(item.id for item in body.items)
        self._text: _BodyText | None = None
        self._making = threading.Lock()

    def text(self, header: Manifest) -> _BodyText:
        """'"layouts":[...],"items":[...],"timeline":[...],"sources":[...]' (the same for any header
        of the group) in UTF-8 (to hash) and escaped as a JSON string's content (to splice into the
        stored document): cheaper than encoding, hashing or escaping one whole payload per board."""
        if self._text is None:
            with self._making:
                if self._text is None:
                    whole = assemble(header, self.model_body()).model_dump_json(include=set(_BODY_FIELDS))
                    body = whole[1:-1]
                    self._text = _BodyText(body.encode("utf-8"), _json_escaped(body))
                    # Only the text is needed from now on: freeing the models at once keeps the garbage
                    # collector from tracing them through the rest of a 10,000-board batch (measured).
                    self.body = None
        return self._text

    def model_body(self) -> ManifestBody:
        if self.body is None:
            raise RuntimeError("the body of this group was released after serialisation")
        return self.body

    @property
    def size(self) -> int:
        """Bytes its text holds (0 before it is made)."""
        text = self._text
        return 0 if text is None else sys.getsizeof(text.utf8) + sys.getsizeof(text.escaped)


GROUPS_KEPT_BYTES = 48 * 2**20  # bodies a composer keeps between compositions of the same content


class GroupCache:
    """Bodies kept from one composition to the next while the content is the same (one per
    ``SharedInputs``): a board composed later with the same schedules at the same ranks, in the same
    zone, over the same days, reuses the body and its text, and only its own header is made. A
    province has a few hundred such groups (10,000 boards under 200 schedules in ``bench server``:
    167); beyond ``max_bytes`` of text, the least recently used leave. A body's text is made after
    it is added: ``settle`` counts it then."""

    def __init__(self, max_bytes: int = GROUPS_KEPT_BYTES) -> None:
        self._max = max_bytes
        self._groups: OrderedDict[tuple[object, ...], _Group] = OrderedDict()
        self._sizes: dict[tuple[object, ...], int] = {}  # of the groups whose text is made
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._groups)

    def get(self, key: tuple[object, ...]) -> _Group | None:
        with self._lock:
            group = self._groups.get(key)
            if group is not None:
                self._groups.move_to_end(key)
            return group

    def add(self, key: tuple[object, ...], group: _Group) -> None:
        with self._lock:
            self._bytes -= self._sizes.pop(key, 0)
            self._groups[key] = group

    def settle(self) -> None:
        """Count the texts made since the last call and let the least recently used bodies go while
        the kept texts exceed the bound (the newest always stays)."""
        if len(self._sizes) == len(self._groups):
            return  # nothing new to count (the usual case: called once per board)
        with self._lock:
            for key, group in self._groups.items():
                if key not in self._sizes and (size := group.size):
                    self._sizes[key] = size
                    self._bytes += size
            while self._bytes > self._max and len(self._groups) > 1:
                oldest, _ = self._groups.popitem(last=False)
                self._bytes -= self._sizes.pop(oldest, 0)


@dataclass(frozen=True, slots=True)
class _BodyText:
    utf8: bytes
    escaped: str


def _json_escaped(text: str) -> str:
    """``text`` as the inside of a JSON string, exactly as pydantic writes a ``str`` field (tested):
    escaping works character by character, so the escaped parts of a payload join into the escaped
    payload."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


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


def iter_composed(
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
    *,
    changed_only: bool = False,
    kept: GroupCache | None = None,
) -> Iterator[tuple[int, ComposedBoard]]:
    """Build, version and sign the manifest of every board, one board at a time, so a caller that
    stores them as they come holds a few hundred documents at once, not 10,000 (a province's
    payloads are about a gigabyte). A board whose content is unchanged from ``previous`` keeps its
    sequence; any other gets ``next_sequence`` of it. With ``changed_only``, a board whose version
    equals its ``previous`` one is neither signed nor yielded. ``kept``: bodies made by earlier
    compositions of exactly these specs, playlists and layouts, to reuse and add to."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    stored = previous or {}
    signer = _Signer(signing_key)
    reuse = kept if _SPLICEABLE else None  # a body serialised whole per board is not kept
    for board, group in _grouped(boards, SpecIndex(specs), playlists, layouts, now, horizon, reuse):
        header = _header(board, group, overrides, now, poll_interval_s)
        before = stored.get(board.board_id)
        parts = _Parts.of(header, group)
        if reuse is not None:
            reuse.settle()
        version = parts.version()
        if before is not None and before.version == version:
            if changed_only:
                continue
            sequence = before.sequence
        else:
            sequence = next_sequence(before.sequence if before is not None else 0, now)
        media = group.media if not header.overrides else tuple(sorted({*group.media, *header.media()}))
        document = signer.document(parts, version, sequence)
        yield board.board_id, ComposedBoard(version, document, media, group.bounds[1], sequence,
                                            group.item_ids)


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
    kept: GroupCache | None = None,
) -> Iterable[tuple[BoardContext, _Group]]:
    groups: dict[tuple[object, ...], _Group] = {}
    for board in boards:
        candidates = index.applicable(board)
        key = (board.timezone, board.requisition, *((spec.id, rank) for spec, rank in candidates))
        group = groups.get(key)
        if group is None:
            bounds = horizon_bounds(now, board.timezone, horizon)
            group = kept.get((bounds, *key)) if kept is not None else None
            if group is None:
                body = compose_body(candidates, board.timezone, bounds, playlists, layouts, board.requisition)
                group = _Group(bounds, body)
                if kept is not None:
                    kept.add((bounds, *key), group)
            groups[key] = group
        yield board, group


@dataclass(frozen=True, slots=True)
class _Parts:
    """A board's payload in field order: its own header, the group's body, its overrides. The
    version (without the stamps) is hashed over the parts before the sequence is known."""

    header: Manifest
    group: _Group
    body: _BodyText | None  # None: not ``_SPLICEABLE``; serialise whole
    overrides: str  # ',"overrides":[...]}'

    @classmethod
    def of(cls, header: Manifest, group: _Group) -> _Parts:
        if not _SPLICEABLE:
            return cls(header, group, None, "")
        overrides = "," + header.model_dump_json(include={"overrides"})[1:]
        return cls(header, group, group.text(header), overrides)

    def version(self) -> str:
        if self.body is None:
            return content_version(assemble(self.header, self.group.model_body()))
        unstamped = self.header.model_dump_json(exclude={*_TAIL_FIELDS, *UNVERSIONED_FIELDS})[:-1]
        return self.digest(unstamped).hexdigest()

    def stamped(self, sequence: int) -> str:
        """The header's fields, with the sequence, up to the body (no closing brace)."""
        return self.header.model_copy(update={"sequence": sequence}).model_dump_json(
            exclude=set(_TAIL_FIELDS))[:-1]

    def digest(self, head: str) -> hashlib._Hash:
        assert self.body is not None
        digest = hashlib.sha256(head.encode("utf-8"))
        digest.update(b",")
        digest.update(self.body.utf8)
        digest.update(self.overrides.encode("utf-8"))
        return digest


class _Signer:
    """Signs a board's payload from its parts and writes the stored document around it, without
    ever joining, encoding or escaping the shared body per board."""

    def __init__(self, signing_key: SigningKey) -> None:
        self._key = signing_key
        self._key_id = key_id(signing_key.verify_key)

    def document(self, parts: _Parts, version: str, sequence: int) -> str:
        if parts.body is None:
            manifest = assemble(parts.header, parts.group.model_body())
            payload = manifest.model_copy(update={"sequence": sequence}).model_dump_json()
            return sign_payload(self._key, payload, version).model_dump_json()
        stamped = parts.stamped(sequence)
        signature = digest_signature(self._key, parts.digest(stamped).digest())
        envelope = SignedManifest(version=version, key_id=self._key_id, signature=signature, payload="")
        opening = envelope.model_dump_json()[:-2]  # up to '"payload":"'
        return "".join((opening, _json_escaped(stamped + ","), parts.body.escaped,
                        _json_escaped(parts.overrides), '"}'))
