"""The audit trail says the administration pages' actions and objects in Vietnamese words."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from signage_server.models import AuditEvent
from signage_server.web.panel import audit_view
from signage_server.web.panel.i18n import load_catalogs
from signage_server.web.panel.pages import Translator


def vi() -> Translator:
    return Translator(load_catalogs()["vi"], "vi")


@pytest.mark.parametrize(("action", "object_type", "said"), [
    ("rename", "unit", "đổi tên"),
    ("remove", "unit", "gỡ bỏ"),
    ("upload_certificate", "cap_sender", "tải lên chứng thư số"),
    ("rotate_token", "cap_sender", "cấp lại mã truy cập của nguồn"),
    ("enable", "cap_sender", "đưa vào sử dụng"),
    ("disable", "cap_sender", "ngừng sử dụng"),
    ("create_token", "api_token", "tạo mã truy cập API"),
])
def test_admin_actions_are_words(action: str, object_type: str, said: str) -> None:
    assert audit_view.action_text(action, vi(), object_type) == said


def test_a_cap_sender_event_names_its_kind_and_local_expiry() -> None:
    event = AuditEvent(action="upload_certificate", object_type="cap_sender", object_id="4",
                       before={"name": "NCHMF", "certificate_not_after": None},
                       after={"name": "NCHMF", "certificate_not_after": "2027-01-01T00:00:00+00:00"})
    assert audit_view.object_text(event, audit_view.Names(), vi()) == "Nguồn cảnh báo CAP “NCHMF”"
    assert audit_view.changes_text(event, audit_view.Names(), vi()) == [
        "Chứng thư số có hiệu lực đến: – → 01/01/2027 07:00 GMT+7"]


def test_a_village_level_is_a_word() -> None:
    event = AuditEvent(action="create", object_type="unit", object_id="9", after={"level": "village"})
    said = audit_view.changes_text(event, audit_view.Names(), vi())
    assert said == ["Cấp hành chính: – → thôn, tổ dân phố"]


def test_a_cap_senders_unit_is_named_not_coded() -> None:
    names = audit_view.Names(unit_codes={"22015": [(date(2025, 7, 1), None, "Phường Hạ Long")],
                                         "07030": [(date(2020, 1, 1), date(2025, 7, 1), "Xã cũ"),
                                                   (date(2025, 7, 1), None, "Xã mới")]})
    event = AuditEvent(action="update", object_type="cap_sender", object_id="4",
                       before={"unit_code": "22015"}, after={"unit_code": "07030"},
                       at=datetime(2025, 6, 30, 12, 0, tzinfo=UTC))
    assert audit_view.changes_text(event, names, vi()) == ["Đơn vị: Phường Hạ Long → Xã cũ"]


def test_an_unknown_unit_code_is_said_as_a_code() -> None:
    event = AuditEvent(action="create", object_type="cap_sender", object_id="4", after={"unit_code": "99999"})
    assert audit_view.changes_text(event, audit_view.Names(), vi()) == ["Đơn vị: – → đơn vị có mã 99999"]
