"""Durable file writes, shared by the server and the player (power cuts are common on boards).

A rename is atomic but not durable until its directory is fsynced; a written file is not durable
until the file itself is fsynced. ``atomic_write`` does both, so a reader after a power cut sees the
old file or the new one, never half of one and never an empty one.

Files are created with their final mode (``os.open`` with ``mode``; the umask can only narrow
it): a secret is never readable by others, not even for the instant between a write and a later
``chmod``.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o666  # what open() asks for: the umask decides
SECRET_MODE = 0o600  # credentials, tokens: the owner only
PRIVATE_DIR_MODE = 0o700


def fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable; directories cannot be opened for fsync on Windows,
    where it is skipped (NTFS journals the rename)."""
    if os.name == "nt":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, mode: int = FILE_MODE) -> None:
    """Temp file beside ``path`` created with ``mode``, fsync, rename over ``path``, fsync the
    directory."""
    temp = path.with_name(f".{path.name}.tmp")
    temp.unlink(missing_ok=True)  # a leftover of a power cut may carry a wider mode: start afresh
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
    fsync_dir(path.parent)


def private_dir(directory: Path) -> Path:
    """Create ``directory`` (and parents) readable by the owner only; an existing one is narrowed
    to 0700 too (a board upgraded from a version that made it 0755)."""
    directory.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    if os.name != "nt":
        directory.chmod(PRIVATE_DIR_MODE)
    return directory
