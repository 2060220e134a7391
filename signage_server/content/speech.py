"""Spoken announcements: the recording of a text marked to be read aloud, made once per text.

A bulletin (or an emergency) marked to be spoken is recorded when it is written, before anything is
stored: a text the engine cannot say (empty, too long, the engine missing or failing) is refused
with a reason (``speech.*``) and nothing is kept. The WAV goes into the media store by its sha256
like an image (``media/<ab>/<sha256>``, shared with other instances through ``core/blobs.py``), and a
``SpeechClip`` row finds it again by the sha256 of the text, so the manifest builder only looks it
up and an unchanged text is never recorded twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import wave
from collections.abc import Iterable, Iterator
from datetime import time
from pathlib import Path

from sqlmodel import Session, col, select

from signage_contract.files import fsync_dir
from signage_contract.speech import Speech, SpeechRef
from signage_server.content.media_store import MediaStore
from signage_server.content.speech_engines import Engine, SpeechFailed
from signage_server.core.errors import Invalid
from signage_server.models import Bulletin, SpeechClip

MAX_SPEECH_CHARS = 3000  # about four minutes of speech: a notice, not a legal text read in full
MAX_SPEECH_BYTES = 32 * 1024 * 1024  # what a runaway engine may write before the clip is refused


def spoken_text(title: str, body: str) -> str:
    """What a board says for a title and a body: the title, a pause, the body."""
    parts = [part.strip() for part in (title, body) if part.strip()]
    return ".\n".join(parts)


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Speaker:
    """Records texts with ``engine`` into ``store``; construction touches nothing."""

    def __init__(self, store: MediaStore, engine: Engine, max_chars: int = MAX_SPEECH_CHARS) -> None:
        self.store = store
        self.engine = engine
        self.max_chars = max_chars

    def check(self, text: str) -> None:
        """Raise ``Invalid`` for a text that cannot be spoken, before anything is recorded."""
        if not text.strip():
            raise Invalid("speech.empty", "there is no text to read aloud")
        if len(text) > self.max_chars:
            raise Invalid("speech.too_long", f"a text read aloud holds at most {self.max_chars} characters "
                          f"({len(text)} given)", limit=self.max_chars, length=len(text))

    def record(self, session: Session, text: str) -> SpeechClip:
        """The clip of ``text``, recorded now unless it already was; added to ``session`` (the
        caller commits it with what needs it)."""
        self.check(text)
        digest = text_digest(text)
        found = session.exec(select(SpeechClip).where(SpeechClip.text_sha256 == digest)).first()
        if found is not None and self.store.local_path(found.sha256) is not None:
            return found
        if not self.engine.available():
            raise Invalid("speech.unavailable", f"the speech engine {self.engine.name} is not installed "
                          "on the server", engine=self.engine.name)
        sha256, size, duration_ms = self._synthesize(text)
        clip = found or SpeechClip(text_sha256=digest, sha256=sha256, size=size, duration_ms=duration_ms,
                                   engine=self.engine.name)
        clip.sqlmodel_update({"sha256": sha256, "size": size, "duration_ms": duration_ms,
                              "engine": self.engine.name})
        session.add(clip)
        return clip

    def _synthesize(self, text: str) -> tuple[str, int, int]:
        tmp_dir = self.store.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        with _temp_wav(tmp_dir) as tmp:
            try:
                self.engine.synthesize(text, tmp)
                size = tmp.stat().st_size
                if size > MAX_SPEECH_BYTES:
                    raise SpeechFailed(f"the recording is larger than {MAX_SPEECH_BYTES} bytes")
                duration_ms = _duration_ms(tmp)
            except SpeechFailed as exc:
                raise Invalid("speech.failed", f"the text could not be read aloud: {exc}",
                              reason=str(exc)) from exc
            sha256 = _digest(tmp)
            final = self.store.path(sha256)
            if not final.is_file():
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, final)
                fsync_dir(final.parent)
        self.store.files.saved(final)
        return sha256, size, duration_ms


def _duration_ms(path: Path) -> int:
    try:
        with wave.open(str(path), "rb") as audio:
            frames, rate = audio.getnframes(), audio.getframerate()
    except (wave.Error, EOFError) as exc:
        raise SpeechFailed(f"the engine wrote no valid WAV file: {exc}") from exc
    if frames == 0 or rate == 0:
        raise SpeechFailed("the engine wrote an empty recording")
    return max(1, round(frames * 1000 / rate))


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(64 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def _temp_wav(directory: Path) -> Iterator[Path]:
    fd, name = tempfile.mkstemp(dir=directory, suffix=".wav")
    os.close(fd)
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def record_speech(session: Session, speaker: Speaker | None, title: str, body: str) -> SpeechClip:
    """The clip of a title and body marked to be spoken; refused where no speaker serves."""
    if speaker is None:
        raise Invalid("speech.unavailable", "this server does not read texts aloud", engine="")
    return speaker.record(session, spoken_text(title, body))


def clip_ref(clip: SpeechClip) -> SpeechRef:
    return SpeechRef(sha256=clip.sha256, size=clip.size, duration_s=clip.duration_ms / 1000)


def clips_for(session: Session, texts: Iterable[str]) -> dict[str, SpeechRef]:
    """Text -> its recording, for the texts that have one (the manifest builder's look-up)."""
    by_digest = {text_digest(text): text for text in texts}
    if not by_digest:
        return {}
    query = select(SpeechClip).where(col(SpeechClip.text_sha256).in_(by_digest))
    rows = session.exec(query.execution_options(populate_existing=True)).all()  # as stored now
    return {by_digest[row.text_sha256]: clip_ref(row) for row in rows}


def bulletin_speech(session: Session, bulletins: Iterable[Bulletin]) -> dict[int, Speech]:
    """Bulletin id -> its ``Speech``, for the bulletins marked to be spoken whose text is recorded."""
    marked = [b for b in bulletins if b.speak and b.id is not None]
    clips = clips_for(session, {spoken_text(b.title, b.body) for b in marked})
    found: dict[int, Speech] = {}
    for b in marked:
        audio = clips.get(spoken_text(b.title, b.body))
        if audio is not None and b.id is not None:
            found[b.id] = wire_speech(audio, b.speak_times)
    return found


def wire_speech(audio: SpeechRef, times: Iterable[str]) -> Speech:
    """A bulletin's ``Speech`` from its clip and its stored "HH:MM" times."""
    return Speech(audio=audio, times=sorted(time.fromisoformat(t) for t in times))
