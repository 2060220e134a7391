"""A requisitioned board's manifest: its windows travel signed, and its sources and timeline are cut
to them by the server too, so a player of the previous contract honours them."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from nacl.signing import SigningKey

from signage_contract import Manifest, PlayReason
from signage_contract.programme import playing_sources, plays
from signage_server.manifest.batch import iter_composed
from signage_server.manifest.builder import PlaylistItemSpec, PlaylistSpec, build_manifest
from signage_server.manifest.scheduling import RequisitionRule, ScheduleSpec, Target, requisition_intervals

from .test_builder import BOARD, LAYOUTS, MON, NOW, PROVINCE, VN, media

HOURLY = RequisitionRule((frozenset(), time(6), time(22), None, None), every_min=60, length_min=5)
SHOP = replace(BOARD, board_id=9, name="Bảng LED cửa hàng", requisition=(HOURLY,))
LISTS = {
    11: PlaylistSpec(11, (PlaylistItemSpec(1, "bulletin", title="Lịch tiếp công dân", text="Thứ Năm"),)),
    21: PlaylistSpec(21, (PlaylistItemSpec(2, "image", media=media("shop")),)),
}
SPECS = [
    ScheduleSpec(1, "fullscreen", Target.unit(PROVINCE), {"main": 11}),
    ScheduleSpec(2, "fullscreen", Target.board(9), {"main": 21}, owner=True),
]


def in_windows(manifest: Manifest, at: datetime) -> bool:
    assert manifest.requisition is not None
    return any(w.start <= at < w.end for w in manifest.requisition.windows)


def test_requisition_rules_expand_to_five_minutes_every_hour() -> None:
    found = requisition_intervals((HOURLY,), "Asia/Ho_Chi_Minh", MON, MON)
    assert len(found) == 16
    assert found[0] == (datetime.combine(MON, time(6), tzinfo=VN).astimezone(UTC),
                        datetime.combine(MON, time(6, 5), tzinfo=VN).astimezone(UTC))
    assert found[-1][0].astimezone(VN).time() == time(21)


def test_the_manifest_carries_the_windows_and_cuts_sources_and_timeline() -> None:
    manifest = build_manifest(SHOP, SPECS, LISTS, LAYOUTS, (), NOW)
    assert manifest.requisition is not None and len(manifest.requisition.windows) == 16 * 8
    government, owner = manifest.sources
    assert owner.owner and not government.owner
    assert all(in_windows(manifest, w.start) and in_windows(manifest, w.end - timedelta(microseconds=1))
               for w in government.windows)
    assert not any(in_windows(manifest, w.start) for w in owner.windows)
    for entry in manifest.timeline:
        inside = in_windows(manifest, entry.start)
        assert inside == (entry.schedule_id == "1"), entry
        assert entry.reason is PlayReason.SCHEDULED


def test_an_old_player_ignoring_the_field_plays_the_same_day() -> None:
    manifest = build_manifest(SHOP, SPECS, LISTS, LAYOUTS, (), NOW)
    data = json.loads(manifest.model_dump_json())
    del data["requisition"]
    for source in data["sources"]:
        del source["owner"]
    old = Manifest.model_validate(data)
    start, end = manifest.valid_from, manifest.valid_from + timedelta(days=1)
    new_day = plays(playing_sources(manifest), manifest.item_index(), manifest.timezone, start, end)
    old_day = plays(playing_sources(old), old.item_index(), old.timezone, start, end)
    assert [(p.start, p.item.id) for p in new_day] == [(p.start, p.item.id) for p in old_day]


def test_owner_content_reaches_no_board_that_is_not_requisitioned() -> None:
    public = replace(SHOP, requisition=None)
    manifest = build_manifest(public, SPECS, LISTS, LAYOUTS, (), NOW)
    assert manifest.requisition is None
    assert [s.schedule_id for s in manifest.sources] == ["1"]
    assert {e.schedule_id for e in manifest.timeline} == {"1"}


def test_a_requisitioned_board_does_not_share_a_body_with_a_public_one() -> None:
    public = replace(SHOP, board_id=10, requisition=None)
    composed = dict(iter_composed([SHOP, public], SPECS[:1], LISTS, LAYOUTS, {}, NOW, SigningKey.generate()))
    shop = Manifest.model_validate_json(composed[9].signed.payload)
    other = Manifest.model_validate_json(composed[10].signed.payload)
    assert shop.requisition is not None and other.requisition is None
    assert len(shop.timeline) > len(other.timeline)
