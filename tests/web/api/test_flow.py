"""From the API to a board's manifest: what editors write and approvers publish reaches the board."""

from sqlmodel import select

from signage_contract import Manifest, SignedManifest, TickerItem
from signage_server.core.changes import Change
from signage_server.models import ComposedManifest, ContentState, Playlist, Schedule


def _publish(client, users, kind: str, object_id: int) -> None:
    """A draft through review to the boards; content on air: its waiting edit approved."""
    waiting = client.get(f"/api/v1/{kind}/{object_id}", headers=users["editor_a"].headers).json()
    if waiting.get("pending_submission_id"):
        decided = client.post(f"/api/v1/submissions/{waiting['pending_submission_id']}/decision",
                              json={"state": "approved"}, headers=users["approver_a"].headers)
        assert decided.status_code == 200, decided.text
        return
    for user, state in (("editor_a", "submitted"), ("approver_a", "approved"), ("approver_a", "published")):
        response = client.post(f"/api/v1/{kind}/{object_id}/state", json={"state": state},
                               headers=users[user].headers)
        assert response.status_code == 200, response.text


def _tickers(session, board_id: int) -> list[str]:
    session.expire_all()
    row = session.exec(select(ComposedManifest).where(ComposedManifest.board_id == board_id)).one()
    manifest = Manifest.model_validate_json(SignedManifest.model_validate_json(row.document).payload)
    return [item.text for item in manifest.items if isinstance(item, TickerItem)]


def _scheduled_board(client, users, tree) -> tuple[int, int]:
    """A board in village V and a published ticker playlist scheduled for commune A; their ids."""
    board = client.post("/api/v1/boards", json={"name": "Bảng UBND", "unit_id": tree.village_a},
                        headers=users["admin_a"].headers).json()
    editor = users["editor_a"].headers
    playlist = client.post("/api/v1/playlists", json={"name": "Tin"}, headers=editor).json()["id"]
    client.post(f"/api/v1/playlists/{playlist}/items", json={"kind": "ticker", "text": "Chào mừng ngày hội"},
                headers=editor)
    schedule = client.post("/api/v1/schedules", headers=editor, json={
        "name": "Cả ngày", "layout_id": "main_ticker_clock", "regions": {"main": playlist},
        "target_kind": "unit", "target_unit_id": tree.commune_a,
    }).json()["id"]
    _publish(client, users, "playlists", playlist)
    _publish(client, users, "schedules", schedule)
    return board["id"], playlist


def test_published_schedule_reaches_the_board_manifest(client, app, users, tree, session) -> None:
    board, _playlist = _scheduled_board(client, users, tree)
    client.portal.call(app.state.composer.wait_idle)
    assert _tickers(session, board) == ["Chào mừng ngày hội"]


def test_editing_published_content_keeps_it_on_air_until_the_edit_is_approved(client, app, users, tree,
                                                                               session):
    board, playlist = _scheduled_board(client, users, tree)
    editor = users["editor_a"].headers
    client.post(f"/api/v1/playlists/{playlist}/items", json={"kind": "ticker", "text": "Tin mới"},
                headers=editor)
    client.portal.call(app.state.composer.wait_idle)
    assert _tickers(session, board) == ["Chào mừng ngày hội"]  # the approved version plays on
    _publish(client, users, "playlists", playlist)
    client.portal.call(app.state.composer.wait_idle)
    assert _tickers(session, board) == ["Chào mừng ngày hội", "Tin mới"]


def _manifest(session, board_id: int) -> Manifest:
    session.expire_all()
    row = session.exec(select(ComposedManifest).where(ComposedManifest.board_id == board_id)).one()
    return Manifest.model_validate_json(SignedManifest.model_validate_json(row.document).payload)


def test_a_schedule_whose_playlist_went_back_to_review_leaves_the_lower_schedule_on_screen(
    client, app, users, tree, session
) -> None:
    """Issue 11, finding 5: the board's own schedule (more specific, higher priority) stays approved
    while its playlist went back to review: it has nothing to play, so the commune's schedule plays."""
    board, _commune_playlist = _scheduled_board(client, users, tree)
    commune_schedule = session.exec(select(Schedule.id).where(Schedule.name == "Cả ngày")).one()
    editor = users["editor_a"].headers
    own = client.post("/api/v1/playlists", json={"name": "Riêng"}, headers=editor).json()["id"]
    client.post(f"/api/v1/playlists/{own}/items", json={"kind": "ticker", "text": "Tin riêng của bảng"},
                headers=editor)
    _publish(client, users, "playlists", own)
    schedule = client.post("/api/v1/schedules", headers=editor, json={
        "name": "Bảng riêng", "layout_id": "main_ticker_clock", "regions": {"main": own},
        "target_kind": "board", "target_board_id": board, "priority": 10,
    }).json()["id"]
    _publish(client, users, "schedules", schedule)
    client.portal.call(app.state.composer.wait_idle)
    # Both reach the board: they share its programme (issue 12); the legacy timeline's winner is the
    # board's own schedule.
    assert sorted(_tickers(session, board)) == ["Chào mừng ngày hội", "Tin riêng của bảng"]
    sources = {s.schedule_id for s in _manifest(session, board).sources}
    assert sources == {str(schedule), str(commune_schedule)}
    # Back in review (an edit in a unit whose trusted editors approve their own, or a decision taken
    # back): the board's own schedule has nothing to play.
    row = session.get(Playlist, own)
    row.state = ContentState.SUBMITTED
    session.add(row)
    session.commit()
    app.state.changes.publish(Change(playlists=frozenset({own})))
    client.portal.call(app.state.composer.wait_idle)
    manifest = _manifest(session, board)
    assert manifest.timeline, "the board has something scheduled"
    assert {entry.schedule_id for entry in manifest.timeline} == {str(commune_schedule)}
    assert all(entry.regions for entry in manifest.timeline)
    assert {source.schedule_id for source in manifest.sources} == {str(commune_schedule)}
    assert _tickers(session, board) == ["Chào mừng ngày hội"]


def test_a_dated_bulletin_carries_its_dates_into_every_manifest_item_that_shows_it(
    client, app, users, tree, session
) -> None:
    """The item's window is its own within the bulletin's: the board drops it at the bulletin's end,
    offline too, and an item dated more narrowly keeps its own end."""
    board, playlist = _scheduled_board(client, users, tree)
    editor = users["editor_a"].headers
    bulletin = client.post("/api/v1/bulletins", headers=editor, json={
        "title": "Lịch cắt điện ngày 2/12", "valid_from": "2026-12-01T00:00:00+07:00",
        "valid_until": "2026-12-03T00:00:00+07:00"}).json()["id"]
    for until in (None, "2026-12-02T12:00:00+07:00"):
        client.post(f"/api/v1/playlists/{playlist}/items", headers=editor,
                    json={"kind": "bulletin", "bulletin_id": bulletin, "valid_until": until})
    _publish(client, users, "bulletins", bulletin)
    _publish(client, users, "playlists", playlist)
    client.portal.call(app.state.composer.wait_idle)
    dated = [item for item in _manifest(session, board).items if item.kind == "text"]
    assert [(i.valid_from.isoformat(), i.valid_until.isoformat()) for i in dated] == [
        ("2026-11-30T17:00:00+00:00", "2026-12-02T17:00:00+00:00"),
        ("2026-11-30T17:00:00+00:00", "2026-12-02T05:00:00+00:00"),
    ]


def test_the_manifest_carries_the_boards_capture_rectangle_and_the_layouts_variants(
    client, app, users, tree, session
) -> None:
    board, _playlist = _scheduled_board(client, users, tree)
    patched = client.patch(f"/api/v1/boards/{board}", headers=users["admin_a"].headers,
                           json={"capture_x": 16, "capture_y": 8, "capture_w": 384, "capture_h": 192})
    assert patched.status_code == 200, patched.text
    client.portal.call(app.state.composer.wait_idle)
    manifest = _manifest(session, board)
    assert manifest.resolution == (1920, 1080)
    assert manifest.capture is not None and (manifest.capture.x, manifest.capture.y) == (16, 8)
    assert manifest.capture.size == (384, 192)
    layout = manifest.layout("main_ticker_clock")
    assert layout is not None and set(layout.variants) == {"portrait"}
