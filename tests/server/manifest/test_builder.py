import hashlib
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from nacl.signing import SigningKey

from signage_contract import (
    EmergencyOverride,
    ImageItem,
    Layout,
    Manifest,
    MediaRef,
    PlayReason,
    Priority,
    SignedManifest,
    TextItem,
)
from signage_contract.signing import sign_payload, verify_manifest
from signage_server.manifest.batch import GroupCache, Previous, build_manifests, iter_composed
from signage_server.manifest.builder import (
    PlaylistItemSpec,
    PlaylistSpec,
    build_manifest,
    bulletin_priority,
    content_version,
    horizon_bounds,
    next_sequence,
    sign_manifest,
)
from signage_server.manifest.scheduling import BoardContext, ScheduleSpec, Target

VN = ZoneInfo("Asia/Ho_Chi_Minh")
LAYOUTS = {
    lay.id: lay
    for lay in (Layout.model_validate_json(p.read_text("utf-8")) for p in Path("layouts").glob("*.json"))
}
PROVINCE, COMMUNE = 100, 200
BOARD = BoardContext(board_id=7, unit_chain=(COMMUNE, PROVINCE), name="Bảng tin UBND xã",
                     resolution=(384, 192))
MON = date(2026, 11, 23)
NOW = datetime.combine(MON, time(9), tzinfo=VN)


def media(name: str) -> MediaRef:
    return MediaRef(sha256=hashlib.sha256(name.encode()).hexdigest(), size=1000,
                    content_type="image/png", width=384, height=192)


def playlists(*extra_items: PlaylistItemSpec, duration_s: float = 10.0) -> dict[int, PlaylistSpec]:
    main = PlaylistSpec(11, (
        PlaylistItemSpec(1, "image", duration_s=duration_s, media=media("a")),
        PlaylistItemSpec(2, "bulletin", title="Lịch tiêm chủng", text="Thứ Hai tại trạm y tế"),
        *extra_items,
    ))
    ticker = PlaylistSpec(12, (PlaylistItemSpec(3, "ticker", text="Phòng chống bão số 5"),))
    clock = PlaylistSpec(13, (PlaylistItemSpec(4, "clock", options={"format": "time"}),))
    evening = PlaylistSpec(14, (PlaylistItemSpec(5, "image", media=media("b")),))
    return {p.id: p for p in (main, ticker, clock, evening)}


SPECS = [
    ScheduleSpec(1, "main_ticker_clock", Target.unit(PROVINCE), {"main": 11, "ticker": 12, "clock": 13},
                 daily_start=time(7), daily_end=time(18)),
    ScheduleSpec(2, "fullscreen", Target.board(7), {"main": 14}, daily_start=time(18), daily_end=time(21)),
]


def build(now: datetime = NOW, specs=SPECS, lists=None, overrides=()):
    return build_manifest(BOARD, specs, lists or playlists(), LAYOUTS, overrides, now)


def test_horizon_runs_from_local_midnight_to_the_end_of_the_seventh_day_after() -> None:
    start, end = horizon_bounds(NOW, "Asia/Ho_Chi_Minh")
    assert start == datetime.combine(MON, time(), tzinfo=VN)
    assert end == datetime.combine(MON + timedelta(days=8), time(), tzinfo=VN)


def test_same_inputs_within_one_local_day_give_the_same_version() -> None:
    first = build(datetime.combine(MON, time(0, 0, 1), tzinfo=VN))
    last = build(datetime.combine(MON, time(23, 59, 59), tzinfo=VN))
    assert first.generated_at != last.generated_at
    assert content_version(first) == content_version(last)


def test_next_local_day_changes_the_version() -> None:
    assert content_version(build()) != content_version(build(NOW + timedelta(days=1)))


def test_a_changed_item_changes_the_version() -> None:
    assert content_version(build()) != content_version(build(lists=playlists(duration_s=12.0)))


def test_an_edited_item_or_option_is_composed_anew_though_wire_items_are_cached() -> None:
    def clock_format(lists: dict[int, PlaylistSpec]) -> object:
        return next(i for i in build(lists=lists).items if i.id == "p13-i4").model_dump()["format"]

    before = build()
    edited = playlists()
    edited[11] = PlaylistSpec(11, (*edited[11].items[:1],
                                   PlaylistItemSpec(2, "bulletin", title="Lịch tiêm chủng", text="Thứ Ba")))
    assert any(getattr(i, "body", None) == "Thứ Ba" for i in build(lists=edited).items)
    edited[13] = PlaylistSpec(13, (PlaylistItemSpec(4, "clock", options={"format": "date"}),))
    assert clock_format(playlists()) == "time" and clock_format(edited) == "date"
    assert content_version(build()) == content_version(before)


def test_timeline_follows_the_schedules_and_leaves_gaps_empty() -> None:
    manifest = build()
    first, second = manifest.timeline[0], manifest.timeline[1]
    assert (first.start, first.end) == (datetime.combine(MON, time(7), tzinfo=VN),
                                         datetime.combine(MON, time(18), tzinfo=VN))
    assert [(r.region_id, r.item_ids) for r in first.regions] == [
        ("main", ["p11-i1", "p11-i2"]), ("ticker", ["p12-i3"]), ("clock", ["p13-i4"])]
    assert (second.layout_id, second.schedule_id, second.end) == (
        "fullscreen", "2", datetime.combine(MON, time(21), tzinfo=VN))
    assert manifest.timeline[2].start == datetime.combine(MON + timedelta(days=1), time(7), tzinfo=VN)
    assert len(manifest.timeline) == 16  # two entries on each of the 8 days of the horizon
    assert [lay.id for lay in manifest.layouts] == ["main_ticker_clock", "fullscreen"]


def test_items_outside_the_horizon_are_dropped_and_validity_is_kept() -> None:
    expired = PlaylistItemSpec(20, "bulletin", title="Cũ", valid_until=NOW - timedelta(days=1))
    later = PlaylistItemSpec(21, "bulletin", title="Sắp tới", valid_from=NOW + timedelta(days=3))
    beyond = PlaylistItemSpec(22, "bulletin", title="Xa", valid_from=NOW + timedelta(days=30))
    manifest = build(lists=playlists(expired, later, beyond))
    index = manifest.item_index()
    assert "p11-i20" not in index and "p11-i22" not in index
    assert index["p11-i21"].valid_from == NOW + timedelta(days=3)
    carrying = [e for e in manifest.timeline if "p11-i21" in e.regions[0].item_ids]
    assert carrying and all(e.end > NOW + timedelta(days=3) for e in carrying)


def test_text_is_nfc_and_ids_are_deterministic() -> None:
    decomposed = unicodedata.normalize("NFD", "Thông báo khẩn")
    manifest = build(lists=playlists(PlaylistItemSpec(30, "bulletin", title=decomposed, text=decomposed)))
    item = manifest.item_index()["p11-i30"]
    assert isinstance(item, TextItem)
    assert item.title == item.body == "Thông báo khẩn"


def test_active_overrides_are_included_and_expired_ones_are_not() -> None:
    def override(ident: str, expires: datetime) -> EmergencyOverride:
        issued = NOW - timedelta(hours=2)
        return EmergencyOverride(id=ident, title="Bão", starts_at=issued, expires_at=expires,
                                 issued_at=issued,
                                 media=media(f"o{ident}"))
    manifest = build(overrides=[override("live", NOW + timedelta(hours=6)), override("old", NOW)])
    assert [o.id for o in manifest.overrides] == ["live"]


def test_media_lists_every_image_and_override_sha256() -> None:
    override = EmergencyOverride(id="e", title="Lũ", starts_at=NOW, expires_at=NOW + timedelta(hours=1),
                                 issued_at=NOW, media=media("flood"))
    manifest = build(overrides=[override])
    assert set(manifest.media()) == {media(n).sha256 for n in ("a", "b", "flood")}


def test_signature_verifies_and_carries_the_version() -> None:
    key = SigningKey.generate()
    manifest = build()
    signed = sign_manifest(manifest, key)
    assert signed.version == content_version(manifest)
    assert verify_manifest(signed, key.verify_key, "7") == manifest


def test_priority_bulletin_beats_a_higher_schedule_priority_and_is_marked() -> None:
    urgent = PlaylistSpec(21, (PlaylistItemSpec(40, "bulletin", title="Khẩn", priority=Priority.PRIORITY),))
    lists = {**playlists(), urgent.id: urgent}
    level = bulletin_priority({"main": 21}, lists)
    morning = {"daily_start": time(8), "daily_end": time(10)}
    province = ScheduleSpec(3, "fullscreen", Target.unit(PROVINCE), {"main": 21}, bulletin_priority=level,
                            **morning)
    board = ScheduleSpec(4, "fullscreen", Target.board(7), {"main": 14}, priority=50, **morning)
    manifest = build(specs=[*SPECS, province, board], lists=lists)
    assert level is Priority.PRIORITY
    entry = next(e for e in manifest.timeline if e.start == datetime.combine(MON, time(8), tzinfo=VN))
    assert (entry.schedule_id, entry.reason) == ("3", PlayReason.PRIORITY)
    assert entry.regions[0].item_ids == ["p21-i40"]


def test_a_schedule_whose_playlist_is_not_playable_leaves_the_lower_schedule_on_screen() -> None:
    # The board's own schedule (most specific, higher priority) names playlist 30, which went back
    # to review: the mapper leaves it out, so the schedule has nothing to play all day.
    own = ScheduleSpec(5, "fullscreen", Target.board(7), {"main": 30}, priority=50,
                       daily_start=time(7), daily_end=time(18))
    manifest = build(specs=[*SPECS, own])
    entry = manifest.timeline[0]
    assert (entry.schedule_id, entry.start) == ("1", datetime.combine(MON, time(7), tzinfo=VN))
    assert entry.regions and all(e.regions for e in manifest.timeline)
    assert "5" not in {e.schedule_id for e in manifest.timeline}


def test_a_schedule_plays_only_while_one_of_its_items_is_valid() -> None:
    wednesday = datetime.combine(MON + timedelta(days=2), time(), tzinfo=VN)
    notice = PlaylistSpec(31, (PlaylistItemSpec(50, "bulletin", title="Họp dân", valid_from=wednesday,
                                                valid_until=wednesday + timedelta(days=1)),))
    own = ScheduleSpec(5, "fullscreen", Target.board(7), {"main": 31}, priority=50,
                       daily_start=time(7), daily_end=time(18))
    manifest = build(specs=[*SPECS, own], lists={**playlists(), notice.id: notice})
    by_day = {(e.start.astimezone(VN).date(), e.schedule_id) for e in manifest.timeline}
    assert (MON, "1") in by_day and (MON, "5") not in by_day
    assert (wednesday.date(), "5") in by_day and (wednesday.date(), "1") not in by_day
    assert all(e.regions for e in manifest.timeline)


def test_unknown_layout_is_refused() -> None:
    bad = ScheduleSpec(9, "nope", Target.board(7), {"main": 11})
    with pytest.raises(ValueError, match="unknown layout 'nope'"):
        build(specs=[bad])


def test_many_boards_get_what_each_would_get_alone() -> None:
    boards = [BOARD, BoardContext(8, (COMMUNE, PROVINCE)), BoardContext(9, (201, PROVINCE)),
              BoardContext(10, (COMMUNE, PROVINCE), timezone="Asia/Bangkok")]
    override = EmergencyOverride(id="e", title="Lũ", starts_at=NOW, expires_at=NOW + timedelta(hours=1),
                                 issued_at=NOW)
    many = build_manifests(boards, SPECS, playlists(), LAYOUTS, {8: [override]}, NOW)
    for board in boards:
        alone = build_manifest(board, SPECS, playlists(), LAYOUTS, [override] if board.board_id == 8 else [],
                               NOW)
        assert many[board.board_id] == alone
    assert isinstance(many[7].item_index()["p14-i5"], ImageItem)
    assert not many[9].item_index().get("p14-i5")  # schedule 2 targets board 7 only
    assert many[7].generated_at.tzinfo is not None and many[7].valid_from.tzinfo == UTC


def test_batch_signing_equals_signing_each_manifest() -> None:
    key = SigningKey.generate()
    boards = [BOARD, BoardContext(8, (COMMUNE, PROVINCE), name="Bảng 8"), BoardContext(9, (201, PROVINCE))]
    override = EmergencyOverride(id="e", title="Lũ", starts_at=NOW, expires_at=NOW + timedelta(hours=1),
                                 issued_at=NOW, media=media("flood"))
    composed = dict(iter_composed(boards, SPECS, playlists(), LAYOUTS, {8: [override]}, NOW, key))
    for board in boards:
        result = composed[board.board_id]
        manifest = verify_manifest(result.signed, key.verify_key, str(board.board_id))
        alone = build_manifest(board, SPECS, playlists(), LAYOUTS, [override] if board.board_id == 8 else [],
                               NOW, sequence=next_sequence(0, NOW))
        assert result.signed.payload == alone.model_dump_json()
        assert result.signed.version == result.version == content_version(alone)
        # The stored document, spliced from escaped parts, is what pydantic writes for it.
        assert result.document == sign_payload(key, alone.model_dump_json(), result.version).model_dump_json()
        assert manifest == alone
        assert result.media_sha256 == tuple(sorted(alone.media()))
        assert result.valid_until == alone.valid_until
    assert media("flood").sha256 in composed[8].media_sha256


def test_bodies_kept_from_an_earlier_composition_give_the_same_signed_documents(monkeypatch) -> None:
    """A later composition of the same content reuses the bodies it kept (none is composed again)
    and stores exactly what composing afresh stores, for boards of the same group and others."""
    key = SigningKey.generate()
    kept = GroupCache()
    sibling, other = BoardContext(10, BOARD.unit_chain, name="Bảng 10"), BoardContext(11, BOARD.unit_chain)
    first = dict(iter_composed([BOARD, sibling], SPECS, playlists(), LAYOUTS, {}, NOW, key, kept=kept))
    assert len(kept) == 2  # board 7 has a schedule of its own
    made = _counting_compose_body(monkeypatch)
    later = NOW + timedelta(minutes=5)
    reused = dict(iter_composed([other, BOARD], SPECS, playlists(), LAYOUTS, {}, later, key, kept=kept))
    assert made == []  # same schedules at the same ranks, same zone and days: the kept bodies
    monkeypatch.undo()
    fresh = dict(iter_composed([other, BOARD], SPECS, playlists(), LAYOUTS, {}, later, key))
    assert reused == fresh
    assert reused[7].version == first[7].version
    elsewhere = BoardContext(9, (PROVINCE,))  # the province's schedule one level nearer: another group
    assert dict(iter_composed([elsewhere], SPECS, playlists(), LAYOUTS, {}, later, key, kept=kept)) == dict(
        iter_composed([elsewhere], SPECS, playlists(), LAYOUTS, {}, later, key))
    assert len(kept) == 3


def test_kept_bodies_are_bounded_by_the_bytes_of_their_text_least_recently_used_out(monkeypatch) -> None:
    key = SigningKey.generate()
    boards = [BOARD, BoardContext(8, (COMMUNE, PROVINCE)), BoardContext(9, (PROVINCE,))]  # three groups
    measured = GroupCache()
    dict(iter_composed(boards, SPECS, playlists(), LAYOUTS, {}, NOW, key, kept=measured))
    largest = max(group.size for group in measured._groups.values())
    assert len(measured) == 3 and largest > 1000
    kept = GroupCache(max_bytes=2 * largest)
    for board in boards:
        dict(iter_composed([board], SPECS, playlists(), LAYOUTS, {}, NOW, key, kept=kept))
    assert len(kept) == 2
    made = _counting_compose_body(monkeypatch)
    dict(iter_composed(boards[1:], SPECS, playlists(), LAYOUTS, {}, NOW, key, kept=kept))
    assert made == []  # the two most recent are kept
    dict(iter_composed(boards[:1], SPECS, playlists(), LAYOUTS, {}, NOW, key, kept=kept))
    assert len(made) == 1  # the first one left


def _counting_compose_body(monkeypatch) -> list[object]:
    from signage_server.manifest import batch

    made: list[object] = []
    real = batch.compose_body
    monkeypatch.setattr(batch, "compose_body", lambda *args: made.append(args) or real(*args))
    return made


def test_a_json_string_is_escaped_in_parts_as_pydantic_escapes_it_whole() -> None:
    from signage_server.manifest.batch import _json_escaped

    text = "".join(map(chr, range(0x80))) + 'Ủy ban "xã" \\ \u2028 \u00a0 🙂'
    whole = SignedManifest(version="v", key_id="k", signature="s", payload=text).model_dump_json()
    halves = _json_escaped(text[:50]) + _json_escaped(text[50:])
    assert whole == '{"version":"v","key_id":"k","signature":"s","payload":"' + halves + '"}'


def test_boards_whose_content_is_unchanged_are_not_signed_again_when_only_changes_are_asked() -> None:
    key = SigningKey.generate()
    other = BoardContext(8, (COMMUNE, PROVINCE), name="Bảng 8")
    first = dict(iter_composed([BOARD, other], SPECS, playlists(), LAYOUTS, {}, NOW, key))
    previous = {7: Previous(first[7].version, first[7].sequence), 8: Previous("stale", first[8].sequence)}
    later = NOW + timedelta(minutes=5)
    changed = dict(iter_composed([BOARD, other], SPECS, playlists(), LAYOUTS, {}, later, key,
                                 previous=previous, changed_only=True))
    assert list(changed) == [8]
    assert changed[8].version == first[8].version and changed[8].sequence > first[8].sequence


@pytest.mark.parametrize(("fields", "message"), [
    ({"kind": "image"}, "names no media"),
    ({"kind": "ticker", "text": "  "}, "has no text"),
    ({"kind": "bulletin"}, "neither title nor body"),
])
def test_incomplete_items_are_refused(fields, message) -> None:
    with pytest.raises(ValueError, match=message):
        PlaylistItemSpec(id=1, **fields)


def test_sequence_grows_with_each_change_of_content_and_stays_while_content_stays() -> None:
    key = SigningKey.generate()
    first = dict(iter_composed([BOARD], SPECS, playlists(), LAYOUTS, {}, NOW, key))[7]
    previous = {7: Previous(first.signed.version, first.sequence)}
    later = NOW + timedelta(minutes=5)
    same = dict(iter_composed([BOARD], SPECS, playlists(), LAYOUTS, {}, later, key, previous=previous))[7]
    edited = dict(iter_composed([BOARD], SPECS, playlists(duration_s=12.0), LAYOUTS, {}, later, key,
                            previous=previous))[7]
    assert same.signed.version == first.signed.version and same.sequence == first.sequence
    assert edited.sequence > first.sequence
    assert verify_manifest(edited.signed, key.verify_key, "7").sequence == edited.sequence
    assert Manifest.model_validate_json(edited.signed.payload).stamp().older_than(
        Manifest.model_validate_json(first.signed.payload).stamp()) is False


@pytest.mark.parametrize(("previous", "now", "expected"), [
    (0, datetime(2026, 11, 30, tzinfo=UTC), 1_795_996_800_000),  # a fresh row: the clock
    (1_795_996_800_000, datetime(2026, 11, 30, tzinfo=UTC), 1_795_996_800_001),  # same millisecond
    (1_795_996_800_000, datetime(2026, 11, 29, tzinfo=UTC), 1_795_996_800_001),  # the clock went back
    (5, datetime(2026, 11, 30, tzinfo=UTC), 1_795_996_800_000),  # a restored database's small counter
])
def test_next_sequence_only_grows(previous: int, now: datetime, expected: int) -> None:
    assert next_sequence(previous, now) == expected


def test_the_manifest_carries_every_schedule_as_a_programme_source() -> None:
    specs = [
        ScheduleSpec(1, "main_ticker_clock", Target.unit(PROVINCE), {"main": 11, "ticker": 12, "clock": 13},
                     weight=3, priority_every_min=5),
        ScheduleSpec(2, "fullscreen", Target.unit(COMMUNE), {"main": 14}, daily_start=time(19),
                     daily_end=time(21), exclusive=True),
        ScheduleSpec(3, "fullscreen", Target.board(99), {"main": 14}),  # another board's: left out
    ]
    manifest = build(specs=specs)
    province, evening = manifest.sources
    assert (province.schedule_id, province.weight, province.priority_every_min, province.exclusive) == \
        ("1", 3, 5, False)
    assert province.lead_region_id == "main" and [r.region_id for r in province.regions] == \
        ["main", "ticker", "clock"]
    assert [(w.start, w.end) for w in province.windows] == [(manifest.valid_from, manifest.valid_until)]
    assert evening.exclusive and len(evening.windows) == 8
    assert evening.windows[0].start == datetime.combine(MON, time(19), tzinfo=VN)
    assert {lay.id for lay in manifest.layouts} >= {"main_ticker_clock", "fullscreen"}
    assert set(manifest.item_index()) >= {i for s in manifest.sources for r in s.regions for i in r.item_ids}


def test_the_batch_splices_the_sources_like_the_one_board_path() -> None:
    specs = [*SPECS, ScheduleSpec(3, "fullscreen", Target.unit(COMMUNE), {"main": 14}, weight=2)]
    key = SigningKey.generate()
    composed = dict(iter_composed([BOARD], specs, playlists(), LAYOUTS, {}, NOW, key))[7]
    one = build(specs=specs)
    assert composed.signed.version == content_version(one)
    assert verify_manifest(composed.signed, key.verify_key, "7").sources == one.sources
