"""Panel layouts: every layout drawn at a board's shape, and the region editor (live preview,
problems said in Vietnamese, saved through the custom layout service, audited)."""

from __future__ import annotations

import re

from sqlmodel import select

from signage_server.models import AuditEvent, LayoutRecord
from signage_server.web.panel.layout_editor import EditorForm, draw, read_layout
from signage_server.web.panel.routes.layouts import slug
from tests.support.panel_client import login

TWO_REGIONS = {"name": "Bảng xã hai vùng", "background": "#000000",
               "role_0": "main", "x_0": "0", "y_0": "0", "w_0": "100", "h_0": "80", "z_0": "0",
               "role_1": "ticker", "x_1": "0", "y_1": "80", "w_1": "100", "h_1": "20", "z_1": "0"}


def _say(message: str, **values: object) -> str:
    return message % values if values else message


def test_a_layout_is_drawn_in_the_boards_pixels_with_its_portrait_placement() -> None:
    form = EditorForm.of(TWO_REGIONS)
    layout, problems = read_layout(form, "draft", _say)
    assert problems == [] and layout is not None
    drawing = draw(layout, 384, 192)
    assert (drawing.width, drawing.height) == (384, 192)
    assert [(b.role, b.x, b.y, b.w, b.h) for b in drawing.boxes] == [("main", 0, 0, 384, 154),
                                                                    ("ticker", 0, 154, 384, 38)]


def test_the_editor_names_each_problem_by_region_number() -> None:
    outside = {**TWO_REGIONS, "w_1": "120"}
    assert read_layout(EditorForm.of(outside), "d", _say)[1] == [
        "Region 2 (ticker) must lie inside the screen, with a width and height above 0."]
    overlap = {**TWO_REGIONS, "y_1": "70"}
    assert read_layout(EditorForm.of(overlap), "d", _say)[1] == [
        "Regions 1 and 2 overlap on the same level; move one or give it another level."]
    no_main = {**TWO_REGIONS, "role_0": "clock"}
    assert read_layout(EditorForm.of(no_main), "d", _say)[1] == [
        "A layout needs a main region (role: main)."]
    letters = {**TWO_REGIONS, "x_0": "trái"}
    [problem] = read_layout(EditorForm.of(letters), "d", _say)[1]
    assert problem.startswith("Region 1: position and size must be numbers")


def test_a_clock_over_the_main_region_on_a_higher_level_is_allowed() -> None:
    over = {**TWO_REGIONS, "role_2": "clock", "x_2": "80", "y_2": "0", "w_2": "20", "h_2": "10", "z_2": "1"}
    layout, problems = read_layout(EditorForm.of(over), "d", _say)
    assert problems == [] and layout is not None
    assert [r.id for r in layout.regions] == ["main", "ticker", "clock"]


def test_the_layouts_page_draws_each_layout_at_the_chosen_boards_shape(client, users, layout,
                                                                       make_board) -> None:
    board = make_board(width=384, height=192)
    login(client, "viewer-a")
    page = client.get(f"/panel/layouts?board_id={board.id}")
    assert page.status_code == 200 and "Chính và chữ chạy" in page.text
    assert 'viewBox="0 0 384 192"' in page.text and "test-main-ticker" not in page.text
    assert "Bố cục mới" not in page.text  # viewers do not edit layouts


def test_the_live_preview_draws_the_form_or_says_what_is_wrong(client, users) -> None:
    csrf = login(client, "editor-a")
    drawn = client.post("/panel/layouts/preview", data={**TWO_REGIONS, "csrf_token": csrf})
    assert drawn.status_code == 200 and 'viewBox="0 0 1920 1080"' in drawn.text
    wrong = client.post("/panel/layouts/preview", data={**TWO_REGIONS, "y_1": "70", "csrf_token": csrf})
    assert "Vùng 1 và 2 chồng lên nhau trên cùng một lớp" in wrong.text


def test_an_editor_saves_a_custom_layout_and_edits_it(client, users, tree, session) -> None:
    csrf = login(client, "editor-a")
    assert client.get("/panel/layouts/new").status_code == 200
    saved = client.post("/panel/layouts/new", data={**TWO_REGIONS, "csrf_token": csrf})
    assert saved.status_code == 200 and "Đã lưu bố cục." in saved.text
    row = session.exec(select(LayoutRecord).where(LayoutRecord.name == "Bảng xã hai vùng")).one()
    assert row.id == f"u{tree.commune_a}.bang-xa-hai-vung" and row.unit_id == tree.commune_a
    assert [r["role"] for r in row.regions] == ["main", "ticker"] and row.regions[0]["h"] == 0.8
    edit = client.get(f"/panel/layouts/{row.id}/edit")
    assert edit.status_code == 200 and re.search(r'name="h_0" value="80"', edit.text)
    changed = client.post(f"/panel/layouts/{row.id}/edit",
                          data={**TWO_REGIONS, "h_0": "85", "y_1": "85", "h_1": "15", "csrf_token": csrf})
    assert changed.status_code == 200
    session.refresh(row)
    assert row.regions[0]["h"] == 0.85
    actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.object_type == "layout"))]
    assert actions == ["create", "update"]


def test_a_refused_layout_keeps_the_form_and_says_why(client, users, session) -> None:
    csrf = login(client, "editor-a")
    answer = client.post("/panel/layouts/new", data={**TWO_REGIONS, "w_1": "120", "csrf_token": csrf})
    assert answer.status_code == 422 and "Vùng 2 (chữ chạy) phải nằm trong màn hình" in answer.text
    assert 'value="Bảng xã hai vùng"' in answer.text
    assert session.exec(select(LayoutRecord).where(LayoutRecord.builtin == False)).all() == []  # noqa: E712


def test_built_in_layouts_are_not_edited_in_the_panel(client, users, layout) -> None:
    login(client, "editor-a")
    assert client.get(f"/panel/layouts/{layout.id}/edit").status_code == 404


def test_a_layouts_key_is_its_name_without_marks() -> None:
    assert slug("Bảng xã 2 vùng — Đông") == "bang-xa-2-vung-dong" and slug("!!!") == "bo-cuc"
