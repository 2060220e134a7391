from fastapi.testclient import TestClient

from signage_server.app import create_app
from signage_server.settings import Settings


def test_healthz_answers(tmp_path) -> None:
    with TestClient(create_app(Settings(data_dir=tmp_path, seed_units=False))) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
