"""Durable writes: the whole new file replaces the old one, and no temporary file is left behind."""

import os
import stat

import pytest

from signage_contract.files import SECRET_MODE, atomic_write, fsync_dir, private_dir

posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")


def test_atomic_write_replaces_the_whole_file_and_leaves_no_temp(tmp_path) -> None:
    target = tmp_path / "credential.json"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["credential.json"]


def test_fsync_dir_accepts_a_directory(tmp_path) -> None:
    fsync_dir(tmp_path)


@posix_only
def test_atomic_write_creates_a_secret_0600_from_the_start(tmp_path, monkeypatch) -> None:
    """The temporary file is never wider than the mode asked for, even for an instant."""
    seen: list[int] = []
    real_replace = os.replace

    def replace_noting_the_mode(src, dst) -> None:
        seen.append(stat.S_IMODE(os.stat(src).st_mode))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_noting_the_mode)
    target = tmp_path / "credential.json"
    atomic_write(target, b"token", mode=SECRET_MODE)
    assert seen == [0o600]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@posix_only
def test_atomic_write_does_not_reuse_a_leftover_temp_with_a_wider_mode(tmp_path) -> None:
    leftover = tmp_path / ".credential.json.tmp"
    leftover.write_bytes(b"half")
    leftover.chmod(0o644)
    atomic_write(tmp_path / "credential.json", b"token", mode=SECRET_MODE)
    assert stat.S_IMODE((tmp_path / "credential.json").stat().st_mode) == 0o600


@posix_only
def test_private_dir_is_created_0700_and_an_existing_one_narrowed(tmp_path) -> None:
    fresh = private_dir(tmp_path / "a" / "state")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o700
    old = tmp_path / "old"
    old.mkdir(mode=0o755)
    old.chmod(0o755)
    assert stat.S_IMODE(private_dir(old).stat().st_mode) == 0o700
