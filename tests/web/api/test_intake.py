"""Bulletin intake for upstream systems (issue 14 part 1): one bulletin per (source, external_id)
whatever the resends, the approval queue of the targeted units or approval at once where the source
is trusted, targets by 2025 unit code, images in the request or by sha256."""

from __future__ import annotations

import io
import json
import threading
from datetime import date

import pytest
from PIL import Image
from sqlalchemy import create_engine, text
from sqlmodel import select

from signage_server.core.auth import issue_token
from signage_server.models import (
    AdminUnit,
    AuditEvent,
    Bulletin,
    ContentState,
    Role,
    Submission,
    SubmissionKind,
    TokenKind,
    UnitLevel,
    User,
)
from tests.support.factories import add_unit, make_user

API = "/api/v1"
INTAKE = f"{API}/intake/bulletins"


@pytest.fixture
def system(session, tree, password_hash):
    """The province's source system: an editor account at the province with an API token."""
    account = make_user(session, "he-thong-nguon", Role.EDITOR, tree.province, password_hash)
    user = session.get(User, account.id)
    token, _ = issue_token(session, user, TokenKind.API, "nguồn", None)
    return account, {"Authorization": f"Bearer {token}"}


@pytest.fixture
def source(client, users, system):
    account, headers = system
    made = client.post(f"{API}/intake/sources", json={"name": "httn-tinh", "user_id": account.id},
                       headers=users["admin"].headers)
    assert made.status_code == 201, made.text
    return made.json(), headers


def _send(client, headers, external_id="VB-001", **fields):
    body = {"external_id": external_id, "title": "Thông báo lịch tiêm chủng", "body": "Sáng thứ Hai.",
            "category": "socio_economic", "priority": "priority", "unit_codes": ["91001"], **fields}
    return client.post(INTAKE, json=body, headers=headers)


def _trust(client, users, source_id, unit_ids):
    done = client.patch(f"{API}/intake/sources/{source_id}", json={"trusted_unit_ids": unit_ids},
                        headers=users["admin"].headers)
    assert done.status_code == 200, done.text


def _png(color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, "PNG")
    return out.getvalue()


def test_a_resend_updates_the_one_bulletin_of_its_external_id(client, users, source, session) -> None:
    _, headers = source
    sent = _send(client, headers)
    assert sent.status_code == 201, sent.text
    first = sent.json()
    assert (first["created"], first["changed"], first["state"]) == (True, True, "submitted")
    bulletin = session.get(Bulletin, first["bulletin_id"])
    held = (bulletin.source, bulletin.external_id, bulletin.unit_id)
    assert held == ("httn-tinh", "VB-001", users["editor_a"].unit_id)
    queue = client.get(f"{API}/submissions/queue", headers=users["approver_a"].headers).json()
    assert [s["id"] for s in queue] == [first["submission_id"]]  # the targeted commune's queue
    shown = client.get(f"{API}/bulletins/{first['bulletin_id']}", headers=users["editor_a"].headers).json()
    assert (shown["source"], shown["external_id"]) == ("httn-tinh", "VB-001")
    again = _send(client, headers, title="Thông báo lịch tiêm chủng (sửa)")
    assert again.status_code == 200, again.text
    assert again.json() == {"bulletin_id": first["bulletin_id"], "state": "submitted",
                            "submission_id": first["submission_id"], "created": False, "changed": True}
    same = _send(client, headers, title="Thông báo lịch tiêm chủng (sửa)").json()
    assert (same["created"], same["changed"]) == (False, False)
    session.expire_all()
    rows = session.exec(select(Bulletin)).all()
    assert [(r.id, r.title) for r in rows] == [(first["bulletin_id"], "Thông báo lịch tiêm chủng (sửa)")]
    assert len(session.exec(select(Submission)).all()) == 1

    rejected = client.post(f"{API}/submissions/{first['submission_id']}/decision",
                           json={"state": "rejected", "reason": "Sai ngày"},
                           headers=users["approver_a"].headers)
    assert rejected.status_code == 200, rejected.text
    retry = _send(client, headers, title="Thông báo lịch tiêm chủng (sửa)").json()
    assert (retry["state"], retry["changed"]) == ("rejected", False)  # a retry asks nothing again
    corrected = _send(client, headers, title="Thông báo lịch tiêm chủng (đúng ngày)").json()
    assert (corrected["state"], corrected["changed"], corrected["bulletin_id"]) == (
        "submitted", True, first["bulletin_id"])


def test_once_approved_a_resend_waits_as_an_edit_unless_the_source_is_trusted(
    client, users, source, session, tree
) -> None:
    row, headers = source
    first = _send(client, headers).json()
    decided = client.post(f"{API}/submissions/{first['submission_id']}/decision", json={"state": "approved"},
                          headers=users["approver_a"].headers)
    assert decided.status_code == 200, decided.text
    again = _send(client, headers, body="Sáng thứ Ba.").json()
    assert (again["created"], again["state"]) == (False, "submitted")
    assert session.get(Submission, again["submission_id"]).kind == SubmissionKind.EDIT
    shown = client.get(f"{API}/bulletins/{first['bulletin_id']}", headers=users["editor_a"].headers).json()
    assert shown["body"] == "Sáng thứ Hai."  # on air until the edit is approved
    waiting = (shown["pending_edit"]["body"], shown["pending_submission_id"])
    assert waiting == ("Sáng thứ Ba.", again["submission_id"])

    _trust(client, users, row["id"], [tree.commune_a])
    trusted = _send(client, headers, "VB-A").json()
    assert trusted["state"] == "approved"
    both = _send(client, headers, "VB-AB", unit_codes=["91001", "91002"]).json()
    assert both["state"] == "submitted"  # commune B does not trust the source
    edited = _send(client, headers, "VB-A", title="Đã sửa").json()
    assert (edited["state"], edited["changed"]) == ("approved", True)
    shown = client.get(f"{API}/bulletins/{trusted['bulletin_id']}", headers=users["editor_a"].headers).json()
    assert (shown["title"], shown["pending_edit"]) == ("Đã sửa", None)


def test_targets_are_unit_codes_valid_on_the_first_day_or_the_whole_scope(
    client, source, session, tree
) -> None:
    _, headers = source
    old = session.get(AdminUnit, tree.commune_b)
    old.valid_to = date(2030, 1, 1)
    session.add(old)
    session.commit()
    heir = add_unit(session, "91002", UnitLevel.COMMUNE, "Phường Bắc Sơn mới", tree.province)
    new = session.get(AdminUnit, heir)
    new.valid_from = date(2030, 1, 1)
    session.add(new)
    session.commit()
    now = _send(client, headers, "VB-NOW", unit_codes=["91002"]).json()
    later = _send(client, headers, "VB-LATER", unit_codes=["91002"], valid_from="2030-02-01T07:00:00+07:00",
                  valid_until="2030-02-02T07:00:00+07:00").json()
    assert session.get(Submission, now["submission_id"]).targets["unit_ids"] == [tree.commune_b]
    assert session.get(Submission, later["submission_id"]).targets["unit_ids"] == [heir]
    whole_scope = _send(client, headers, "VB-ALL", unit_codes=[]).json()
    everywhere = session.get(Submission, whole_scope["submission_id"])
    assert (everywhere.unit_id, everywhere.targets["unit_ids"]) == (tree.province, [tree.province])


def test_refusals_say_why(client, users, source) -> None:
    row, headers = source
    unknown = _send(client, headers, unit_codes=["99999"])
    assert (unknown.status_code, unknown.json()["code"]) == (422, "intake.unknown_unit")
    image = _send(client, headers, image_sha256=["0" * 64])
    assert (image.status_code, image.json()["code"]) == (422, "intake.unknown_image")
    stranger = _send(client, users["editor_a"].headers)
    assert (stranger.status_code, stranger.json()["code"]) == (403, "intake.not_a_source")
    anonymous = client.post(INTAKE, json={})
    assert anonymous.status_code == 401
    wrong = client.post(INTAKE, content=b"x", headers={**headers, "Content-Type": "text/plain"})
    assert wrong.status_code == 415
    client.patch(f"{API}/intake/sources/{row['id']}", json={"active": False}, headers=users["admin"].headers)
    paused = _send(client, headers)
    assert (paused.status_code, paused.json()["code"]) == (403, "intake.not_a_source")


def test_images_in_the_request_and_by_sha256(client, source, session) -> None:
    _, headers = source
    bulletin = {"external_id": "VB-IMG", "title": "Ảnh ngày hội", "unit_codes": ["91001"]}
    sent = client.post(INTAKE, data={"bulletin": json.dumps(bulletin)},
                       files=[("images", ("hoi.png", _png(), "image/png"))], headers=headers)
    assert sent.status_code == 201, sent.text
    media_ids = session.get(Submission, sent.json()["submission_id"]).media_ids
    assert len(media_ids) == 1
    digest = client.get(f"{API}/media/{media_ids[0]}", headers=headers).json()["sha256"]
    again = _send(client, headers, "VB-IMG-2", image_sha256=[digest]).json()
    assert session.get(Submission, again["submission_id"]).media_ids == media_ids
    bad = client.post(INTAKE, data={"bulletin": json.dumps({**bulletin, "external_id": "VB-BAD"})},
                      files=[("images", ("x.png", b"not an image", "image/png"))], headers=headers)
    assert bad.status_code in (400, 415) and bad.json()["code"].startswith("media.")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sources_are_managed_by_admins_and_audited(client, users, system, session) -> None:
    account, _ = system
    refused = client.post(f"{API}/intake/sources", json={"name": "x1", "user_id": account.id},
                          headers=users["editor_a"].headers)
    assert refused.status_code == 403
    not_editor = client.post(f"{API}/intake/sources", json={"name": "x2", "user_id": users["viewer_a"].id},
                             headers=users["admin"].headers)
    assert (not_editor.status_code, not_editor.json()["code"]) == (422, "intake_source.account_not_editor")
    made = client.post(f"{API}/intake/sources", json={"name": "x3", "user_id": account.id},
                       headers=users["admin"].headers)
    assert made.status_code == 201
    taken = client.post(f"{API}/intake/sources", json={"name": "x3", "user_id": users["editor_a"].id},
                        headers=users["admin"].headers)
    assert (taken.status_code, taken.json()["code"]) == (409, "intake_source.name_taken")
    # An admin of commune A sees no source whose account is at the province.
    assert client.get(f"{API}/intake/sources", headers=users["admin_a"].headers).json() == []
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.object_type == "intake_source")).all()
    assert actions == ["create"]


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_concurrent_first_sends_make_one_bulletin(client, source, session) -> None:
    _, headers = source
    start = threading.Barrier(2)
    answers: list[dict[str, object]] = []

    def send(external_id: str) -> None:
        start.wait()
        answers.append(_send(client, headers, external_id).json())

    for external_id in ("R-1", "R-2", "R-3"):
        threads = [threading.Thread(target=send, args=(external_id,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(a["created"] for a in answers) == [False, False, False, True, True, True]
    session.expire_all()
    assert len(session.exec(select(Bulletin)).all()) == 3


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_the_unique_constraint_decides_a_race_on_postgresql(client, source, session, settings, tree) -> None:
    """A first send whose twin is being inserted by another transaction waits for it on the unique
    index, fails there, and updates the twin's bulletin instead (two blocking transactions:
    PostgreSQL only)."""
    _, headers = source
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as twin:
            twin.execute(text(
                "INSERT INTO bulletin (title, body, category, priority, source, external_id, unit_id,"
                " state, rejection_reason, created_at, updated_at) VALUES ('Bản kia', '',"
                " 'SOCIO_ECONOMIC', 'NORMAL', 'httn-tinh', 'VB-RACE', :unit, 'SUBMITTED', '', now(), now())"),
                {"unit": tree.commune_a})
            answer: list[object] = []
            sender = threading.Thread(target=lambda: answer.append(_send(client, headers, "VB-RACE")))
            sender.start()
            _wait_for_a_lock(engine, sender)
            bulletin_id = twin.execute(text("SELECT id FROM bulletin WHERE external_id = 'VB-RACE'")).scalar()
            twin.execute(text(
                "INSERT INTO submission (kind, title, unit_id, bulletin_id, media_ids, schedule_ids,"
                " targets, \"window\", state, rejection_reason, created_at, updated_at) VALUES"
                " ('PUBLICATION', 'Bản kia', :unit, :bulletin, '[]', '[]', '{}', '{}', 'SUBMITTED', '',"
                " now(), now())"),
                {"unit": tree.commune_a, "bulletin": bulletin_id})
            twin.commit()
            sender.join()
    finally:
        engine.dispose()
    got = answer[0].json()
    assert (got["created"], got["bulletin_id"]) == (False, bulletin_id)
    session.expire_all()
    rows = session.exec(select(Bulletin)).all()
    assert [(r.id, r.title, r.state) for r in rows] == [(bulletin_id, "Thông báo lịch tiêm chủng",
                                                         ContentState.SUBMITTED)]


def _wait_for_a_lock(engine, sender: threading.Thread) -> None:
    """Until another backend waits on a lock (the sender's insert behind the twin's row)."""
    query = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
    with engine.connect() as probe:
        while sender.is_alive() and not probe.execute(query).scalar():
            probe.rollback()
            threading.Event().wait(0.01)
