"""The timeline is pure: (manifest, now) -> what each region shows and when to look again."""

from datetime import timedelta

import pytest

from player.core.timeline import FALLBACK_LAYOUT, MAX_ITEM_S, MIN_ITEM_S, clamp_duration_s, resolve
from signage_contract import ImageItem
from tests.support.player_factories import LAYOUT_SPLIT, NOW, entry, image_item, manifest, media_ref

S = timedelta(seconds=1)
START = NOW - timedelta(hours=1)


def _text(item_id: str, duration_s: float = 10, **extra):
    return {"kind": "text", "id": item_id, "title": item_id, "duration_s": duration_s, **extra}


def _loop(*items, start=START, end=NOW + timedelta(days=1), **extra):
    return manifest(list(items), [entry(start, end, {"main": [i["id"] for i in items]})], **extra)


def _main(frame):
    return next(show for show in frame.regions if show.region.id == "main")


# (case, manifest, instant, expected item id in main (None = fallback), expected next change)
CASES = [
    ("first item at the loop's anchor", _loop(_text("a"), _text("b")), START, "a", START + 10 * S),
    ("second item mid-loop", _loop(_text("a"), _text("b")), START + 15 * S, "b", START + 20 * S),
    ("loop wraps around", _loop(_text("a"), _text("b")), START + 21 * S, "a", START + 30 * S),
    ("unequal durations", _loop(_text("a", 5), _text("b", 30)), START + 6 * S, "b", START + 35 * S),
    (
        "absurdly long duration is clamped",
        _loop(_text("a", 1e12), _text("b")),
        START + timedelta(seconds=MAX_ITEM_S) + S,
        "b",
        START + timedelta(seconds=MAX_ITEM_S + 10),
    ),
    (
        "absurdly short duration is clamped",
        _loop(_text("a", 1e-9), _text("b")),
        START + S,
        "a",
        START + timedelta(seconds=MIN_ITEM_S),
    ),
    (
        "one item plays continuously until the entry ends",
        _loop(_text("a"), end=NOW + timedelta(hours=2)),
        NOW,
        "a",
        NOW + timedelta(hours=1),
    ),
    (
        "item not yet valid is skipped; its start is a change",
        _loop(_text("a"), _text("b", valid_from=NOW + timedelta(minutes=5))),
        NOW,
        "a",
        NOW + timedelta(minutes=5),
    ),
    (
        "expired item is skipped",
        _loop(_text("a", valid_until=NOW - S), _text("b")),
        NOW,
        "b",
        NOW + timedelta(hours=1),
    ),
    (
        "unknown item kind is skipped",
        _loop({"kind": "hologram", "id": "v"}, _text("b")),
        NOW,
        "b",
        NOW + timedelta(hours=1),
    ),
    ("nothing valid: fallback", _loop(_text("a", valid_until=NOW - S)), NOW, None, NOW + timedelta(hours=1)),
    (
        "before the first entry: fallback until it starts",
        _loop(_text("a"), start=NOW + 30 * S),
        NOW,
        None,
        NOW + 30 * S,
    ),
    ("after the last entry: fallback", _loop(_text("a"), end=NOW - S), NOW, None, NOW + timedelta(hours=1)),
]


@pytest.mark.parametrize(
    ("case", "value", "now", "expected", "next_change"), CASES, ids=[c[0] for c in CASES]
)
def test_resolve_table(case, value, now, expected, next_change) -> None:
    frame = resolve(value, now)
    shown = _main(frame).item
    assert (shown.id if shown else None) == expected
    assert frame.next_change_at == next_change


def test_no_manifest_shows_the_fallback_layout() -> None:
    frame = resolve(None, NOW)
    assert frame.layout == FALLBACK_LAYOUT and _main(frame).item is None


def test_unplayable_image_is_skipped() -> None:
    ref = media_ref(b"x", 1, 1)
    value = _loop(image_item("img", ref), _text("b"))
    frame = resolve(value, START, playable=lambda item: not isinstance(item, ImageItem))
    assert _main(frame).item.id == "b"


def test_emergency_entry_wins_over_scheduled() -> None:
    items = [_text("normal"), _text("urgent")]
    timeline = [
        entry(START, NOW + timedelta(days=1), {"main": ["normal"]}),
        entry(NOW - S, NOW + timedelta(minutes=10), {"main": ["urgent"]}, reason="emergency"),
    ]
    frame = resolve(manifest(items, timeline), NOW)
    assert _main(frame).item.id == "urgent"
    assert frame.next_change_at == NOW + timedelta(minutes=10)


def test_regions_of_the_layout_each_get_their_playlist() -> None:
    items = [_text("left"), _text("right")]
    timeline = [
        entry(START, NOW + timedelta(days=1), {"main": ["left"], "side": ["right"]}, layout_id="split")
    ]
    frame = resolve(manifest(items, timeline, layouts=[LAYOUT_SPLIT]), NOW)
    assert {s.region.id: s.item.id for s in frame.regions} == {"main": "left", "side": "right"}


def test_entry_with_unknown_layout_is_skipped() -> None:
    timeline = [entry(START, NOW + timedelta(days=1), {"main": ["a"]}, layout_id="nope")]
    assert _main(resolve(manifest([_text("a")], timeline), NOW)).item is None


def test_most_severe_active_override_is_chosen_and_its_expiry_is_a_change() -> None:
    def override(oid, level, expires):
        return {
            "id": oid,
            "title": "Bão",
            "risk_level": level,
            "starts_at": NOW - S,
            "expires_at": expires,
            "issued_at": NOW - S,
        }

    value = _loop(
        _text("a"),
        overrides=[
            override("o3", 3, NOW + timedelta(hours=3)),
            override("o4", 4, NOW + timedelta(minutes=20)),
        ],
    )
    frame = resolve(value, NOW)
    assert frame.override.id == "o4"
    assert frame.next_change_at == NOW + timedelta(minutes=20)
    assert resolve(value, NOW + timedelta(minutes=20)).override.id == "o3"


def test_schedule_is_followed_for_the_whole_seven_day_horizon() -> None:
    day = timedelta(days=1)
    timeline = [entry(NOW + n * day, NOW + (n + 1) * day, {"main": [f"d{n}"]}) for n in range(7)]
    value = manifest([_text(f"d{n}") for n in range(7)], timeline)
    assert [_main(resolve(value, NOW + n * day + timedelta(hours=5))).item.id for n in range(7)] == [
        f"d{n}" for n in range(7)
    ]


@pytest.mark.parametrize(("given", "expected"), [(0.001, MIN_ITEM_S), (10.0, 10.0), (1e9, MAX_ITEM_S)])
def test_clamp_duration(given: float, expected: float) -> None:
    assert clamp_duration_s(given) == expected


# --- an entry with nothing to play (issue 11, finding 5) ------------------------------------------


def test_an_entry_with_nothing_to_play_never_wins_over_one_with_content() -> None:
    items = [_text("province")]
    timeline = [
        entry(START, NOW + timedelta(days=1), {"main": ["province"]}),
        entry(NOW - S, NOW + timedelta(hours=2), {}, reason="priority"),  # its playlist went back to review
    ]
    assert _main(resolve(manifest(items, timeline), NOW)).item.id == "province"


def test_an_entry_whose_items_cannot_play_yet_yields_until_they_can() -> None:
    ref = media_ref(b"x", 1, 1)
    items = [_text("province"), image_item("poster", ref), _text("notice", valid_from=NOW + 5 * S)]
    timeline = [
        entry(START, NOW + timedelta(days=1), {"main": ["province"]}),
        entry(NOW - S, NOW + timedelta(hours=2), {"main": ["poster", "notice"]}, reason="priority"),
    ]
    value = manifest(items, timeline)
    def no_images(item):
        return not isinstance(item, ImageItem)

    media_missing = resolve(value, NOW, playable=no_images)
    assert _main(media_missing).item.id == "province"
    assert media_missing.next_change_at == NOW + 5 * S  # the notice becomes valid: look again
    assert _main(resolve(value, NOW + 5 * S, playable=no_images)).item.id == "notice"
    assert _main(resolve(value, NOW)).item.id == "poster"  # media in the cache: the higher entry plays


# --- the programme (a manifest with sources) ------------------------------------------------------

DAY_START = NOW.replace(hour=0, minute=0) - timedelta(hours=7)  # local midnight (UTC+7)


def _source(sid, regions, layout_id="full", windows=None, **extra):
    return {
        "schedule_id": sid,
        "layout_id": layout_id,
        "lead_region_id": "main",
        "windows": windows or [{"start": DAY_START, "end": DAY_START + timedelta(days=2)}],
        "regions": [{"region_id": r, "item_ids": ids} for r, ids in regions.items()],
        **extra,
    }


def _programme_manifest():
    items = [_text("a", 10), _text("b", 20), _text("p", 5, priority="priority"),
             {"kind": "ticker", "id": "t", "text": "Chữ chạy", "duration_s": 60}]
    sources = [
        _source("1", {"main": ["a", "p"], "ticker": ["t"]}, layout_id="mtc"),
        _source("2", {"main": ["b"]}, windows=[{"start": START, "end": NOW + timedelta(hours=2)}]),
    ]
    return manifest(items, [entry(START, NOW + timedelta(days=1), {"main": ["a"]})], sources=sources)


def test_a_manifest_with_sources_plays_the_programme_not_the_timeline() -> None:
    from player.core.playtrack import frame_shows
    from signage_contract.programme import plays

    value = _programme_manifest()
    expected = plays(value.sources, value.item_index(), value.timezone, START, NOW + timedelta(hours=2))
    assert {p.source.schedule_id for p in expected} == {"1", "2"}
    for play in expected[:40]:
        frame = resolve(value, play.start + S)
        assert _main(frame).item is not None and _main(frame).item.id == play.item.id
        assert _main(frame).started_at == play.start and frame.next_change_at <= play.end
        assert frame.entry is not None and frame.entry.schedule_id == play.source.schedule_id
        assert frame.layout.id == play.source.layout_id  # each play in its own schedule's layout
        assert frame.entry.reason == ("priority" if play.item.id == "p" else "scheduled")
        assert frame_shows(frame)["main"].schedule_id == play.source.schedule_id  # proof of play


def test_the_other_regions_of_a_source_loop_from_the_segment_start_across_its_plays() -> None:
    value = _programme_manifest()
    shows = [next(s for s in resolve(value, START + k * S).regions if s.region.id == "ticker")
             for k in (1, 40, 100) if resolve(value, START + k * S).layout.id == "mtc"]
    assert len(shows) >= 2 and {s.started_at for s in shows} == {START}


def test_the_programme_skips_items_not_playable_on_the_board() -> None:
    value = _programme_manifest()
    frames = [resolve(value, START + k * S, lambda it: it.id != "b") for k in range(0, 120, 3)]
    assert {f.entry.schedule_id for f in frames if f.entry} == {"1"}


def test_a_manifest_with_sources_none_open_shows_the_fallback() -> None:
    value = _programme_manifest()
    late = value.model_copy(update={"sources": [value.sources[1]]})
    frame = resolve(late, NOW + timedelta(hours=3))
    assert frame.layout is FALLBACK_LAYOUT and _main(frame).item is None
