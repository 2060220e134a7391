"""Text-to-speech engines for spoken announcements: each turns Vietnamese text into a WAV file.

``Espeak`` (espeak-ng's Vietnamese voice) is the engine that is always there on a server with the
Debian package ``espeak-ng``; ``Piper`` is the better neural voice, used only where the operator
installed a Vietnamese Piper model and named it (``SIGNAGE_SPEECH_PIPER_MODEL``). Both run as a
child process with an argument list (never a shell), the text on standard input, and a time limit.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

SYNTHESIS_TIMEOUT_S = 60.0


class SpeechFailed(Exception):
    """The engine is missing, failed or ran out of time; the message says which."""


class Engine(Protocol):
    @property
    def name(self) -> str: ...

    def available(self) -> bool: ...

    def synthesize(self, text: str, out: Path) -> None:
        """Write ``text`` spoken as a WAV file to ``out``; raise SpeechFailed otherwise."""


def _run(command: list[str], text: str, out: Path, timeout_s: float) -> None:
    try:
        done = subprocess.run(command, input=text.encode("utf-8"), capture_output=True,
                              timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired as exc:
        raise SpeechFailed(f"{command[0]} took longer than {timeout_s:g} s") from exc
    except OSError as exc:
        raise SpeechFailed(f"{command[0]} could not run: {exc}") from exc
    if done.returncode != 0 or not out.is_file() or out.stat().st_size <= 44:  # a bare WAV header
        detail = done.stderr.decode("utf-8", "replace").strip()[:200]
        raise SpeechFailed(f"{command[0]} failed (exit {done.returncode}): {detail}")


@dataclass(frozen=True)
class Espeak:
    """espeak-ng with its Vietnamese voice."""

    executable: str = "espeak-ng"
    voice: str = "vi"
    words_per_minute: int = 150
    timeout_s: float = SYNTHESIS_TIMEOUT_S
    name: str = "espeak-ng"

    def available(self) -> bool:
        return shutil.which(self.executable) is not None

    def synthesize(self, text: str, out: Path) -> None:
        command = [self.executable, "-v", self.voice, "-s", str(self.words_per_minute),
                   "-w", str(out), "--stdin"]
        _run(command, text, out, self.timeout_s)


@dataclass(frozen=True)
class Piper:
    """Piper with a Vietnamese voice model (an ``.onnx`` file and its ``.onnx.json`` beside it)."""

    model: Path
    executable: str = "piper"
    timeout_s: float = SYNTHESIS_TIMEOUT_S
    name: str = "piper"

    def available(self) -> bool:
        return shutil.which(self.executable) is not None and self.model.is_file()

    def synthesize(self, text: str, out: Path) -> None:
        _run([self.executable, "--model", str(self.model), "--output_file", str(out)], text, out,
             self.timeout_s)


def choose_engine(piper_model: Path | None) -> Engine:
    """Piper where a model is configured and present, espeak-ng otherwise."""
    if piper_model is not None:
        piper = Piper(piper_model)
        if piper.available():
            return piper
    return Espeak()
