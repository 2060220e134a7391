"""A board without a link imports a USB bundle: accepted only as a fetched manifest would be, and a
refused bundle changes nothing on the board."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from nacl.signing import SigningKey

from player.cli import main
from player.core.bundle_import import import_bundle
from player.core.state import StateDir
from signage_contract import SignedManifest
from signage_contract import bundle as wire
from signage_contract.bundle import BundleRejected
from signage_contract.device import DeviceCredential
from signage_contract.signing import encode_key, key_id
from tests.support.bundles import members, write_tar
from tests.support.player_factories import image_bytes, image_item, manifest, media_ref, signed

KEY = SigningKey.generate()
PNG = image_bytes(64, 48, (200, 30, 30))
SHA = hashlib.sha256(PNG).hexdigest()


@pytest.fixture
def state(tmp_path: Path) -> StateDir:
    paired = StateDir(tmp_path / "state")
    paired.save_credential(DeviceCredential(board_id="b1", token="t", key_id=key_id(KEY.verify_key),
                                            server_public_key=encode_key(KEY.verify_key)))
    return paired


def _signed(board_id: str = "b1", sequence: int = 5, key: SigningKey = KEY) -> SignedManifest:
    value = manifest([image_item("img", media_ref(PNG, 64, 48))], board_id=board_id, sequence=sequence)
    return signed(value, key)


def _bundle(path: Path, board_id: str = "b1", sequence: int = 5) -> Path:
    return write_tar(path, members(KEY, {board_id: _signed(board_id, sequence)}, {SHA: PNG}))


def _untouched(state: StateDir) -> bool:
    return state.load_manifest() is None and not state.media.has(SHA)


def test_a_bundle_for_this_board_goes_into_force_with_its_media(state, tmp_path) -> None:
    imported = import_bundle(state, _bundle(tmp_path / "signage-bundle.tar"))
    stored = state.load_manifest()
    assert imported.new and stored is not None and stored[1].sequence == 5
    assert state.media.read_verified(SHA) == PNG


def test_the_same_bundle_twice_changes_nothing(state, tmp_path) -> None:
    path = _bundle(tmp_path / "signage-bundle.tar")
    import_bundle(state, path)
    assert not import_bundle(state, path).new


def test_an_altered_image_is_refused(state, tmp_path) -> None:
    content = members(KEY, {"b1": _signed()}, {SHA: PNG})
    content[wire.media_member(SHA)] = PNG[:-1] + b"\x00"
    with pytest.raises(BundleRejected, match="does not match its hash"):
        import_bundle(state, write_tar(tmp_path / "b.tar", content))
    assert _untouched(state)


def test_an_index_signed_by_another_key_is_refused(state, tmp_path) -> None:
    content = members(SigningKey.generate(), {"b1": _signed()}, {SHA: PNG})
    with pytest.raises(BundleRejected, match="signature"):
        import_bundle(state, write_tar(tmp_path / "b.tar", content))
    assert _untouched(state)


def test_a_manifest_signed_by_another_key_is_refused(state, tmp_path) -> None:
    content = members(KEY, {"b1": _signed(key=SigningKey.generate())}, {SHA: PNG})
    with pytest.raises(BundleRejected, match="bad signature"):
        import_bundle(state, write_tar(tmp_path / "b.tar", content))
    assert _untouched(state)


def test_a_bundle_for_another_board_is_refused(state, tmp_path) -> None:
    with pytest.raises(BundleRejected, match="no manifest for this board"):
        import_bundle(state, _bundle(tmp_path / "b.tar", board_id="b2"))
    assert _untouched(state)


def test_another_boards_manifest_under_this_boards_name_is_refused(state, tmp_path) -> None:
    content = members(KEY, {"b1": _signed(board_id="b2")}, {SHA: PNG})
    with pytest.raises(BundleRejected, match="for board b2"):
        import_bundle(state, write_tar(tmp_path / "b.tar", content))
    assert _untouched(state)


def test_an_older_bundle_is_refused_and_the_newer_keeps_playing(state, tmp_path) -> None:
    import_bundle(state, _bundle(tmp_path / "new.tar", sequence=7))
    with pytest.raises(BundleRejected, match="older"):
        import_bundle(state, _bundle(tmp_path / "old.tar", sequence=3))
    stored = state.load_manifest()
    assert stored is not None and stored[1].sequence == 7


@pytest.mark.parametrize("name", ["../escape", "/etc/escape", "media/../../escape"])
def test_a_path_escape_is_refused(state, tmp_path, name) -> None:
    content = {**members(KEY, {"b1": _signed()}, {SHA: PNG}), name: b"x"}
    with pytest.raises(BundleRejected, match="path escape"):
        import_bundle(state, write_tar(tmp_path / "b.tar", content))
    assert _untouched(state) and not (tmp_path / "escape").exists()


def test_a_link_in_the_bundle_is_refused(state, tmp_path) -> None:
    content = members(KEY, {"b1": _signed()}, {})
    with pytest.raises(BundleRejected, match="not a regular file"):
        link = {wire.media_member(SHA): "/etc/passwd"}
        import_bundle(state, write_tar(tmp_path / "b.tar", content, symlinks=link))
    assert _untouched(state)


def test_a_file_the_index_does_not_name_is_refused(state, tmp_path) -> None:
    content = {**members(KEY, {"b1": _signed()}, {SHA: PNG}), "media/extra": b"x"}
    with pytest.raises(BundleRejected, match="does not name"):
        import_bundle(state, write_tar(tmp_path / "b.tar", content))


def test_an_oversized_bundle_is_refused_before_it_is_read(state, tmp_path) -> None:
    path = _bundle(tmp_path / "b.tar")
    with pytest.raises(BundleRejected, match="over the limit"):
        import_bundle(state, path, max_bytes=path.stat().st_size - 1)
    assert _untouched(state)


def test_a_member_bigger_than_the_index_says_is_refused(state, tmp_path) -> None:
    content = members(KEY, {"b1": _signed()}, {SHA: PNG})
    content[wire.media_member(SHA)] = PNG + b"more"
    with pytest.raises(BundleRejected, match="the index says"):
        import_bundle(state, write_tar(tmp_path / "b.tar", content))
    assert _untouched(state)


def test_a_bundle_of_too_many_files_is_refused(state, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(wire, "MAX_MEMBERS", 3)
    with pytest.raises(BundleRejected, match="more than 3 files"):
        import_bundle(state, _bundle(tmp_path / "b.tar"))
    assert _untouched(state)


def test_a_file_that_is_not_a_tar_is_refused(state, tmp_path) -> None:
    path = tmp_path / "b.tar"
    path.write_bytes(b"not a tar at all" * 100)
    with pytest.raises(BundleRejected, match="not a readable bundle"):
        import_bundle(state, path)


def test_an_unpaired_board_refuses_every_bundle(tmp_path) -> None:
    with pytest.raises(BundleRejected, match="not paired"):
        import_bundle(StateDir(tmp_path / "fresh"), _bundle(tmp_path / "b.tar"))


def test_the_command_says_why_it_refused_and_exits_non_zero(state, tmp_path, capsys) -> None:
    path = _bundle(tmp_path / "b.tar", board_id="b2")
    assert main(["--state-dir", str(state.root), "import-bundle", str(path)]) == 2
    assert "no manifest for this board" in capsys.readouterr().err
    assert _untouched(state)


def test_the_command_imports_and_writes_the_plays_beside_the_bundle(state, tmp_path, capsys) -> None:
    (tmp_path / "usb").mkdir()
    path = _bundle(tmp_path / "usb" / "signage-bundle.tar")
    assert main(["--state-dir", str(state.root), "import-bundle", str(path)]) == 0
    assert "in force" in capsys.readouterr().out
    assert state.load_manifest() is not None and (tmp_path / "usb" / "signage-plays").is_dir()
