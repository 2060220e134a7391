"""Done-when of issue 12 part 1, over the demo data and through the API: on the LCD board over one
day the province's, the commune's and the evening schedule's items all play, the evening items
only between 19:00 and 21:00, and a priority bulletin recurs at least every 15 minutes."""

from datetime import UTC, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from signage_server.app import create_app
from signage_server.demo.run import prepare
from signage_server.models import Bulletin, Role, Schedule
from signage_server.settings import Settings

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_the_lcd_board_shares_its_day_among_province_commune_and_evening(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path)
    today = datetime.now(UTC).astimezone(VN).date()  # the demo dates its notices from its first day
    site = prepare(settings)
    admin = next(u for u in site.users if u.role == Role.ADMIN)
    app = create_app(settings)
    with TestClient(app) as client, Session(app.state.engine) as session:
        token = client.post("/api/v1/auth/token",
                            data={"username": admin.username, "password": admin.password}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        url = f"/api/v1/boards/{site.lcd_board_id}/programme?date={today.isoformat()}"
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        schedules = {s.name: s.id for s in session.exec(select(Schedule))}
        priority_bulletins = {b.id for b in session.exec(select(Bulletin)) if b.priority == "priority"}
    plays = response.json()
    day = datetime.combine(today, time(), tzinfo=VN)
    starts = [datetime.fromisoformat(p["start"]) for p in plays]
    assert starts[0] == day and datetime.fromisoformat(plays[-1]["end"]) == day + timedelta(days=1)
    assert all(a["end"] == b["start"] for a, b in pairwise(plays))  # the day is covered, in order
    by_schedule = {p["schedule_id"] for p in plays}
    province, commune = schedules["Toàn tỉnh: tin chính"], schedules["Xã: tin của xã"]
    evening = schedules["Buổi tối: an ninh trật tự"]
    assert {province, commune, evening} <= by_schedule
    evening_hours = {start.astimezone(VN).hour for start, p in zip(starts, plays, strict=True)
                     if p["schedule_id"] == evening}
    assert evening_hours == {19, 20}
    urgent = [start for start, p in zip(starts, plays, strict=True)
              if p["priority"] and p["bulletin_id"] in priority_bulletins]
    assert urgent[0] == day
    assert max(b - a for a, b in pairwise([*urgent, day + timedelta(days=1)])) <= timedelta(minutes=15)
