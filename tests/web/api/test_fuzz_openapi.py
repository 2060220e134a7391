"""schemathesis against the OpenAPI document: generated requests for every operation, sent with an
admin's token, never get a 5xx. Bounded and derandomised so it runs in the suite.

The schema is loaded from ``app.openapi()`` (no server needed at collection); requests go through
one ``TestClient`` whose lifespan runs once for the module. Each case gets a fresh token, since
some operations (token refresh, password change, deactivation) revoke the one presented.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from sqlmodel import Session

from signage_server.app import create_app
from signage_server.core.auth import issue_token
from signage_server.models import Board, Bulletin, Playlist, Role, TokenKind, UnitLevel, User
from signage_server.settings import Settings
from tests.support.factories import add_unit

# Under pytest-xdist, beside other files, the generated cases were reported as one test that ran in
# 2 s (177 cases, about 2 minutes in one process): make test runs this file in its one-process pass.
pytestmark = pytest.mark.serial

schema = schemathesis.openapi.from_dict(
    create_app(Settings(data_dir=Path("unused"), seed_units=False)).openapi()
)


@pytest.fixture(scope="module")
def fuzz_env(tmp_path_factory: pytest.TempPathFactory, password_hash: str) -> Iterator[dict[str, Any]]:
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("fuzz"), seed_units=False))
    with TestClient(app, raise_server_exceptions=False) as client, Session(app.state.engine) as session:
        province = add_unit(session, "91", UnitLevel.PROVINCE, "Tỉnh", None)
        commune = add_unit(session, "91001", UnitLevel.COMMUNE, "Xã A", province)
        admin = User(username="fuzz-admin", role=Role.ADMIN, unit_id=province, password_hash=password_hash)
        session.add(admin)
        # A few rows with small ids, so generated ids sometimes find something.
        session.add(Board(name="Bảng", unit_id=commune))
        session.add(Bulletin(title="Tin", unit_id=commune))
        session.add(Playlist(name="Danh sách", unit_id=commune))
        session.commit()
        session.refresh(admin)
        yield {"client": client, "session": session, "admin": admin}


@schema.parametrize()
@settings(max_examples=12, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_generated_request_gets_a_server_error(case: schemathesis.Case, fuzz_env: dict[str, Any]) -> None:
    token, _row = issue_token(fuzz_env["session"], fuzz_env["admin"], TokenKind.SESSION, "fuzz", None)
    kwargs = _httpx_kwargs(case.as_transport_kwargs(base_url="http://testserver",
                                                    headers={"Authorization": f"Bearer {token}"}))
    response = fuzz_env["client"].request(**kwargs)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}\n{kwargs}"
    )


def _httpx_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """schemathesis prepares ``requests`` arguments; the test client speaks httpx."""
    out: dict[str, Any] = {"method": kwargs["method"], "url": kwargs["url"], "params": kwargs.get("params"),
                           "headers": dict(kwargs.get("headers") or {})}
    cookies = kwargs.get("cookies") or {}
    if cookies:
        out["headers"]["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if "json" in kwargs:
        out["json"] = kwargs["json"]
    if kwargs.get("files"):
        # A generated part may hold a number (an array of files drawn empty): httpx sends only
        # text and bytes, so it goes as its text, as a browser would send the field.
        out["files"] = [(name, (filename, content if isinstance(content, (bytes, str)) else str(content),
                                *rest)) for name, (filename, content, *rest) in kwargs["files"]]
    data = kwargs.get("data")
    if isinstance(data, (bytes, str)):
        out["content"] = data
    elif data:
        out["data"] = data
    return out


@pytest.mark.parametrize(("method", "path"), [
    ("PATCH", "/api/v1/boards/9223372036854775808"),
    ("PATCH", "/api/v1/playlists/9223372036854775808/items/1"),
])
def test_an_id_beyond_64_bits_is_a_4xx(fuzz_env: dict[str, Any], method: str, path: str) -> None:
    """Found by the fuzzer: SQLite's driver raised OverflowError (a 500) for such ids."""
    token, _row = issue_token(fuzz_env["session"], fuzz_env["admin"], TokenKind.SESSION, "fuzz", None)
    response = fuzz_env["client"].request(method, path, json={}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422
    assert "out of range" in response.json()["detail"]
