"""The player's state directory: private to its owner, the credential a secret from its first byte."""

import os
import stat

import pytest
from nacl.signing import SigningKey

from player.core.state import StateDir
from signage_contract.device import DeviceCredential
from signage_contract.signing import encode_key, key_id

posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")


def _credential() -> DeviceCredential:
    verify_key = SigningKey.generate().verify_key
    return DeviceCredential(
        board_id="b1",
        token="secret-token",
        server_public_key=encode_key(verify_key),
        key_id=key_id(verify_key),
    )


@posix_only
def test_state_dir_is_created_0700(tmp_path) -> None:
    StateDir(tmp_path / "state")
    assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700


@posix_only
def test_credential_is_written_0600_and_never_renamed_in_wider(tmp_path, monkeypatch) -> None:
    state = StateDir(tmp_path / "state")
    modes: list[int] = []
    real_replace = os.replace

    def replace_noting_the_mode(src, dst) -> None:
        modes.append(stat.S_IMODE(os.stat(src).st_mode))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_noting_the_mode)
    state.save_credential(_credential())
    assert modes == [0o600]
    assert stat.S_IMODE((tmp_path / "state" / "credential.json").stat().st_mode) == 0o600
    assert state.load_credential() is not None
