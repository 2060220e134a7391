"""The panel edits the waiting version of an approved playlist (the approved one stays on air),
shows the approver its difference, and archives and restores content."""

from __future__ import annotations

from sqlmodel import select

from signage_server.models import (
    Bulletin,
    ContentState,
    Playlist,
    PlaylistItem,
    Schedule,
    ScheduleRegion,
    TargetKind,
)
from tests.support.panel_client import login

APPROVED = ContentState.APPROVED


def _on_air(session, tree) -> tuple[Bulletin, Playlist, Schedule]:
    """An approved bulletin in an approved playlist played by an approved schedule."""
    bulletin = Bulletin(title="Lịch tiếp dân", unit_id=tree.commune_a, state=APPROVED)
    playlist = Playlist(name="Buổi sáng", unit_id=tree.commune_a, state=APPROVED)
    session.add_all([bulletin, playlist])
    session.commit()
    session.add(PlaylistItem(playlist_id=playlist.id, position=1, kind="bulletin", bulletin_id=bulletin.id))
    schedule = Schedule(name="Cả tuần", unit_id=tree.commune_a, layout_id="fullscreen", state=APPROVED,
                        target_kind=TargetKind.UNIT, target_unit_id=tree.commune_a)
    session.add(schedule)
    session.commit()
    session.add(ScheduleRegion(schedule_id=schedule.id, region_id="main", playlist_id=playlist.id))
    session.commit()
    return bulletin, playlist, schedule


def test_the_playlist_page_edits_a_waiting_version_and_the_approver_sees_the_difference(
    client, users, session, tree
) -> None:
    _bulletin, playlist, _schedule = _on_air(session, tree)
    csrf = login(client, "editor-a")
    page = client.post(f"/panel/playlists/{playlist.id}/items",
                       data={"kind": "ticker", "text": "Cắt điện chiều nay", "duration_s": "8",
                             "csrf_token": csrf})
    assert page.status_code == 200 and "Bản sửa đang chờ duyệt" in page.text
    assert "Cắt điện chiều nay" in page.text  # the page shows the edit
    items = session.exec(select(PlaylistItem).where(PlaylistItem.playlist_id == playlist.id)).all()
    assert [i.kind.value for i in items] == ["bulletin"]  # on air as approved
    order = [-1, items[0].id]  # drag-and-drop: the new item first
    moved = client.post(f"/panel/playlists/{playlist.id}/order",
                        data={"item_ids": [str(i) for i in order], "csrf_token": csrf})
    assert moved.status_code == 200, moved.text
    session.refresh(playlist)
    assert playlist.state == APPROVED
    client.post("/panel/logout", data={"csrf_token": csrf})
    login(client, "approver-a")
    queue = client.get("/api/v1/submissions/queue", headers=users["approver_a"].headers).json()
    shown = client.get(f"/panel/approvals/submissions/{queue[0]['id']}")
    assert shown.status_code == 200
    assert "+ [ticker] Cắt điện chiều nay · 8 s" in shown.text
    assert "  [bulletin] Lịch tiếp dân · 10 s" in shown.text


def test_archiving_in_use_links_the_user_and_a_schedule_archives_and_restores(
    client, users, session, tree
) -> None:
    bulletin, playlist, schedule = _on_air(session, tree)
    csrf = login(client, "editor-a")
    refused = client.post(f"/panel/bulletins/{bulletin.id}/archive", data={"csrf_token": csrf})
    assert refused.status_code == 422 and f'href="/panel/playlists/{playlist.id}"' in refused.text
    assert "vẫn đang được dùng" in refused.text
    done = client.post(f"/panel/schedules/{schedule.id}/archive", data={"csrf_token": csrf})
    assert done.status_code == 200 and "Đã lưu trữ:" in done.text
    listed = client.get("/panel/schedules")
    assert f'href="/panel/schedules/{schedule.id}"' not in listed.text
    shelf = client.get("/panel/schedules", params={"archived": "1"})
    assert f'href="/panel/schedules/{schedule.id}"' in shelf.text
    client.post(f"/panel/schedules/{schedule.id}/restore", data={"csrf_token": csrf})
    session.refresh(schedule)
    assert (schedule.archived_at, schedule.state) == (None, APPROVED)
