"""The overview lists the active emergencies of the user's area, escaped, with their colour."""

from tests.support.overrides import issue_and_confirm
from tests.support.panel_client import login


def test_overview_lists_active_emergencies(client, users, make_board) -> None:
    make_board()
    issue_and_confirm(client, users["operator_a"].headers, title="Bão số 9 <b>khẩn</b>", risk_level=4)
    login(client, "viewer-a")
    page = client.get("/panel/dashboard").text
    assert "Bão số 9 &lt;b&gt;khẩn&lt;/b&gt;" in page
    assert "risk-4" in page


def test_overview_says_when_no_emergency_is_active(client, users) -> None:
    login(client, "viewer-a")
    assert "Không có tình huống khẩn cấp nào đang phát." in client.get("/panel/dashboard").text
