"""Durable file writes, shared by the server and the player (power cuts are common on boards).

A rename is atomic but not durable until its directory is fsynced; a written file is not durable
until the file itself is fsynced. ``atomic_write`` does both, so a reader after a power cut sees the
old file or the new one, never half of one and never an empty one.
"""

from __future__ import annotations

import os
from pathlib import Path


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


def atomic_write(path: Path, data: bytes) -> None:
    """Temp file beside ``path``, fsync, rename over ``path``, fsync the directory."""
    temp = path.with_name(f".{path.name}.tmp")
    with temp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
    fsync_dir(path.parent)
