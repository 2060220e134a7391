"""Every refusal in the reader's language: each code the server raises has a sentence, the panel
says uploads' and forms' refusals in Vietnamese, and errors under /panel are pages, not JSON."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from signage_server.app import create_app
from signage_server.content.media_store import MediaRejected
from signage_server.core.errors import Conflict, NotFound
from signage_server.settings import Settings
from signage_server.web.panel.i18n import load_catalogs
from signage_server.web.panel.pages import Translator
from signage_server.web.panel.refusals import SENTENCES, refusal_text, validation_text
from tests.support.panel_client import login

SERVER = Path(__file__).resolve().parents[3] / "signage_server"
CODE = re.compile(r"[a-z_]+\.[a-z_]+")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# codes made by f-strings (workflow.not_found, overrides._missing): their expansions
BUILT_CODES = {"content.not_found", "unit.not_found", "board.not_found", "tag.not_found",
               "override.not_found"}


def raised_codes() -> set[str]:
    """The first argument of every DomainError / MediaRejected built in the server (not the panel)."""
    codes = set()
    for path in SERVER.rglob("*.py"):
        if "panel" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = ast.unparse(node.func)
            kinds = ("NotFound", "Conflict", "Invalid", "Forbidden", "TooManyRequests", "Unavailable",
                     "DomainError", "super().__init__")
            if name.endswith(kinds):
                first = node.args[0] if node.args else None
            elif name.endswith("MediaRejected") and len(node.args) >= 3:
                first = node.args[2]
            else:
                continue
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                codes |= {first.value} if CODE.fullmatch(first.value) else set()
    return codes


def vi() -> Translator:
    return Translator(load_catalogs()["vi"], "vi")


def test_every_code_the_server_raises_has_a_sentence() -> None:
    codes = raised_codes()
    assert len(codes) > 40, "the scan finds the server's codes"
    assert sorted((codes | BUILT_CODES) - set(SENTENCES)) == []


def test_every_sentence_is_translated_with_the_same_placeholders() -> None:
    catalog = load_catalogs()["vi"]
    for sentence in SENTENCES.values():
        said = catalog.gettext(sentence)
        assert said != sentence, sentence
        assert sorted(PLACEHOLDER.findall(said)) == sorted(PLACEHOLDER.findall(sentence)), sentence


def test_a_refusal_names_the_kind_in_vietnamese_and_no_id() -> None:
    exc = NotFound("content.not_found", "bulletin 7 not found", kind="bulletin", id="7")
    text = refusal_text(exc, vi(), "vi")
    assert text == "Mục bản tin này không tồn tại hoặc nằm ngoài phạm vi của bạn."


def test_an_unknown_code_falls_back_to_its_kind_never_to_english() -> None:
    text = refusal_text(Conflict("thing.new", "something new went wrong"), vi(), "vi")
    assert text == "Thay đổi xung đột với trạng thái hiện tại; hãy tải lại trang và thử lại."


def test_an_upload_refusal_keeps_its_params() -> None:
    exc = MediaRejected(413, "file too large", "media.too_large", limit="20 MB")
    assert refusal_text(exc, vi(), "vi") == "Tệp quá lớn: giới hạn là 20 MB cho mỗi lần tải lên."


def test_validation_errors_are_said_field_by_field() -> None:
    errors = [{"type": "missing", "loc": ("body", "title"), "msg": "Field required"},
              {"type": "string_too_long", "loc": ("name",), "msg": "...", "ctx": {"max_length": 200}}]
    assert validation_text(errors, vi()) == "Phải nhập “Tiêu đề”. “Tên” quá dài (tối đa 200 ký tự)."


def test_a_forbidden_panel_page_is_a_vietnamese_page(client, users) -> None:
    login(client, "editor-a")
    page = client.get("/panel/approvals")
    assert page.status_code == 403 and page.headers["content-type"].startswith("text/html")
    assert "Bạn không có quyền mở trang này" in page.text
    assert "Trang này dành cho quản trị viên và người duyệt." in page.text and '"detail"' not in page.text


def test_an_unknown_panel_page_is_a_vietnamese_404(client, users) -> None:
    login(client, "editor-a")
    page = client.get("/panel/no-such-page")
    assert page.status_code == 404 and "Không tìm thấy trang" in page.text


def test_an_object_outside_the_scope_is_a_vietnamese_404(client, users) -> None:
    login(client, "editor-a")
    page = client.get("/panel/boards/987654")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "không tồn tại hoặc nằm ngoài phạm vi của bạn" in page.text


def test_a_malformed_address_is_said_in_vietnamese(client, users) -> None:
    login(client, "editor-a")
    page = client.get("/panel/boards/abc")
    assert page.status_code == 422 and "phải là số nguyên" in page.text


def test_the_api_keeps_answering_json(client, users) -> None:
    answer = client.get("/api/v1/boards/987654", headers=users["editor_a"].headers)
    assert answer.status_code == 404 and answer.json()["code"]


def test_a_server_error_in_the_panel_is_a_page(tmp_path) -> None:
    app = create_app(Settings(data_dir=tmp_path / "data", seed_units=False))

    def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/panel/broken", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/panel/broken")
        api = client.get("/panel-not/broken")
    assert page.status_code == 500 and "Máy chủ gặp sự cố" in page.text and "a bug" not in page.text
    assert api.status_code == 404


@pytest.mark.parametrize("lang", ["en"])
def test_english_stays_selectable_for_refusals(client, users, lang) -> None:
    client.get(f"/panel/language/{lang}?next=/panel/login")
    login(client, "editor-a")
    page = client.get("/panel/approvals")
    assert page.status_code == 403 and "This page is for admins and approvers." in page.text


def test_a_rule_across_fields_is_said_in_words() -> None:
    errors = [{"type": "value_error", "loc": (), "msg": "Value error, a image item needs media_id"}]
    assert validation_text(errors, vi()) == "Mục hình ảnh cần có “Hình ảnh”."


def test_a_field_without_a_name_is_never_shown_by_its_code() -> None:
    errors = [{"type": "int_parsing", "loc": ("path", "hardware_serial"), "msg": "..."}]
    assert validation_text(errors, vi()) == "“một giá trị” phải là số nguyên."


def test_a_database_refusal_in_the_panel_is_a_page_and_in_the_api_json_with_a_code(tmp_path) -> None:
    from sqlalchemy.exc import IntegrityError

    app = create_app(Settings(data_dir=tmp_path / "data", seed_units=False))

    def duplicate() -> None:
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    app.add_api_route("/panel/duplicate", duplicate)
    app.add_api_route("/api/v1/duplicate", duplicate)
    with TestClient(app) as client:
        page = client.get("/panel/duplicate")
        api = client.get("/api/v1/duplicate")
    assert page.status_code == 409 and "Thay đổi xung đột với dữ liệu hiện có" in page.text
    assert api.status_code == 409 and api.json()["code"] == "data.conflict"
