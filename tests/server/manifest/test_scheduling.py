import random
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from signage_contract import Priority
from signage_server.manifest.scheduling import (
    TAG_RANK,
    BoardContext,
    ScheduleSpec,
    SpecIndex,
    Target,
    applicable,
    applies_to,
    intersect,
    merge_intervals,
    resolve,
    timeline,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PROVINCE, COMMUNE, VILLAGE = 100, 200, 300
BOARD = BoardContext(board_id=7, unit_chain=(VILLAGE, COMMUNE, PROVINCE), tags=frozenset({"led"}))
# 2026-11-20 is a Friday.
FRI, SAT, SUN, MON, TUE = (date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22), date(2026, 11, 23),
                          date(2026, 11, 24))
UPDATED = datetime(2026, 1, 1, tzinfo=UTC)


def at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=VN)


def spec(spec_id: int = 1, target: Target | None = None, **fields: object) -> ScheduleSpec:
    fields.setdefault("updated_at", UPDATED)
    return ScheduleSpec(id=spec_id, layout_id="fullscreen", target=target or Target.board(7),
                        **fields)  # type: ignore[arg-type]


OVERNIGHT_FRI = {"weekdays": {4}, "daily_start": time(22), "daily_end": time(6)}
OFFICE = {"daily_start": time(8), "daily_end": time(17)}

WINDOW_CASES = [
    ("overnight plays the morning after its day", OVERNIGHT_FRI, at(SAT, 3), True),
    ("overnight does not play the morning of its day", OVERNIGHT_FRI, at(FRI, 3), False),
    ("overnight opens at its start", OVERNIGHT_FRI, at(FRI, 22), True),
    ("overnight is closed just before its start", OVERNIGHT_FRI, at(FRI, 21, 59, 59), False),
    ("overnight end is exclusive", OVERNIGHT_FRI, at(SAT, 6), False),
    ("daily start is inclusive", OFFICE, at(MON, 8), True),
    ("daily end is exclusive", OFFICE, at(MON, 17), False),
    ("last second before the end plays", OFFICE, at(MON, 16, 59, 59), True),
    ("17:00Z Sunday is Monday 00:00 local", {"weekdays": {0}}, datetime(2026, 11, 22, 17, tzinfo=UTC), True),
    ("16:59:59Z Sunday is still Sunday local", {"weekdays": {0}},
     datetime(2026, 11, 22, 16, 59, 59, tzinfo=UTC), False),
    ("weekend only: Saturday", {"weekdays": {5, 6}}, at(SAT, 12), True),
    ("weekend only: Friday", {"weekdays": {5, 6}}, at(FRI, 12), False),
    ("date range includes its last day", {"start_date": FRI, "end_date": SUN}, at(SUN, 23, 59, 59), True),
    ("date range ends at the next local midnight", {"start_date": FRI, "end_date": SUN}, at(MON, 0), False),
    ("date range starts at local midnight", {"start_date": FRI, "end_date": SUN}, at(FRI, 0), True),
    ("before the date range", {"start_date": FRI}, at(FRI, 0) - timedelta(seconds=1), False),
    ("overnight of the last day runs past the range", {**OVERNIGHT_FRI, "end_date": FRI}, at(SAT, 3), True),
    ("a start alone runs to midnight", {"daily_start": time(18)}, at(MON, 23, 59), True),
    ("an end alone runs from midnight", {"daily_end": time(9)}, at(MON, 0, 30), True),
    ("equal start and end is a whole overnight day", {"daily_start": time(8), "daily_end": time(8)},
     at(MON, 7, 59), True),
]


@pytest.mark.parametrize(("window", "instant", "plays"), [c[1:] for c in WINDOW_CASES],
                         ids=[c[0] for c in WINDOW_CASES])
def test_daily_windows_weekdays_and_dates(window, instant, plays) -> None:
    schedule = spec(**window)
    assert (resolve([schedule], BOARD, instant).winner is schedule) is plays


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        resolve([spec()], BOARD, datetime(2026, 11, 23, 8))


LATER = datetime(2026, 6, 1, tzinfo=UTC)
PRECEDENCE_CASES = [
    ("board over its unit", [spec(1, Target.board(7)), spec(2, Target.unit(VILLAGE))], 1),
    ("nearer unit over higher unit",
     [spec(1, Target.unit(PROVINCE)), spec(2, Target.unit(VILLAGE)), spec(3, Target.unit(COMMUNE))], 2),
    ("any unit over a tag", [spec(1, Target.of_tag("led")), spec(2, Target.unit(PROVINCE))], 2),
    ("schedule priority beats specificity",
     [spec(1, Target.board(7)), spec(2, Target.unit(PROVINCE), priority=5)], 2),
    ("bulletin priority beats schedule priority",
     [spec(1, Target.board(7), priority=10),
      spec(2, Target.of_tag("led"), bulletin_priority=Priority.PRIORITY)], 2),
    ("emergency bulletin beats priority bulletin",
     [spec(1, bulletin_priority=Priority.PRIORITY), spec(2, bulletin_priority=Priority.EMERGENCY)], 2),
    ("most recently updated wins a tie", [spec(1, updated_at=LATER), spec(2)], 1),
    ("naive updated_at is UTC", [spec(1, updated_at=LATER.replace(tzinfo=None)), spec(2)], 1),
    ("higher id wins a full tie", [spec(1), spec(2)], 2),
    ("default loses to anything else",
     [spec(1, Target.board(7), is_default=True, priority=99), spec(2, Target.of_tag("led"))], 2),
    ("default plays when nothing else is open",
     [spec(1, is_default=True), spec(2, Target.unit(PROVINCE), **OVERNIGHT_FRI)], 1),
    ("other board, unit and tag do not apply",
     [spec(1, Target.board(8)), spec(2, Target.unit(999)), spec(3, Target.of_tag("lcd"))], None),
]


@pytest.mark.parametrize(("specs", "expected"), [c[1:] for c in PRECEDENCE_CASES],
                         ids=[c[0] for c in PRECEDENCE_CASES])
def test_precedence(specs, expected) -> None:
    for order in (specs, specs[::-1]):  # input order never matters
        winner = resolve(order, BOARD, at(MON, 12)).winner
        assert (winner.id if winner else None) == expected


SPECIFICITY_CASES = [
    (Target.board(7), 0), (Target.unit(VILLAGE), 1), (Target.unit(COMMUNE), 2),
    (Target.unit(PROVINCE), 3), (Target.of_tag("led"), TAG_RANK), (Target.board(8), None),
]


@pytest.mark.parametrize(("target", "rank"), SPECIFICITY_CASES)
def test_specificity_rank(target, rank) -> None:
    assert applies_to(spec(target=target), BOARD) == rank


def test_target_without_its_reference_is_refused() -> None:
    with pytest.raises(ValueError, match="unit target needs"):
        Target("unit")


NEXT_CHANGE_CASES = [
    ("office hours close", [spec(**OFFICE)], at(MON, 10), at(MON, 17)),
    ("office hours reopen tomorrow", [spec(**OFFICE)], at(MON, 18), at(MON + timedelta(days=1), 8)),
    ("overnight closes in the morning", [spec(**OVERNIGHT_FRI)], at(SAT, 3), at(SAT, 6)),
    ("weekly overnight reopens next Friday", [spec(**OVERNIGHT_FRI)], at(SAT, 7),
     at(FRI + timedelta(days=7), 22)),
    ("earliest of several", [spec(1, **OFFICE), spec(2, daily_start=time(12), daily_end=time(13))],
     at(MON, 10), at(MON, 12)),
    ("all day every day never changes", [spec()], at(MON, 10), None),
    ("consecutive all-day dates merge into one window", [spec(weekdays={0, 1, 2})], at(MON, 10),
     at(MON + timedelta(days=3), 0)),
    ("far start date", [spec(start_date=MON + timedelta(days=60))], at(MON, 10),
     at(MON + timedelta(days=60), 0)),
    ("ended range", [spec(end_date=FRI)], at(MON, 10), None),
    ("inapplicable schedules are ignored", [spec(target=Target.board(8), **OFFICE)], at(MON, 10), None),
]


@pytest.mark.parametrize(("specs", "now", "expected"), [c[1:] for c in NEXT_CHANGE_CASES],
                         ids=[c[0] for c in NEXT_CHANGE_CASES])
def test_next_change_at(specs, now, expected) -> None:
    assert resolve(specs, BOARD, now).next_change_at == expected


def test_unit_merger_new_chain_picks_the_new_units_schedule() -> None:
    old_commune, new_commune = 201, 250
    old = spec(1, Target.unit(old_commune))
    new = spec(2, Target.unit(new_commune))
    # The mapper gives the chain as of `now`: before the merger the board sat under the old commune.
    before = BoardContext(board_id=7, unit_chain=(old_commune, PROVINCE))
    after = BoardContext(board_id=7, unit_chain=(new_commune, PROVINCE))
    assert resolve([old, new], before, at(date(2025, 6, 30), 12)).winner is old
    assert resolve([old, new], after, at(date(2025, 7, 1), 12)).winner is new
    assert applies_to(old, after) is None


MIXED = [
    spec(1, Target.unit(PROVINCE), is_default=True),
    spec(2, Target.unit(COMMUNE), **OFFICE, weekdays={0, 1, 2, 3, 4}),
    spec(3, Target.board(7), **OVERNIGHT_FRI),
    spec(4, Target.of_tag("led"), daily_start=time(12), daily_end=time(13), priority=3),
    spec(5, Target.unit(VILLAGE), start_date=SUN, end_date=SUN, bulletin_priority=Priority.PRIORITY),
    spec(6, Target.board(8), **OFFICE),
]


def test_timeline_covers_the_span_without_gaps_or_repeats() -> None:
    segments = timeline(MIXED, BOARD, at(FRI, 0), at(FRI, 0) + timedelta(days=7))
    assert segments[0].start == at(FRI, 0) and segments[-1].end == at(FRI, 0) + timedelta(days=7)
    for previous, current in pairwise(segments):
        assert previous.end == current.start
        assert previous.spec is not current.spec


def test_timeline_agrees_with_resolve_walked_through_next_change() -> None:
    start, end = at(FRI, 0), at(FRI, 0) + timedelta(days=7)
    walked: list[tuple[datetime, int | None]] = []
    now = start
    while now < end:
        result = resolve(MIXED, BOARD, now)
        winner = result.winner.id if result.winner else None
        if not walked or walked[-1][1] != winner:
            walked.append((now, winner))
        now = min(result.next_change_at or end, end)
    swept = [(s.start, s.spec.id if s.spec else None) for s in timeline(MIXED, BOARD, start, end)]
    assert swept == walked


def test_timeline_without_specs_is_one_empty_segment() -> None:
    segments = timeline([], BOARD, at(MON, 0), at(MON, 12))
    assert [(s.start, s.end, s.spec) for s in segments] == [(at(MON, 0), at(MON, 12), None)]


def test_spec_index_finds_what_a_full_scan_finds() -> None:
    specs = [*MIXED, spec(7, Target.unit(999)), spec(8, Target.of_tag("lcd"))]
    by_scan = sorted(applicable(specs, BOARD), key=lambda pair: pair[0].id)
    assert SpecIndex(specs).applicable(BOARD) == by_scan


def test_zone_generic_window_in_another_zone() -> None:
    paris = BoardContext(board_id=7, timezone="Europe/Paris")
    schedule = spec(**OFFICE)
    # 2026-03-29: Paris moves to UTC+2; 08:00 local is 06:00Z.
    assert resolve([schedule], paris, datetime(2026, 3, 29, 6, tzinfo=UTC)).winner is schedule
    assert resolve([schedule], paris, datetime(2026, 3, 29, 5, 59, tzinfo=UTC)).winner is None


def _random_specs(seed: int, count: int = 40) -> list[ScheduleSpec]:
    rng = random.Random(seed)
    targets = [Target.board(7), Target.board(8), Target.unit(VILLAGE), Target.unit(COMMUNE),
               Target.unit(PROVINCE), Target.of_tag("led")]
    specs = []
    for spec_id in range(1, count + 1):
        fields: dict = {"priority": rng.randint(0, 2), "is_default": rng.random() < 0.1}
        if rng.random() < 0.8:
            fields["daily_start"] = time(rng.randrange(24), rng.choice((0, 30)))
            fields["daily_end"] = time(rng.randrange(24), rng.choice((0, 30)))
        if rng.random() < 0.5:
            fields["weekdays"] = set(rng.sample(range(7), rng.randint(1, 6)))
        if rng.random() < 0.3:
            fields["start_date"] = date(2026, 3, 22) + timedelta(days=rng.randint(0, 6))
            fields["end_date"] = fields["start_date"] + timedelta(days=rng.randint(0, 4))
        specs.append(spec(spec_id, rng.choice(targets), **fields))
    return specs


@pytest.mark.parametrize("zone", ["Asia/Ho_Chi_Minh", "Europe/Paris"])  # Paris: a DST change that week
@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("with_content", [False, True], ids=["always content", "content comes and goes"])
def test_timeline_equals_walking_resolve_for_random_schedules(zone, seed, with_content) -> None:
    board = BoardContext(7, (VILLAGE, COMMUNE, PROVINCE), frozenset({"led"}), timezone=zone)
    specs = _random_specs(seed)
    start = datetime(2026, 3, 23, tzinfo=ZoneInfo(zone))
    end = start + timedelta(days=7)
    content = _random_content(seed, specs, start) if with_content else None
    walked, now = [], start
    while now < end:
        result = resolve(specs, board, now, content)
        if not walked or walked[-1][1] is not result.winner:
            walked.append((now, result.winner))
        now = min(result.next_change_at or end, end)
    assert [(s.start, s.spec) for s in timeline(specs, board, start, end, content)] == walked


def _random_content(seed: int, specs: list[ScheduleSpec], start: datetime) -> dict:
    """For about half the specs, a few random spans of the week with something to play (none for some)."""
    rng = random.Random(seed * 7919)
    content = {}
    for one in specs:
        if rng.random() < 0.5:
            spans = []
            for _ in range(rng.randint(0, 3)):
                opens = start + timedelta(hours=rng.randint(0, 7 * 24))
                closes = opens + timedelta(hours=rng.randint(1, 48))
                spans.append((opens.astimezone(UTC), closes.astimezone(UTC)))
            content[one.id] = merge_intervals(spans)
    return content


# --- nothing to play (issue 11, finding 5) --------------------------------------------------------


def test_a_schedule_with_nothing_to_play_never_hides_a_lower_one_with_content() -> None:
    own = spec(1, Target.board(7), priority=5)  # the most specific and the highest priority
    province = spec(2, Target.unit(PROVINCE))
    empty = {own.id: ()}  # its playlist went back to review: nothing left to play
    assert resolve([own, province], BOARD, at(MON, 12)).winner is own
    assert resolve([own, province], BOARD, at(MON, 12), empty).winner is province
    segments = timeline([own, province], BOARD, at(MON, 0), at(MON, 12), empty)
    assert [(s.start, s.end, s.spec) for s in segments] == [(at(MON, 0), at(MON, 12), province)]


def test_a_schedule_competes_only_while_its_content_is_valid() -> None:
    own = spec(1, Target.board(7), **OFFICE)
    province = spec(2, Target.unit(PROVINCE))
    valid = {own.id: ((at(MON, 10).astimezone(UTC), at(MON, 12).astimezone(UTC)),)}
    segments = timeline([own, province], BOARD, at(MON, 0), at(TUE, 0), valid)
    assert [(s.start, s.spec.id if s.spec else None) for s in segments] == [
        (at(MON, 0), 2), (at(MON, 10), 1), (at(MON, 12), 2)]
    assert resolve([own, province], BOARD, at(MON, 9), valid).next_change_at == at(MON, 10)


def test_interval_helpers_merge_and_intersect() -> None:
    a, b, c, d = (at(MON, h).astimezone(UTC) for h in (1, 2, 3, 4))
    assert merge_intervals([(c, d), (a, b), (b, c), (d, d)]) == ((a, d),)
    assert intersect(((a, c),), ((b, d),)) == ((b, c),)
    assert intersect(((a, b), (c, d)), ((a, d),)) == ((a, b), (c, d))
    assert intersect(((a, b),), ((c, d),)) == ()


@pytest.mark.parametrize(
    ("within", "expected"),
    [(None, TAG_RANK), (COMMUNE, TAG_RANK), (PROVINCE, TAG_RANK), (999, None)],
    ids=["unscoped", "own commune", "province above", "another commune"],
)
def test_tag_schedule_reaches_only_boards_inside_its_owner_unit(within, expected) -> None:
    tagged = spec(target=Target.of_tag("led", within=within))
    assert applies_to(tagged, BOARD) == expected
    ranks = [rank for _s, rank in SpecIndex([tagged]).applicable(BOARD)]
    assert ranks == ([] if expected is None else [expected])
