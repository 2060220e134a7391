"""The panel's bulletins report: reach and airtime per bulletin, local labelled times, CSV, scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from signage_contract.timezone import LOCAL_ZONE
from signage_server.models import TargetKind
from tests.support.panel_client import login
from tests.support.receipts import device_headers, play, publish, upload


def test_bulletins_report_page_shows_reach_airtime_and_offers_csv(client, session, users, make_board, tree,
                                                                   layout) -> None:
    board = make_board()
    make_board()  # targeted, never aired
    published = publish(session, layout, unit_id=tree.commune_a, author=users["editor_a"].id,
                        title="Lịch cắt điện tuần này",
                        target={"target_kind": TargetKind.UNIT, "target_unit_id": tree.commune_a})
    started = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    upload(client, device_headers(session, board), [play(published.item_id, started, seconds=120)])
    login(client, "viewer-a")
    page = client.get(f"/panel/reports/bulletins?unit_id={tree.commune_a}")
    assert page.status_code == 200, page.text
    assert "Mức độ tiếp cận của bản tin" in page.text and "Lịch cắt điện tuần này" in page.text
    assert "1 / 2" in page.text and "2.0 phút" in page.text
    assert started.astimezone(LOCAL_ZONE).strftime("%d/%m/%Y %H:%M") + " GMT+7" in page.text
    link = page.text.split('href="/panel/reports/bulletins.csv?')[1].split('"')[0].replace("&amp;", "&")
    csv = client.get(f"/panel/reports/bulletins.csv?{link}")
    assert csv.status_code == 200 and "Lịch cắt điện tuần này" in csv.content.decode("utf-8-sig")
    assert "/panel/reports/bulletins" in client.get("/panel/reports").text  # reached from the reports page
    other = client.get(f"/panel/reports/bulletins?unit_id={tree.commune_b}")
    assert other.status_code == 422 and "không tồn tại" in other.text
