"""The demo's requisitioned shop board over one day, through the API: the province's schedules only
in the first 5 minutes of every hour from 06:00 to 22:00, its owner's slides the rest of the day."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from signage_server.app import create_app
from signage_server.demo.run import prepare
from signage_server.models import Board, Role, Schedule
from signage_server.settings import Settings

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_the_shop_board_carries_the_province_only_in_its_windows(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path)
    today = datetime.now(UTC).astimezone(VN).date()
    site = prepare(settings)
    admin = next(u for u in site.users if u.role == Role.ADMIN)
    assert any(u.role == Role.OWNER for u in site.users)
    app = create_app(settings)
    with TestClient(app) as client, Session(app.state.engine) as session:
        token = client.post("/api/v1/auth/token",
                            data={"username": admin.username, "password": admin.password}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        shop = session.exec(select(Board).where(Board.kind == "commercial")).one()
        owners = {str(s.id) for s in session.exec(select(Schedule).where(Schedule.owner_board_id == shop.id))}
        url = f"/api/v1/boards/{shop.id}/programme?date={today.isoformat()}"
        plays = client.get(url, headers=headers).json()
    assert owners and plays
    for play in plays:
        start = datetime.fromisoformat(play["start"]).astimezone(VN)
        end = datetime.fromisoformat(play["end"]).astimezone(VN) - timedelta(microseconds=1)
        inside = 6 <= start.hour < 22 and start.minute < 5
        assert inside == (str(play["schedule_id"]) not in owners), play
        if inside:
            assert end.hour == start.hour and end.minute < 5, play
