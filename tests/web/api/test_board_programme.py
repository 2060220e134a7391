"""The board's programme (``GET /boards/{id}/programme``) times a long text as its player does: its
pages or its scroll measured at the board's size in its region, so the plan is what the board plays."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pygame
import pytest
from sqlmodel import select

from player.core.cache import MediaCache
from player.core.timeline import programme_of
from player.screen.compositor import Compositor
from player.screen.images import ImageStore
from signage_contract import LOCAL_ZONE, Manifest, SignedManifest
from signage_contract.text_play import screen_of
from signage_server.models import ComposedManifest
from tests.player.screen.test_paging import LEGAL
from tests.web.api.test_flow import _publish


@pytest.fixture
def fonts_open():
    pygame.font.init()
    yield
    pygame.font.quit()


def _composed(session, board_id: int) -> Manifest:
    session.expire_all()
    row = session.exec(select(ComposedManifest).where(ComposedManifest.board_id == board_id)).one()
    return Manifest.model_validate_json(SignedManifest.model_validate_json(row.document).payload)


def _player_plays(manifest: Manifest, start: datetime, end: datetime, tmp_path) -> list[tuple[str, str, str]]:
    """The day as the player walks it: its own programme, its own durations at its window's size."""
    screen = screen_of(manifest)
    assert screen is not None
    compositor = Compositor(pygame.Surface(screen), ImageStore(MediaCache(tmp_path), synchronous=True))
    programme = programme_of(manifest, compositor.duration_of, screen)
    found, at = [], start
    while at < end:
        play, until = programme.play_at(at)
        if play is not None:
            found.append((play.start.isoformat(), play.end.isoformat(), play.item.id))
        at = until
    return found


@pytest.mark.parametrize("size", [(384, 192), (1080, 1920)], ids=["led", "portrait"])
def test_the_plan_of_a_board_with_long_texts_is_what_its_player_plays(
    client, app, users, tree, session, fonts_open, tmp_path, size
) -> None:
    admin, editor = users["admin_a"].headers, users["editor_a"].headers
    board = client.post("/api/v1/boards", headers=admin, json={
        "name": "Bảng xã", "unit_id": tree.village_a, "width": size[0], "height": size[1]}).json()["id"]
    playlist = client.post("/api/v1/playlists", json={"name": "Thông báo"}, headers=editor).json()["id"]
    texts = [("Lịch tiếp công dân", LEGAL, {}),
             ("Lịch tiếp công dân (chạy chữ)", LEGAL, {"flow": "scroll"}),
             ("Chào mừng", "", {})]
    for title, body, options in texts:
        bulletin = client.post("/api/v1/bulletins", headers=editor,
                               json={"title": title, "body": body}).json()
        _publish(client, users, "bulletins", bulletin["id"])
        added = client.post(f"/api/v1/playlists/{playlist}/items", headers=editor, json={
            "kind": "bulletin", "bulletin_id": bulletin["id"], "duration_s": 10, "options": options})
        assert added.status_code in (200, 201), added.text
    schedule = client.post("/api/v1/schedules", headers=editor, json={
        "name": "Cả ngày", "layout_id": "main_ticker_clock", "regions": {"main": playlist},
        "target_kind": "unit", "target_unit_id": tree.commune_a}).json()["id"]
    _publish(client, users, "playlists", playlist)
    _publish(client, users, "schedules", schedule)
    client.portal.call(app.state.composer.wait_idle)

    day = datetime.now(UTC).astimezone(LOCAL_ZONE).date() + timedelta(days=1)  # wholly in the manifest
    answer = client.get(f"/api/v1/boards/{board}/programme?date={day.isoformat()}", headers=editor)
    assert answer.status_code == 200, answer.text
    planned = [(datetime.fromisoformat(p["start"]), datetime.fromisoformat(p["end"]), p["item_id"])
               for p in answer.json()]
    start = datetime.combine(day, time(), LOCAL_ZONE).astimezone(UTC)
    played = _player_plays(_composed(session, board), start, start + timedelta(days=1), tmp_path)
    assert [(s.isoformat(), e.isoformat(), i) for s, e, i in planned] == played
    paged, scrolled, short = ((e - s).total_seconds() for s, e, _ in planned[:3])  # in playlist order
    assert paged > 30 and scrolled > 30  # a long notice reads for longer than its 10 s, paged or scrolled
    assert short == 10


def test_a_bulletin_items_flow_is_pages_or_scroll_and_nothing_else(client, users, tree) -> None:
    editor = users["editor_a"].headers
    playlist = client.post("/api/v1/playlists", json={"name": "Thông báo"}, headers=editor).json()["id"]
    bulletin = client.post("/api/v1/bulletins", headers=editor, json={"title": "Lịch"}).json()["id"]
    url = f"/api/v1/playlists/{playlist}/items"
    refused = client.post(url, headers=editor, json={
        "kind": "bulletin", "bulletin_id": bulletin, "options": {"flow": "sideways"}})
    assert refused.status_code == 422 and "flow" in refused.text
    added = client.post(url, headers=editor, json={
        "kind": "bulletin", "bulletin_id": bulletin, "options": {"flow": "scroll"}})
    assert added.status_code in (200, 201), added.text
    items = client.get(f"/api/v1/playlists/{playlist}", headers=editor).json()["items"]
    assert [item["options"] for item in items] == [{"flow": "scroll"}]
