"""Bulletin previews drawn by the player's own renderer: the server never imports ``player``; it runs
``python -m player render`` on a one-item manifest in a subprocess (bounded by a timeout) and caches
the PNG by the hash of what was drawn, so the same text at the same size renders once. A text too long
for the board is paged: the renderer draws every page (``--pages``), ``{key}.png`` is page 1 and
``{key}-N.png`` page N, so the editor sees all of it; a text that scrolls is drawn at each successive
screenful of its strip the same way."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from signage_contract import Category, Layout, Manifest, Priority, Region, TextFlow, TextItem
from signage_contract.manifest import RegionPlaylist, RegionRole, TimelineEntry

RENDER_TIMEOUT_S = 30.0
MAX_PREVIEW_SIDE = 4096
# Fixed instants keep the manifest, and so the cache key, a function of the bulletin alone.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
UNTIL = datetime(2100, 1, 1, tzinfo=UTC)
PREVIEW_AT = "2000-01-01T00:00:01+00:00"
# The directory holding signage_server/ and player/: a source checkout finds the player there.
SOURCE_ROOT = Path(__file__).resolve().parents[3]


class PreviewFailed(Exception):
    """The renderer could not draw the preview; the message says why, in one line."""


@dataclass(frozen=True)
class BulletinDraft:
    title: str
    body: str
    category: Category
    priority: Priority
    flow: TextFlow = TextFlow.PAGES  # too long for the board: pages, or a strip (its screens are drawn)


def preview_manifest(draft: BulletinDraft, width: int, height: int) -> Manifest:
    item = TextItem(id="preview", title=draft.title, body=draft.body, category=draft.category,
                    priority=draft.priority, flow=draft.flow, duration_s=3600.0)
    layout = Layout(id="preview", name="preview",
                    regions=[Region(id="main", role=RegionRole.MAIN, x=0, y=0, w=1, h=1)])
    entry = TimelineEntry(start=EPOCH, end=UNTIL, layout_id="preview",
                          regions=[RegionPlaylist(region_id="main", item_ids=["preview"])])
    return Manifest(board_id="preview", generated_at=EPOCH, valid_from=EPOCH, valid_until=UNTIL,
                    resolution=(width, height), layouts=[layout], items=[item], timeline=[entry])


class PreviewRenderer:
    def __init__(self, cache_dir: Path, python: str = sys.executable,
                 timeout_s: float = RENDER_TIMEOUT_S) -> None:
        self.cache_dir = cache_dir
        self.python = python
        self.timeout_s = timeout_s

    def path_for(self, key: str) -> Path | None:
        """The cached PNG for a key made by ``render`` (a hex digest, then ``-N`` for page N > 1)."""
        digest, _, page = key.partition("-")
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            return None
        if page and (not page.isdigit() or page.startswith("0") or int(page) < 2):
            return None
        path = self.cache_dir / f"{key}.png"
        return path if path.is_file() else None

    def page_keys(self, key: str) -> list[str]:
        """The keys of every cached page of a render, page 1 first."""
        keys = [key] if self.path_for(key) else []
        while keys and self.path_for(f"{key}-{len(keys) + 1}") is not None:
            keys.append(f"{key}-{len(keys) + 1}")
        return keys

    def render(self, draft: BulletinDraft, width: int, height: int) -> str:
        """Returns the cache key of the PNG; raises PreviewFailed."""
        if not (0 < width <= MAX_PREVIEW_SIDE and 0 < height <= MAX_PREVIEW_SIDE):
            raise PreviewFailed(f"preview size {width}x{height} is out of range")
        document = preview_manifest(draft, width, height).model_dump_json()
        key = hashlib.sha256(f"{width}x{height}\n{document}".encode()).hexdigest()
        if self.path_for(key) is None:
            self._run(document, width, height, self.cache_dir / f"{key}.png")
        return key

    def _run(self, document: str, width: int, height: int, out: Path) -> None:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.cache_dir) as work:
            manifest_path = Path(work) / "manifest.json"
            manifest_path.write_text(document, encoding="utf-8")
            png = Path(work) / "out.png"
            command = [self.python, "-m", "player", "render", str(manifest_path), "--at", PREVIEW_AT,
                       "--size", f"{width}x{height}", "--pages", "-o", str(png)]
            try:
                done = subprocess.run(command, capture_output=True, text=True, timeout=self.timeout_s,
                                      check=False, env=_render_env(), cwd=SOURCE_ROOT)
            except subprocess.TimeoutExpired as exc:
                raise PreviewFailed(f"the renderer took longer than {self.timeout_s:.0f} s") from exc
            if done.returncode != 0 or not png.is_file():
                lines = (done.stderr or done.stdout or "no output").strip().splitlines()
                raise PreviewFailed(f"the renderer failed: {lines[-1] if lines else done.returncode}")
            for page in sorted(Path(work).glob("out-*.png")):  # pages 2..N before page 1: its presence
                page.replace(out.with_name(f"{out.stem}{page.stem[3:]}.png"))  # says all are there
            png.replace(out)  # atomic: a concurrent request sees the whole file or none


def _render_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1")
    return env
