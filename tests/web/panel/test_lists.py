"""Every list of the panel is searched, filtered and paged on the server, with its query in the URL:
content, boards, users, the approval queue and the audit trail (newest first, past 1,000 events);
unit pickers are a tree of the units in scope."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta

from sqlmodel import Session

from signage_server.core.paging import PER_PAGE
from signage_server.models import AuditEvent, BoardKind, Bulletin, ContentState, Playlist, utcnow
from tests.support.panel_client import login


def _titles(html: str) -> list[str]:
    return re.findall(r'<a href="/panel/bulletins/\d+">([^<]+)</a>', html)


def _bulletins(session: Session, unit_id: int, count: int, title: str = "Tin số {n}",
               **fields: object) -> None:
    session.add_all([Bulletin(title=title.format(n=n), unit_id=unit_id, **fields)
                     for n in range(1, count + 1)])
    session.commit()


def test_a_long_list_comes_a_page_at_a_time_newest_first(client, users, session, tree) -> None:
    _bulletins(session, tree.commune_a, PER_PAGE + 5)
    login(client, "editor-a")
    first = client.get("/panel/bulletins").text
    assert _titles(first)[:2] == [f"Tin số {PER_PAGE + 5}", f"Tin số {PER_PAGE + 4}"]
    assert len(_titles(first)) == PER_PAGE
    assert f"1–{PER_PAGE} / {PER_PAGE + 5}" in first
    second = client.get("/panel/bulletins?page=2").text
    assert _titles(second) == [f"Tin số {n}" for n in range(5, 0, -1)]


def test_the_search_keeps_its_words_in_the_pager_links(client, users, session, tree) -> None:
    _bulletins(session, tree.commune_a, PER_PAGE + 2, title="Lịch cắt điện {n}")
    _bulletins(session, tree.commune_a, 3, title="Tiêm chủng {n}")
    login(client, "editor-a")
    page = client.get("/panel/bulletins", params={"q": "cắt điện"}).text
    assert len(_titles(page)) == PER_PAGE and all("cắt điện" in t for t in _titles(page))
    assert "q=c%E1%BA%AFt+%C4%91i%E1%BB%87n&amp;page=2" in page


def test_decomposed_search_words_find_composed_text(client, users, session, tree) -> None:
    _bulletins(session, tree.commune_a, 1, title="Thông báo họp dân")
    _bulletins(session, tree.commune_a, 1, title="Lịch trực")
    login(client, "editor-a")
    page = client.get("/panel/bulletins", params={"q": unicodedata.normalize("NFD", "họp dân")}).text
    assert _titles(page) == ["Thông báo họp dân"]


def test_filters_by_state_category_and_unit(client, users, session, tree) -> None:
    _bulletins(session, tree.commune_a, 2, title="Nháp {n}")
    _bulletins(session, tree.commune_a, 1, title="Chờ duyệt {n}", state=ContentState.SUBMITTED,
               category="incidents")
    _bulletins(session, tree.village_a, 1, title="Thôn {n}")
    _bulletins(session, tree.commune_b, 1, title="Xã khác {n}")
    login(client, "admin")
    assert _titles(client.get("/panel/bulletins?state=submitted").text) == ["Chờ duyệt 1"]
    assert _titles(client.get("/panel/bulletins?category=incidents&state=").text) == ["Chờ duyệt 1"]
    assert _titles(client.get(f"/panel/bulletins?unit_id={tree.village_a}").text) == ["Thôn 1"]
    assert len(_titles(client.get(f"/panel/bulletins?unit_id={tree.commune_a}").text)) == 4


def test_a_unit_outside_the_scope_is_not_a_filter(client, users, session, tree) -> None:
    login(client, "editor-a")
    assert client.get(f"/panel/playlists?unit_id={tree.commune_b}").status_code == 404


def test_playlists_and_schedules_are_searched_by_name(client, users, session, tree) -> None:
    session.add_all([Playlist(name="Buổi sáng", unit_id=tree.commune_a),
                     Playlist(name="Buổi tối", unit_id=tree.commune_a)])
    session.commit()
    login(client, "editor-a")
    page = client.get("/panel/playlists?q=tối").text
    assert "Buổi tối" in page and "Buổi sáng" not in page
    assert client.get("/panel/schedules?q=x&target_kind=tag&state=draft").status_code == 200


def test_boards_are_searched_and_filtered_by_kind(client, users, session, make_board, tree) -> None:
    for board, name in ((make_board(address="Chợ Đông"), "Bảng chợ Đông"),
                        (make_board(kind=BoardKind.COMMERCIAL), "Bảng nhà văn hóa"),
                        (make_board(unit_id=tree.commune_b), "Bảng xã khác")):
        board.name = name
        session.add(board)
    session.commit()
    login(client, "admin")
    assert "Bảng chợ Đông" in client.get("/panel/boards?q=chợ").text
    commercial = client.get("/panel/boards?kind=commercial").text
    assert "Bảng nhà văn hóa" in commercial and "Bảng chợ Đông" not in commercial
    only_b = client.get(f"/panel/boards?unit_id={tree.commune_b}").text
    assert "Bảng xã khác" in only_b and "Bảng chợ Đông" not in only_b


def test_users_are_filtered_by_role(client, users) -> None:
    login(client, "admin")
    page = client.get("/panel/users?role=approver").text
    names = re.findall(r'<td><a href="/panel/users/\d+">([a-z_-]+)</a></td>', page)
    assert names == ["approver-a"]
    assert "approver-a" in client.get("/panel/users?q=APPROVER").text


def test_the_approval_queue_is_filtered_by_kind_and_title(client, users, session, tree) -> None:
    now = utcnow()
    waiting = {"unit_id": tree.commune_a, "state": ContentState.SUBMITTED,
               "submitted_by": users["editor_a"].id, "submitted_at": now}
    session.add_all([Bulletin(title="Thông báo tiêm chủng", **waiting), Playlist(name="Tin y tế", **waiting)])
    session.commit()
    login(client, "approver-a")
    playlists_only = client.get("/panel/approvals?kind=playlist").text
    assert "Tin y tế" in playlists_only and "Thông báo tiêm chủng" not in playlists_only
    assert "Thông báo tiêm chủng" in client.get("/panel/approvals?q=tiêm").text


def test_the_audit_trail_is_newest_first_and_pages_past_a_thousand(client, users, session, tree) -> None:
    start = utcnow() - timedelta(days=2)
    session.add_all([AuditEvent(actor="editor-a", action="update", object_type="bulletin",
                                object_id=str(n), unit_id=tree.commune_a, at=start + timedelta(seconds=n))
                     for n in range(1100)])
    session.commit()
    login(client, "approver-a")
    first = client.get("/panel/audit?object_type=bulletin").text
    last_page = -(-1100 // PER_PAGE)
    assert f'page={last_page}" rel="last"' in first
    oldest = client.get(f"/panel/audit?object_type=bulletin&page={last_page}").text
    assert "/ 1100" in oldest
    ids = [int(i) for i in re.findall(r"<td>[^<]*#(\d+)</td>", oldest)]
    assert ids[-1] == 0 and ids == sorted(ids, reverse=True)
    newest = [int(i) for i in re.findall(r"<td>[^<]*#(\d+)</td>", first)]
    assert newest[0] == 1099


def test_the_unit_picker_is_a_tree_of_the_units_in_scope(client, users, tree) -> None:
    login(client, "admin")
    page = client.get("/panel/users").text
    picker = page[page.index('id="u-unit"'):]
    picker = picker[:picker.index("</fieldset>")]
    found = re.findall(r'class="depth-(\d)" data-unit="(\d+)"', picker)
    by_unit = {int(unit): int(depth) for depth, unit in found}
    assert by_unit == {tree.province: 0, tree.commune_a: 1, tree.commune_b: 1, tree.village_a: 2}
    assert f'data-unit="{tree.village_a}" data-parent="{tree.commune_a}"' in picker
    assert 'class="unit-search"' in picker
