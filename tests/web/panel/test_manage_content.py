"""Managing content in the panel: rename, edit and delete media, bulletins, playlists and schedules
through the same services as the API; a delete refused because the row is in use names and links
what uses it; the playlist's whole order in one post (drag and drop); the item form's per-kind
fields; the upload form asks the category first."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from signage_server.content.kinds import Content, kind_for
from signage_server.content.pending_edits import pending_media_edit
from signage_server.models import (
    Bulletin,
    ContentState,
    ItemKind,
    Media,
    Playlist,
    PlaylistItem,
    Schedule,
    ScheduleRegion,
    TargetKind,
)
from tests.support.panel_client import login


def _media(session: Session, unit_id: int, title: str = "Bản đồ ngập", **fields: object) -> Media:
    row = Media(unit_id=unit_id, sha256="0" * 64, size=10, content_type="image/png", width=4, height=4,
                title=title, **fields)
    session.add(row)
    session.commit()
    return row


def _playlist_showing(session: Session, unit_id: int, name: str, **item: object) -> Playlist:
    playlist = Playlist(name=name, unit_id=unit_id)
    session.add(playlist)
    session.commit()
    session.add(PlaylistItem(playlist_id=playlist.id, position=1, **item))
    session.commit()
    return playlist


def _schedule(session: Session, unit_id: int, playlist_id: int | None = None, name: str = "Cả tuần",
              **fields: object) -> Schedule:
    row = Schedule(name=name, unit_id=unit_id, layout_id="fullscreen", target_kind=TargetKind.UNIT,
                   target_unit_id=unit_id, **fields)
    session.add(row)
    session.commit()
    if playlist_id is not None:
        session.add(ScheduleRegion(schedule_id=row.id, region_id="main", playlist_id=playlist_id))
        session.commit()
    return row


def test_an_image_is_renamed_and_filed_under_another_category(client, users, session, tree) -> None:
    row = _media(session, tree.commune_a, state=ContentState.APPROVED)
    csrf = login(client, "editor-a")
    page = client.post(f"/panel/media/{row.id}", data={"title": "Bản đồ vùng ngập lụt",
                                                       "category": "incidents", "csrf_token": csrf})
    assert page.status_code == 200 and "Bản đồ vùng ngập lụt" in page.text  # the form shows the edit
    session.refresh(row)
    # The approved image stays on air as it was; the edit waits for its own approval.
    assert (row.title, row.state) == ("Bản đồ ngập", ContentState.APPROVED)
    edit = pending_media_edit(session, row.id)
    assert edit is not None and (edit.pending["title"], edit.pending["category"]) == ("Bản đồ vùng ngập lụt",
                                                                                      "incidents")


def test_an_unused_image_is_deleted(client, users, session, tree) -> None:
    media_id = _media(session, tree.commune_a).id
    csrf = login(client, "editor-a")
    page = client.post(f"/panel/media/{media_id}/delete", data={"csrf_token": csrf})
    assert page.status_code == 200 and page.url.path == "/panel/media"
    session.expire_all()
    assert session.get(Media, media_id) is None


def test_deleting_an_image_in_use_names_and_links_the_playlists(client, users, session, tree) -> None:
    row = _media(session, tree.commune_a)
    playlist = _playlist_showing(session, tree.commune_a, "Tin buổi sáng", kind="image", media_id=row.id)
    csrf = login(client, "editor-a")
    page = client.post(f"/panel/media/{row.id}/delete", data={"csrf_token": csrf})
    assert page.status_code == 422
    assert f'<a href="/panel/playlists/{playlist.id}">Tin buổi sáng</a>' in page.text
    session.expire_all()
    assert session.get(Media, row.id) is not None


def test_the_api_refusal_lists_what_uses_a_bulletin(client, users, session, tree) -> None:
    bulletin = Bulletin(title="Lịch tiếp dân", unit_id=tree.commune_a)
    session.add(bulletin)
    session.commit()
    playlist = _playlist_showing(session, tree.commune_a, "Tin chiều", kind="bulletin",
                                 bulletin_id=bulletin.id)
    answer = client.delete(f"/api/v1/bulletins/{bulletin.id}", headers=users["editor_a"].headers)
    assert answer.status_code == 409
    body = answer.json()
    assert body["code"] == "content.in_use"
    assert body["params"] == {"kind": "bulletin", "used_by_kind": "playlist", "used_by": str(playlist.id),
                              "used_by_names": "Tin chiều"}


def test_a_bulletin_is_deleted_from_its_editor(client, users, session, tree) -> None:
    bulletin = Bulletin(title="Bản nháp cũ", unit_id=tree.commune_a)
    session.add(bulletin)
    session.commit()
    bulletin_id = bulletin.id
    csrf = login(client, "editor-a")
    assert "Xóa bản tin này" in client.get(f"/panel/bulletins/{bulletin_id}").text
    page = client.post(f"/panel/bulletins/{bulletin_id}/delete", data={"csrf_token": csrf})
    assert page.url.path == "/panel/bulletins"
    session.expire_all()
    assert session.get(Bulletin, bulletin_id) is None


def test_a_viewer_cannot_delete_a_bulletin(client, users, session, tree) -> None:
    bulletin = Bulletin(title="Thông báo", unit_id=tree.commune_a)
    session.add(bulletin)
    session.commit()
    csrf = login(client, "viewer-a")
    assert client.post(f"/panel/bulletins/{bulletin.id}/delete", data={"csrf_token": csrf}).status_code == 403
    session.expire_all()
    assert session.get(Bulletin, bulletin.id) is not None


def test_a_playlist_is_renamed(client, users, session, tree) -> None:
    playlist = Playlist(name="Sáng", unit_id=tree.commune_a)
    session.add(playlist)
    session.commit()
    csrf = login(client, "editor-a")
    page = client.post(f"/panel/playlists/{playlist.id}/rename",
                       data={"name": "Buổi sáng", "csrf_token": csrf})
    assert page.status_code == 200
    session.refresh(playlist)
    assert playlist.name == "Buổi sáng"


def test_deleting_a_playlist_in_use_links_the_schedules(client, users, session, tree) -> None:
    playlist = Playlist(name="Sáng", unit_id=tree.commune_a)
    session.add(playlist)
    session.commit()
    schedule = _schedule(session, tree.commune_a, playlist.id, name="Giờ hành chính")
    csrf = login(client, "editor-a")
    page = client.post(f"/panel/playlists/{playlist.id}/delete", data={"csrf_token": csrf})
    assert page.status_code == 422
    assert f'<a href="/panel/schedules/{schedule.id}">Giờ hành chính</a>' in page.text


def test_the_whole_order_is_set_in_one_post(client, users, session, tree) -> None:
    playlist = Playlist(name="Sáng", unit_id=tree.commune_a)
    session.add(playlist)
    session.commit()
    items = [PlaylistItem(playlist_id=playlist.id, position=n, kind="ticker", text=f"Dòng {n}")
             for n in (1, 2, 3)]
    session.add_all(items)
    session.commit()
    first, second, third = (i.id for i in items)
    csrf = login(client, "editor-a")
    page = client.post(f"/panel/playlists/{playlist.id}/order",
                       data={"item_ids": [third, first, second], "csrf_token": csrf})
    assert page.status_code == 200
    order = session.exec(select(PlaylistItem.id).where(PlaylistItem.playlist_id == playlist.id)
                         .order_by(PlaylistItem.position)).all()
    assert order == [third, first, second]
    assert 'data-order-form="order-form"' in page.text  # the page offers drag and drop again


def test_an_incomplete_order_is_refused_with_the_playlist_page(client, users, session, tree) -> None:
    playlist = _playlist_showing(session, tree.commune_a, "Sáng", kind="ticker", text="Một")
    csrf = login(client, "editor-a")
    page = client.post(f"/panel/playlists/{playlist.id}/order", data={"item_ids": [], "csrf_token": csrf})
    assert page.status_code == 422


def test_the_item_form_marks_each_field_with_the_kinds_that_use_it(client, users, session, tree) -> None:
    playlist = Playlist(name="Sáng", unit_id=tree.commune_a)
    session.add(playlist)
    session.commit()
    login(client, "editor-a")
    page = client.get(f"/panel/playlists/{playlist.id}").text
    assert "data-item-form" in page
    kinds = dict(re.findall(r'data-kinds="([^"]*)">\s*<label for="(\w+)"', page))
    naming = {field: {k.value for k in ItemKind if kind_for(k).content is content}
              for field, content in (("bulletin_id", Content.BULLETIN), ("media_id", Content.MEDIA),
                                     ("text", Content.TEXT))}
    naming["caption"] = {k.value for k in ItemKind if "caption" in kind_for(k).option_keys}  # a QR code's
    naming["media_id"] |= {k.value for k in ItemKind if kind_for(k).content is Content.PDF}  # its document
    assert {field: set(k.split()) for k, field in kinds.items()} == naming
    assert naming["media_id"] == {"image", "video", "pdf"} and "ticker" in naming["text"]


def test_upload_asks_the_category_before_the_files(client, users) -> None:
    login(client, "editor-a")
    page = client.get("/panel/media").text
    category, files = page.index('id="upload-category"'), page.index('id="file"')
    assert category < files
    assert re.search(r'<select id="upload-category" name="category" required>\s*<option value="">', page)


def test_a_schedule_is_edited_in_the_panel(client, users, session, tree) -> None:
    playlist = Playlist(name="Sáng", unit_id=tree.commune_a, state=ContentState.APPROVED)
    session.add(playlist)
    session.commit()
    schedule = _schedule(session, tree.commune_a, playlist.id, daily_start=None)
    csrf = login(client, "editor-a")
    form = client.get(f"/panel/schedules/{schedule.id}").text
    assert 'value="Cả tuần"' in form
    page = client.post(f"/panel/schedules/{schedule.id}", data={
        "csrf_token": csrf, "name": "Cả tuần, buổi sáng", "layout_id": "fullscreen",
        "region:main": str(playlist.id), "target_kind": "tag", "target_tag": "led",
        "target_unit_id": str(tree.commune_a), "daily_start": "07:00", "daily_end": "11:30",
        "weekdays": ["0", "2"], "priority": "0", "weight": "2", "priority_every_min": "10"})
    assert page.status_code == 200, page.text
    session.refresh(schedule)
    assert schedule.name == "Cả tuần, buổi sáng" and schedule.weight == 2 and schedule.weekdays == [0, 2]
    target = (schedule.target_kind, schedule.target_tag, schedule.target_unit_id)
    assert target == (TargetKind.TAG, "led", None)
    assert schedule.daily_start is not None and schedule.daily_start.hour == 7


def test_a_schedule_is_deleted(client, users, session, tree) -> None:
    schedule_id = _schedule(session, tree.commune_a).id
    csrf = login(client, "editor-a")
    page = client.post(f"/panel/schedules/{schedule_id}/delete", data={"csrf_token": csrf})
    assert page.url.path == "/panel/schedules"
    session.expire_all()
    assert session.get(Schedule, schedule_id) is None


@pytest.mark.parametrize("path", ["/panel/media/{media}", "/panel/schedules/{schedule}"])
def test_content_of_another_commune_is_not_found(client, users, session, tree, path) -> None:
    media = _media(session, tree.commune_b)
    schedule = _schedule(session, tree.commune_b)
    login(client, "editor-a")
    assert client.get(path.format(media=media.id, schedule=schedule.id)).status_code == 404


def test_each_page_says_where_its_content_is_used(client, users, session, tree) -> None:
    row = _media(session, tree.commune_a)
    playlist = _playlist_showing(session, tree.commune_a, "Tin buổi sáng", kind="image", media_id=row.id)
    schedule = _schedule(session, tree.commune_a, playlist.id, name="Giờ hành chính")
    login(client, "viewer-a")
    assert (f'<a href="/panel/playlists/{playlist.id}">Tin buổi sáng</a>'
            in client.get(f"/panel/media/{row.id}").text)
    assert (f'<a href="/panel/schedules/{schedule.id}">Giờ hành chính</a>'
            in client.get(f"/panel/playlists/{playlist.id}").text)
