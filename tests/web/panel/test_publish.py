"""The "Đăng tin" page and the submissions in the approval queue (issue 13 parts 1 and 2): one form,
one submit; a refusal in Vietnamese that keeps what was typed; one approval for the whole; the
reason of a rejection on the author's overview; an edit shown as its difference from what is on air."""

from __future__ import annotations

from sqlmodel import select

from signage_server.models import Bulletin, Schedule, Submission
from tests.support.panel_client import login

TITLE = "Thông báo lịch tiếp công dân tháng 12"
BODY = "Chủ tịch UBND xã tiếp công dân sáng thứ Năm hằng tuần."


def _form(csrf: str, **fields) -> dict:
    return {"csrf_token": csrf, "title": TITLE, "body": BODY, "category": "policy_law", "priority": "normal",
            "valid_from": "2026-12-01T07:30", **fields}


def test_the_page_shows_the_tree_of_units_boards_and_tags_with_board_counts(client, users, make_board):
    board = make_board(tags=["chợ"], width=384, height=192)
    login(client, "editor-a")
    page = client.get("/panel/publish")
    assert page.status_code == 200
    assert "Xã An Bình" in page.text and board.name in page.text and "384×192" in page.text
    assert "(1 bảng)" in page.text and "#chợ" in page.text
    assert 'href="/panel/publish"' in client.get("/panel/dashboard").text


def test_one_submit_makes_the_whole_publication(client, users, make_board, session) -> None:
    board = make_board()
    csrf = login(client, "editor-a")
    sent = client.post("/panel/publish", data=_form(csrf, board_ids=[board.id], weekdays=[0, 3],
                                                    daily_start="07:00", daily_end="17:00"),
                       follow_redirects=False)
    assert sent.status_code == 303, sent.text
    row = session.exec(select(Submission)).one()
    assert row.state == "submitted" and row.targets["board_ids"] == [board.id]
    schedule = session.get(Schedule, row.schedule_ids[0])
    assert (schedule.weekdays, str(schedule.daily_start), str(schedule.start_date)) == (
        [0, 3], "07:00:00", "2026-12-01")
    bulletin = session.get(Bulletin, row.bulletin_id)
    assert bulletin.valid_from.isoformat().startswith("2026-12-01T00:30")  # 07:30 in Vietnam


def test_a_form_without_a_target_says_so_in_vietnamese_and_keeps_the_text(client, users, session) -> None:
    csrf = login(client, "editor-a")
    refused = client.post("/panel/publish", data=_form(csrf))
    assert refused.status_code == 422
    assert "Chọn ít nhất một bảng, đơn vị hoặc thẻ" in refused.text
    assert TITLE in refused.text and BODY in refused.text and 'value="2026-12-01T07:30"' in refused.text
    assert session.exec(select(Bulletin)).all() == []


def test_an_unreadable_hour_is_refused_in_vietnamese(client, users, make_board) -> None:
    board = make_board()
    csrf = login(client, "editor-a")
    refused = client.post("/panel/publish", data=_form(csrf, board_ids=[board.id], daily_start="25:99",
                                                       daily_end="17:00"))
    assert refused.status_code == 422 and "Từ giờ: không phải giờ hợp lệ." in refused.text


def test_the_preview_draws_each_target_size(client, users, make_board) -> None:
    small = make_board(width=384, height=192)
    big = make_board(width=1920, height=1080)
    csrf = login(client, "editor-a")
    fragment = client.post("/panel/publish/preview", data=_form(csrf, board_ids=[small.id, big.id]),
                           headers={"X-CSRF-Token": csrf})
    assert fragment.status_code == 200
    assert "384×192" in fragment.text and "1920×1080" in fragment.text and "2 bảng" in fragment.text
    assert fragment.text.count('class="preview"') >= 2


def _sent(client, csrf: str, board_id: int) -> None:
    sent = client.post("/panel/publish", data=_form(csrf, board_ids=[board_id]), follow_redirects=False)
    assert sent.status_code == 303, sent.text


def test_the_approver_sees_the_submission_and_approves_it_whole_in_one_action(client, users, make_board,
                                                                              session) -> None:
    board = make_board()
    _sent(client, login(client, "editor-a"), board.id)
    csrf = login(client, "approver-a")
    queue = client.get("/panel/approvals")
    assert TITLE in queue.text and BODY in queue.text and board.name in queue.text and "1 bảng" in queue.text
    assert "/panel/bulletins/preview/" in queue.text and "editor-a" in queue.text
    row = session.exec(select(Submission)).one()
    detail = client.get(f"/panel/approvals/submissions/{row.id}")
    assert detail.status_code == 200 and "1920×1080" in detail.text and BODY in detail.text
    done = client.post(f"/panel/approvals/submissions/{row.id}/decision",
                       data={"csrf_token": csrf, "state": "approved"}, follow_redirects=False)
    assert done.status_code == 303
    session.expire_all()
    assert session.get(Schedule, row.schedule_ids[0]).state == "approved"
    assert session.get(Bulletin, row.bulletin_id).state == "approved"


def test_a_rejections_reason_reaches_the_authors_overview(client, users, make_board, session) -> None:
    board = make_board()
    _sent(client, login(client, "editor-a"), board.id)
    row = session.exec(select(Submission)).one()
    csrf = login(client, "approver-a")
    no_reason = client.post(f"/panel/approvals/submissions/{row.id}/decision",
                            data={"csrf_token": csrf, "state": "rejected"})
    assert no_reason.status_code == 422 and "Ghi lý do từ chối" in no_reason.text
    client.post(f"/panel/approvals/submissions/{row.id}/decision",
                data={"csrf_token": csrf, "state": "rejected", "reason": "Sai giờ tiếp dân"})
    login(client, "editor-a")
    overview = client.get("/panel/dashboard")
    assert "Sai giờ tiếp dân" in overview.text and TITLE in overview.text


def test_an_edit_shows_its_difference_from_what_is_on_air(client, users, make_board, session) -> None:
    board = make_board()
    _sent(client, login(client, "editor-a"), board.id)
    row = session.exec(select(Submission)).one()
    client.post(f"/api/v1/submissions/{row.id}/decision", json={"state": "approved"},
                headers=users["approver_a"].headers)
    edited = client.patch(f"/api/v1/bulletins/{row.bulletin_id}", json={"body": BODY.replace("Năm", "Sáu")},
                          headers=users["editor_a"].headers).json()
    login(client, "approver-a")
    detail = client.get(f"/panel/approvals/submissions/{edited['pending_submission_id']}")
    assert detail.status_code == 200
    assert f'class="del">- {BODY}' in detail.text
    assert f'class="add">+ {BODY.replace("Năm", "Sáu")}' in detail.text


def test_the_editor_goes_on_from_their_pending_edit(client, users, make_board, session) -> None:
    board = make_board()
    csrf = login(client, "editor-a")
    _sent(client, csrf, board.id)
    row = session.exec(select(Submission)).one()
    client.post(f"/api/v1/submissions/{row.id}/decision", json={"state": "approved"},
                headers=users["approver_a"].headers)
    saved = client.post(f"/panel/bulletins/{row.bulletin_id}",
                        data={"csrf_token": csrf, "title": TITLE, "body": "Sáng thứ Sáu.",
                              "category": "policy_law", "priority": "normal"})
    assert saved.status_code == 200
    assert "Sáng thứ Sáu." in saved.text and "đang chờ duyệt; bản đã duyệt vẫn hiển thị" in saved.text
    session.expire_all()
    on_air = session.get(Bulletin, row.bulletin_id)
    assert (on_air.state, on_air.body) == ("approved", BODY)


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 160), (0, 90, 160)).save(out, "PNG")
    return out.getvalue()


def test_an_image_sent_with_the_form_joins_the_publication(client, users, make_board, session) -> None:
    board = make_board()
    csrf = login(client, "editor-a")
    sent = client.post("/panel/publish", data=_form(csrf, board_ids=[board.id]),
                       files=[("files", ("áp phích.png", _png(), "image/png"))], follow_redirects=False)
    assert sent.status_code == 303, sent.text
    row = session.exec(select(Submission)).one()
    assert len(row.media_ids) == 1 and row.bulletin_id is not None


def test_a_refused_image_says_so_and_keeps_the_text(client, users, make_board, session) -> None:
    board = make_board()
    csrf = login(client, "editor-a")
    refused = client.post("/panel/publish", data=_form(csrf, board_ids=[board.id]),
                          files=[("files", ("ghi-chu.txt", b"khong phai anh", "text/plain"))])
    assert refused.status_code == 422 and "Tệp bị từ chối" in refused.text
    assert TITLE in refused.text and BODY in refused.text
    assert session.exec(select(Submission)).all() == []


def test_a_clip_and_a_pdf_sent_with_the_form_become_a_video_and_a_document_item(
    client, users, make_board, session, tmp_path
) -> None:
    """The form takes what the media library takes: a clip is probed and played as a video item,
    a PDF rendered to pages and shown as a document item, in the same one submit."""
    from signage_server.models import Media, PlaylistItem
    from tests.support.pdfs import colour_pdf
    from tests.support.video_clips import make_clip

    login(client, "editor-a")
    page = client.get("/panel/publish")
    assert "video/mp4" in page.text and "application/pdf" in page.text
    assert "Ảnh, video hoặc tài liệu PDF" in page.text
    board = make_board()
    csrf = login(client, "editor-a")
    clip = make_clip(tmp_path / "phim.mp4", seconds=1).read_bytes()
    sent = client.post("/panel/publish", data=_form(csrf, board_ids=[board.id]), follow_redirects=False,
                       files=[("files", ("phim tuyên truyền.mp4", clip, "video/mp4")),
                              ("files", ("công văn.pdf", colour_pdf(), "application/pdf"))])
    assert sent.status_code == 303, sent.text
    row = session.exec(select(Submission)).one()
    kinds = {session.get(Media, i).content_type: i for i in row.media_ids}
    assert set(kinds) == {"video/mp4", "application/pdf"}
    items = session.exec(select(PlaylistItem).where(PlaylistItem.media_id.in_(row.media_ids))).all()
    assert sorted(i.kind for i in items) == ["pdf", "video"]
    assert [i.options["muted"] for i in items if i.kind == "video"] == [True]  # silent unless asked
    listed = client.get("/panel/publish").text
    assert '<span class="kind">Video</span>' in listed and '<span class="kind">PDF</span>' in listed


def test_a_clip_sent_with_its_sound_asked_for_is_an_unmuted_video_item(client, users, make_board, session,
                                                                      tmp_path) -> None:
    from signage_server.models import PlaylistItem
    from tests.support.video_clips import make_clip

    board = make_board()
    csrf = login(client, "editor-a")
    clip = make_clip(tmp_path / "phim.mp4", seconds=1, tone_hz=440).read_bytes()
    sent = client.post("/panel/publish", data=_form(csrf, board_ids=[board.id], clip_sound="on"),
                       files=[("files", ("phim có tiếng.mp4", clip, "video/mp4"))], follow_redirects=False)
    assert sent.status_code == 303, sent.text
    row = session.exec(select(Submission)).one()
    item = session.exec(select(PlaylistItem).where(PlaylistItem.media_id == row.media_ids[0])).one()
    assert item.options["muted"] is False
    login(client, "approver-a")
    assert "phim có tiếng (video, 160×90, 1 giây, có tiếng)" in client.get("/panel/approvals").text


def test_a_clip_a_board_cannot_play_is_refused_with_its_reason_and_keeps_the_text(
    client, users, make_board, session, tmp_path
) -> None:
    from signage_server.models import Media

    board = make_board()
    csrf = login(client, "editor-a")
    damaged = b"\x00\x00\x00\x18ftypmp42" + b"khong phai phim" * 50
    refused = client.post("/panel/publish", data=_form(csrf, board_ids=[board.id]),
                          files=[("files", ("hỏng.mp4", damaged, "video/mp4"))])
    assert refused.status_code == 422 and "Tệp bị từ chối" in refused.text
    assert TITLE in refused.text and BODY in refused.text
    assert session.exec(select(Submission)).all() == [] and session.exec(select(Media)).all() == []


def test_a_schedule_edit_shows_the_fields_it_changes(client, users, make_board, session) -> None:
    board = make_board()
    _sent(client, login(client, "editor-a"), board.id)
    row = session.exec(select(Submission)).one()
    client.post(f"/api/v1/submissions/{row.id}/decision", json={"state": "approved"},
                headers=users["approver_a"].headers)
    edited = client.patch(f"/api/v1/schedules/{row.schedule_ids[0]}", json={"name": "Tiếp dân buổi sáng"},
                          headers=users["editor_a"].headers).json()
    login(client, "approver-a")
    detail = client.get(f"/panel/approvals/submissions/{edited['pending_submission_id']}")
    assert detail.status_code == 200
    assert f'class="del">- name: {TITLE}' in detail.text
    assert 'class="add">+ name: Tiếp dân buổi sáng' in detail.text


def test_the_preview_shows_a_title_converted_from_vni_and_refuses_mixed_text(client, users) -> None:
    csrf = login(client, "editor-a")
    converted = client.post("/panel/publish/preview", data=_form(csrf, title="Thoâng baùo", body=""),
                            headers={"X-CSRF-Token": csrf})
    assert "Đã chuyển từ mã VNI sang Unicode" in converted.text and "Thông báo" in converted.text
    mixed = client.post("/panel/publish/preview", data=_form(csrf, title="Thông báo Thoâng baùo", body=""),
                        headers={"X-CSRF-Token": csrf})
    assert "lẫn chữ Unicode với chữ gõ bằng bảng mã VNI" in mixed.text
