"""Player releases through the API: the province admin uploads real wheels (refused with a reason
unless they are wheels of signage), offers them per channel, assigns channels that communes
inherit; a board's release check gets its channel's release signed with the manifest key, reports
what it runs, and downloads only the wheel it was offered."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import UTC, datetime

import pytest
from nacl.signing import VerifyKey
from sqlmodel import select

from signage_contract.release import (
    DEVICE_RELEASE,
    DEVICE_RELEASE_WHEEL,
    ReleaseCheck,
    ReleaseRejected,
    SignedRelease,
    UpdateReport,
    verify_release,
)
from signage_server.models import AuditEvent, PlayerRelease
from tests.support.overrides import device_headers
from tests.support.wheels import build_wheel

OCTET = {"Content-Type": "application/octet-stream"}


@pytest.fixture(scope="module")
def wheels(tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("wheels")
    return {v: build_wheel(out, v).read_bytes() for v in ("0.2.0", "0.3.0")} | {
        "other": build_wheel(out, "1.0", name="requests").read_bytes()}


def _upload(client, headers, data: bytes, channel: str | None = None):
    url = "/api/v1/releases" + (f"?channel={channel}" if channel else "")
    return client.post(url, content=data, headers={**headers, **OCTET})


def _check(client, headers, running: str = "0.1.0", report: UpdateReport | None = None):
    body = ReleaseCheck(running_version=running, last_update=report)
    return client.post(DEVICE_RELEASE, content=body.model_dump_json(),
                       headers={**headers, "Content-Type": "application/json"})


def test_an_offered_release_reaches_the_boards_of_its_channel_signed(client, app, users, tree, make_board,
                                                                     session, wheels) -> None:
    admin = users["admin"].headers
    pilot, other = make_board(tree.commune_a), make_board(tree.commune_b)
    response = _upload(client, admin, wheels["0.2.0"], channel="pilot")
    assert response.status_code == 201, response.text
    assert response.json()["version"] == "0.2.0" and response.json()["channels"] == ["pilot"]
    assert response.json()["sha256"] == hashlib.sha256(wheels["0.2.0"]).hexdigest()
    put = client.put(f"/api/v1/units/{tree.commune_a}/release-channel", json={"channel": "pilot"},
                     headers=admin)
    assert put.status_code == 200 and put.json()["effective"] == "pilot"

    headers = device_headers(session, pilot.id)
    answer = _check(client, headers)
    assert answer.status_code == 200, answer.text
    key: VerifyKey = app.state.signing_key.verify_key
    descriptor = verify_release(SignedRelease.model_validate_json(answer.content), key, str(pilot.id))
    assert (descriptor.version, descriptor.channel) == ("0.2.0", "pilot")
    assert descriptor.size == len(wheels["0.2.0"])
    wheel = client.get(descriptor.url, headers=headers)
    assert wheel.status_code == 200 and hashlib.sha256(wheel.content).hexdigest() == descriptor.sha256
    with pytest.raises(ReleaseRejected):  # not valid for another board
        verify_release(SignedRelease.model_validate_json(answer.content), key, str(other.id))

    other_headers = device_headers(session, other.id)
    assert _check(client, other_headers).status_code == 204  # "stable" offers nothing yet
    assert client.get(descriptor.url, headers=other_headers).status_code == 404  # not offered to it
    assert client.get(descriptor.url).status_code == 401


def test_who_runs_what_shows_versions_channels_and_failed_updates(client, users, tree, make_board, session,
                                                                  wheels) -> None:
    admin = users["admin"].headers
    board = make_board(tree.commune_a)
    assert _upload(client, admin, wheels["0.3.0"], channel="stable").status_code == 201
    report = UpdateReport(from_version="0.2.0", to_version="0.3.0", outcome="rolled_back",
                          reason="it exited with status 1 before reporting healthy", at=datetime.now(UTC))
    answer = _check(client, device_headers(session, board.id), running="0.2.0", report=report)
    assert answer.status_code == 200
    rows = client.get("/api/v1/releases/boards", headers=users["viewer_a"].headers).json()
    (row,) = [r for r in rows if r["board_id"] == board.id]
    assert (row["channel"], row["running_version"], row["offered_version"]) == ("stable", "0.2.0", "0.3.0")
    assert (row["update_outcome"], row["update_to"]) == ("rolled_back", "0.3.0")
    assert "before reporting healthy" in row["update_reason"]
    assert client.get("/api/v1/releases/boards", headers=users["editor_b"].headers).json() == []  # scope


def test_a_board_channel_wins_over_its_units_and_falls_back_when_removed(client, users, tree, make_board):
    admin = users["admin"].headers
    board = make_board(tree.commune_a)
    assert client.put(f"/api/v1/units/{tree.province}/release-channel", json={"channel": "pilot"},
                      headers=admin).status_code == 200
    got = client.get(f"/api/v1/boards/{board.id}/release-channel", headers=admin).json()
    assert got == {"own": None, "inherited": "pilot", "inherited_from_unit_id": tree.province,
                   "effective": "pilot"}
    own = client.put(f"/api/v1/boards/{board.id}/release-channel", json={"channel": "stable"}, headers=admin)
    assert own.json()["effective"] == "stable"
    assert client.delete(f"/api/v1/boards/{board.id}/release-channel", headers=admin).status_code == 204
    got = client.get(f"/api/v1/boards/{board.id}/release-channel", headers=admin).json()
    assert got["effective"] == "pilot"
    bad = client.put(f"/api/v1/units/{tree.commune_a}/release-channel", json={"channel": "beta"},
                     headers=admin)
    assert bad.status_code == 422 and bad.json()["code"] == "release.channel_unknown"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_anything_but_a_new_wheel_of_signage_is_refused_and_nothing_stored(client, users, session,
                                                                          settings, wheels) -> None:
    admin = users["admin"].headers
    cases = {
        b"": "empty",
        b"PK\x03\x04 truncated": "not a wheel",
        _zip({"readme.txt": b"hello"}): "no single *.dist-info/METADATA",
        wheels["other"]: "not a release of signage",
        _zip({"x.dist-info/METADATA": b"Name: signage\nVersion: 1 2\n", "x.dist-info/WHEEL": b""}): "version",
    }
    for data, reason in cases.items():
        response = _upload(client, admin, data)
        assert response.status_code == 422 and reason in response.json()["detail"], response.text
    assert _upload(client, admin, wheels["0.2.0"]).status_code == 201
    again = _upload(client, admin, wheels["0.2.0"])
    assert again.status_code == 409 and again.json()["code"] == "release.version_exists"
    assert len(session.exec(select(PlayerRelease)).all()) == 1
    stored = sorted(p.name for p in (settings.data_dir / "releases").iterdir())
    assert stored == [f"{hashlib.sha256(wheels['0.2.0']).hexdigest()}.whl"]  # no temp file, no refused one
    missing = client.put("/api/v1/releases/channels/pilot", json={"version": "9.9"}, headers=admin)
    assert missing.status_code == 404


def test_only_the_province_admin_manages_releases(client, users, tree, make_board, session, wheels) -> None:
    board = make_board(tree.commune_a)
    for who in ("admin_a", "editor_a", "viewer_a"):
        headers = users[who].headers
        assert _upload(client, headers, wheels["0.2.0"]).status_code == 403, who
        assert client.put("/api/v1/releases/channels/pilot", json={"version": None},
                          headers=headers).status_code == 403, who
        assert client.put(f"/api/v1/boards/{board.id}/release-channel", json={"channel": "pilot"},
                          headers=headers).status_code == 403, who
    assert session.exec(select(PlayerRelease)).all() == []
    admin = users["admin"].headers
    assert _upload(client, admin, wheels["0.2.0"], channel="pilot").status_code == 201
    cleared = client.put("/api/v1/releases/channels/pilot", json={"version": None}, headers=admin)
    assert cleared.status_code == 204
    assert client.get("/api/v1/releases", headers=admin).json()[0]["channels"] == []
    actions = {(e.object_type, e.action) for e in session.exec(select(AuditEvent)).all()}
    assert {("player_release", "create"), ("release_channel", "update")} <= actions


def test_the_download_route_names_the_wheel_by_sha256(client, users, tree, make_board, session,
                                                      wheels) -> None:
    board = make_board(tree.commune_a)
    assert _upload(client, users["admin"].headers, wheels["0.2.0"], channel="stable").status_code == 201
    headers = device_headers(session, board.id)
    wrong = DEVICE_RELEASE_WHEEL.format(sha256="0" * 64)
    assert client.get(wrong, headers=headers).status_code == 404
