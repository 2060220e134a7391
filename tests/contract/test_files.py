"""Durable writes: the whole new file replaces the old one, and no temporary file is left behind."""

from signage_contract.files import atomic_write, fsync_dir


def test_atomic_write_replaces_the_whole_file_and_leaves_no_temp(tmp_path) -> None:
    target = tmp_path / "credential.json"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["credential.json"]


def test_fsync_dir_accepts_a_directory(tmp_path) -> None:
    fsync_dir(tmp_path)
