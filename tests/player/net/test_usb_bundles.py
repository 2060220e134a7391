"""The USB watch: a bundle on a mounted drive is imported once and played at once, a refused one
changes nothing, and the proof of play lands beside it."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from nacl.signing import SigningKey

from player.core.config import ConfigError, load_usb_bundles
from player.core.playlog import PlayEnded, PlayLog, PlayStarted
from player.core.state import StateDir
from player.net.usb_bundles import BundleWatcher
from signage_contract import Manifest, SignedManifest
from signage_contract.bundle import PlayExport
from signage_contract.device import DeviceCredential, PlayRecord
from signage_contract.signing import encode_key, key_id
from tests.support.bundles import members, write_tar
from tests.support.player_factories import image_bytes, image_item, manifest, media_ref, signed

KEY = SigningKey.generate()
PNG = image_bytes(32, 32, (10, 160, 60))
SHA = hashlib.sha256(PNG).hexdigest()


@pytest.fixture
def watch(tmp_path: Path):
    state = StateDir(tmp_path / "state")
    state.save_credential(DeviceCredential(board_id="b1", token="t", key_id=key_id(KEY.verify_key),
                                           server_public_key=encode_key(KEY.verify_key)))
    playlog = PlayLog(tmp_path / "plays.sqlite3")
    adopted: list[Manifest] = []

    def adopt(_signed: SignedManifest, value: Manifest) -> None:
        adopted.append(value)

    watcher = BundleWatcher(str(tmp_path / "media" / "*" / "signage-bundle*.tar"), state, playlog, adopt)
    yield watcher, adopted, tmp_path / "media"
    playlog.close()


def _bundle(path: Path, board_id: str = "b1") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    value = manifest([image_item("img", media_ref(PNG, 32, 32))], board_id=board_id, sequence=9)
    return write_tar(path, members(KEY, {board_id: signed(value, KEY)}, {SHA: PNG}))


def test_a_bundle_on_a_drive_plays_once_and_the_plays_go_beside_it(watch) -> None:
    watcher, adopted, media = watch
    start = datetime(2026, 11, 23, 7, tzinfo=UTC)
    record = PlayRecord(id="rec-00000001", region_id="main", item_id="img", reason="scheduled",
                        category="other", priority="normal", started_at=start, ended_at=start)
    watcher.playlog.submit(PlayStarted(record))  # one closed record to carry back
    watcher.playlog.submit(PlayEnded(record.id, start + timedelta(seconds=20)))
    watcher.playlog.flush()
    assert watcher.poll_once() == [] and adopted == []
    _bundle(media / "usb0" / "signage-bundle.tar")
    assert len(watcher.poll_once()) == 1 and [m.sequence for m in adopted] == [9]
    assert watcher.poll_once() == [] and len(adopted) == 1  # still there, unchanged: not again
    files = list((media / "usb0" / "signage-plays").iterdir())
    assert [r.id for r in PlayExport.model_validate_json(files[0].read_bytes()).records] == ["rec-00000001"]


def test_a_refused_bundle_plays_nothing(watch) -> None:
    watcher, adopted, media = watch
    _bundle(media / "usb0" / "signage-bundle.tar", board_id="b2")
    assert len(watcher.poll_once()) == 1
    assert adopted == [] and watcher.state.load_manifest() is None


def test_the_watch_is_set_in_player_toml(tmp_path) -> None:
    config = tmp_path / "player.toml"
    assert load_usb_bundles(config) is None
    config.write_text('[usb]\nbundles = "/media/*/*/signage-bundle*.tar"\n', encoding="utf-8")
    assert load_usb_bundles(config) == "/media/*/*/signage-bundle*.tar"
    config.write_text("[usb]\nbundles = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_usb_bundles(config)
