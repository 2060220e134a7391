"""The summary report counts the emergencies that reached the unit's boards and their delivery."""

from datetime import timedelta

from signage_server.models import OverrideReceipt, utcnow
from tests.support.overrides import issue_and_confirm


def test_report_counts_emergencies_and_their_acknowledgements(
    client, session, users, make_board, tree
) -> None:
    shown, silent = make_board(), make_board()
    override = issue_and_confirm(client, users["operator_a"].headers, risk_level=4)
    now = utcnow()
    session.add(
        OverrideReceipt(override_id=override["id"], board_id=shown.id, received_at=now, displayed_at=now)
    )
    session.add(OverrideReceipt(override_id=override["id"], board_id=silent.id, received_at=now))
    session.commit()
    day = (now + timedelta(hours=7)).date().isoformat()  # the local day in Asia/Ho_Chi_Minh
    report = client.get(
        f"/api/v1/reports/summary?unit_id={tree.commune_a}&from={day}&to={day}&format=json",
        headers=users["admin_a"].headers,
    )
    assert report.status_code == 200, report.text
    emergencies = report.json()["emergencies"]
    assert emergencies["issued"] == 1 and emergencies["risk_level_4"] == 1
    assert (emergencies["received"], emergencies["displayed"]) == (2, 1)
    elsewhere = client.get(
        f"/api/v1/reports/summary?unit_id={tree.commune_b}&from={day}&to={day}&format=json",
        headers=users["admin"].headers,
    ).json()["emergencies"]
    assert elsewhere["issued"] == 0
