"""Shared by the spoken announcement tests: the espeak-ng skip and a WAV's loudest sample."""

from __future__ import annotations

import array
import shutil
import wave
from pathlib import Path

import pytest

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="espeak-ng is not installed (Debian package espeak-ng; .ci/run installs it)")


def loudest_sample(path: Path) -> int:
    """The largest absolute 16-bit sample of a WAV file (0: silence)."""
    with wave.open(str(path), "rb") as audio:
        assert audio.getsampwidth() == 2
        samples = array.array("h", audio.readframes(audio.getnframes()))
    return max((abs(s) for s in samples), default=0)


def loudest_raw_sample(data: bytes) -> int:
    """The largest absolute sample of raw signed 16-bit audio (what SDL's disk driver writes)."""
    samples = array.array("h", data[: len(data) - len(data) % 2])
    return max((abs(s) for s in samples), default=0)
