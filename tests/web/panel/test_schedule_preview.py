"""The schedule form's "preview before saving" step: the airtime plan and warnings of the schedule
being written, and a schedule with warnings saved only once they are confirmed."""

from __future__ import annotations

import re

from sqlmodel import select

from signage_server.models import ContentState, Playlist, PlaylistItem, Schedule, ScheduleRegion
from tests.support.panel_client import login


def _playlist(session, tree, name: str) -> Playlist:
    playlist = Playlist(name=name, unit_id=tree.commune_a, state=ContentState.PUBLISHED)
    session.add(playlist)
    session.commit()
    session.add(PlaylistItem(playlist_id=playlist.id, position=1, kind="ticker", text=f"{name} 1"))
    session.commit()
    return playlist


def _published_schedule(session, tree, layout, playlist: Playlist, name: str) -> Schedule:
    schedule = Schedule(name=name, layout_id=layout.id, target_kind="unit", target_unit_id=tree.commune_a,
                        unit_id=tree.commune_a, state=ContentState.PUBLISHED)
    session.add(schedule)
    session.commit()
    session.add(ScheduleRegion(schedule_id=schedule.id, region_id="main", playlist_id=playlist.id))
    session.commit()
    return schedule


def _form(layout, playlist: Playlist, tree, csrf: str, **extra: str) -> dict[str, str]:
    return {"name": "Quốc tang", "layout_id": layout.id, "region:main": str(playlist.id),
            "target_kind": "unit", "target_unit_id": str(tree.commune_a), "daily_start": "07:00",
            "daily_end": "09:00", "csrf_token": csrf} | extra


def test_the_form_previews_the_airtime_plan_hour_by_hour(client, users, session, tree, layout, make_board):
    board = make_board(tree.village_a)
    playlist = _playlist(session, tree, "Tin sáng")
    csrf = login(client, "editor-a")
    page = client.post("/panel/schedules/preview", data=_form(layout, playlist, tree, csrf))
    assert page.status_code == 200, page.text
    assert board.name in page.text and "giờ địa phương" in page.text
    assert re.search(r"07:00</td>\s*<td><strong>lịch này</strong> 100 %", page.text)
    assert "Không có cảnh báo" in page.text and "confirm_warnings" not in page.text
    assert session.exec(select(Schedule)).all() == []


def test_an_exclusive_schedule_is_saved_only_after_its_warnings_are_confirmed(
        client, users, session, tree, layout, make_board) -> None:
    make_board(tree.village_a)
    everyday = _published_schedule(session, tree, layout, _playlist(session, tree, "Tin xã"), "Tin hằng ngày")
    playlist = _playlist(session, tree, "Tang lễ")
    csrf = login(client, "editor-a")
    form = _form(layout, playlist, tree, csrf, exclusive="1")
    preview = client.post("/panel/schedules/preview", data=form).text
    assert "Lịch độc quyền này sẽ tắt lịch “Tin hằng ngày” trên 1 bảng." in preview
    digest = re.search(r'name="confirm_warnings" value="([0-9a-f]+)" required', preview)
    assert digest is not None and everyday.id

    refused = client.post("/panel/schedules", data=form)
    assert refused.status_code == 422
    assert "Lịch độc quyền này sẽ tắt lịch" in refused.text
    assert 'value="Quốc tang"' in refused.text and 'value="07:00"' in refused.text  # the form keeps its input
    assert session.exec(select(Schedule).where(Schedule.name == "Quốc tang")).first() is None

    stale = client.post("/panel/schedules", data=form | {"confirm_warnings": "0" * 32})
    assert stale.status_code == 422

    saved = client.post("/panel/schedules", data=form | {"confirm_warnings": digest.group(1)})
    assert saved.status_code == 200, saved.text
    assert session.exec(select(Schedule).where(Schedule.name == "Quốc tang")).one().exclusive


def test_the_preview_answers_a_refusal_in_place(client, users, session, tree, layout) -> None:
    playlist = _playlist(session, tree, "Tin")
    csrf = login(client, "editor-a")
    page = client.post("/panel/schedules/preview",
                       data=_form(layout, playlist, tree, csrf, target_unit_id=str(tree.commune_b)))
    assert page.status_code == 200 and "“Đơn vị được chọn”: lựa chọn không tồn tại" in page.text
    viewer = login(client, "viewer-a")
    form = _form(layout, playlist, tree, viewer)
    assert client.post("/panel/schedules/preview", data=form).status_code == 403
