from datetime import UTC, datetime, timedelta

import pytest
from nacl.signing import SigningKey
from pydantic import ValidationError

from signage_contract import Layout, Manifest, TextFlow, TextItem, UnknownItem
from signage_contract.manifest import ItemBase
from signage_contract.signing import ManifestRejected, sign_payload, verify_manifest

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def _manifest(board_id: str = "1", **extra: object) -> Manifest:
    return Manifest.model_validate(
        {
            "board_id": board_id,
            "generated_at": NOW,
            "valid_from": NOW,
            "valid_until": NOW + timedelta(days=7),
            "layouts": [{"id": "full", "name": "Toàn màn hình", "regions": [
                {"id": "main", "role": "main", "x": 0, "y": 0, "w": 1, "h": 1}]}],
            "items": [{"kind": "text", "id": "t1", "title": "Thông báo", "body": "Nội dung"}],
            "timeline": [],
            **extra,
        }
    )


def test_text_is_nfc_on_entry() -> None:
    item = TextItem(id="t", title="Tie\u0302\u0301ng Vie\u0323\u0302t")
    assert item.title == "Tiếng Việt"


def test_unknown_item_kind_is_kept_as_unknown_not_fatal() -> None:
    manifest = _manifest(items=[{"kind": "hologram", "id": "v1", "url": "x"}])
    assert isinstance(manifest.items[0], UnknownItem)


def test_a_text_pages_unless_its_flow_says_scroll_and_an_older_player_ignores_flow() -> None:
    class OlderTextItem(ItemBase):  # a text item as a player before ``flow`` knows it
        kind: str = "text"
        title: str = ""

    assert _manifest().items[0].flow is TextFlow.PAGES  # an older server: pages
    sent = _manifest(items=[{"kind": "text", "id": "t1", "title": "Thông báo", "flow": "scroll"}])
    assert sent.items[0].flow is TextFlow.SCROLL
    older = OlderTextItem.model_validate(sent.items[0].model_dump(mode="json"))
    assert older.title == "Thông báo" and not hasattr(older, "flow")


def test_region_outside_screen_is_rejected() -> None:
    with pytest.raises(ValidationError, match="extends past the screen"):
        region = {"id": "m", "role": "main", "x": 0.5, "y": 0, "w": 0.6, "h": 1}
        Layout.model_validate({"id": "bad", "name": "x", "regions": [region]})


def test_signature_round_trip_and_tamper_and_wrong_board() -> None:
    key = SigningKey.generate()
    payload = _manifest().model_dump_json()
    signed = sign_payload(key, payload, "v1")
    assert verify_manifest(signed, key.verify_key, "1").board_id == "1"
    tampered = signed.model_copy(update={"payload": payload.replace("Thông báo", "Tin giả")})
    with pytest.raises(ManifestRejected, match="bad signature"):
        verify_manifest(tampered, key.verify_key, "1")
    with pytest.raises(ManifestRejected, match="not 2"):
        verify_manifest(signed, key.verify_key, "2")
    with pytest.raises(ManifestRejected, match="bad signature"):
        verify_manifest(signed, SigningKey.generate().verify_key, "1")


def test_schema_command_prints_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from signage_server.cli import main

    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "timeline" in schema["manifest"]["properties"]
