"""Bulletin previews: a one-item manifest handed to the player's render command in a subprocess,
cached by content, bounded by a timeout. A stand-in renderer script counts its runs; the real
player is used when its package is present."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from signage_contract import Category, Manifest, Priority, TextFlow, TextItem
from signage_server.web.panel.preview import (
    SOURCE_ROOT,
    BulletinDraft,
    PreviewFailed,
    PreviewRenderer,
    preview_manifest,
)
from tests.support.panel_client import login

DRAFT = BulletinDraft("Cảnh báo lũ", "Mực nước sông Trà Khúc đang lên.", Category.INCIDENTS,
                      Priority.PRIORITY)


def _script(tmp_path: Path, body: str) -> str:
    """An executable that stands in for the Python interpreter: called as ``X -m player render ...``."""
    path = tmp_path / "fake-python"
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


WRITE_PNG = """echo run >> "{count}"
while [ "$1" != "-o" ]; do shift; done
cp "{png}" "$2"
"""


@pytest.fixture
def fake_renderer(tmp_path: Path) -> tuple[PreviewRenderer, Path]:
    png = tmp_path / "frame.png"
    Image.new("RGB", (8, 4)).save(png)
    count = tmp_path / "runs"
    python = _script(tmp_path, WRITE_PNG.format(count=count, png=png))
    return PreviewRenderer(tmp_path / "cache", python=python), count


def test_manifest_is_one_text_item_at_the_board_resolution() -> None:
    manifest = Manifest.model_validate_json(preview_manifest(DRAFT, 384, 192).model_dump_json())
    assert manifest.resolution == (384, 192)
    assert [type(i) for i in manifest.items] == [TextItem]
    assert manifest.items[0].title == "Cảnh báo lũ"
    assert manifest.timeline[0].regions[0].item_ids == ["preview"]


def test_same_text_and_size_render_once(fake_renderer) -> None:
    renderer, count = fake_renderer
    first = renderer.render(DRAFT, 384, 192)
    second = renderer.render(DRAFT, 384, 192)
    assert first == second and count.read_text().count("run") == 1
    assert renderer.path_for(first) is not None


def test_other_size_renders_again(fake_renderer) -> None:
    renderer, count = fake_renderer
    assert renderer.render(DRAFT, 384, 192) != renderer.render(DRAFT, 1920, 1080)
    assert count.read_text().count("run") == 2


def test_renderer_failure_is_reported_in_one_line(tmp_path) -> None:
    failing = _script(tmp_path, 'echo "boom: no font" >&2\nexit 3\n')
    renderer = PreviewRenderer(tmp_path / "cache", python=failing)
    with pytest.raises(PreviewFailed, match="boom: no font"):
        renderer.render(DRAFT, 100, 50)


def test_a_hung_renderer_is_stopped(tmp_path) -> None:
    renderer = PreviewRenderer(tmp_path / "cache", python=_script(tmp_path, "exec sleep 30\n"), timeout_s=0.5)
    with pytest.raises(PreviewFailed, match="longer than"):
        renderer.render(DRAFT, 100, 50)


TWO_PAGES = """while [ "$1" != "-o" ]; do shift; done
cp "{png}" "$2"
cp "{png}" "${{2%.png}}-2.png"
"""


def test_every_page_of_a_paged_text_is_shown(client, users, app, tmp_path) -> None:
    png = tmp_path / "frame.png"
    Image.new("RGB", (8, 4)).save(png)
    python = _script(tmp_path, TWO_PAGES.format(png=png))
    app.state.panel_previews = PreviewRenderer(tmp_path / "cache", python=python)
    csrf = login(client, "editor-a")
    fragment = client.post("/panel/bulletins/preview", data={"title": "Tin dài", "csrf_token": csrf})
    sources = [part.split('"')[0] for part in fragment.text.split('src="')[1:]]
    assert len(sources) == 2 and sources[1] == sources[0].replace(".png", "-2.png")
    assert "Trang 2/2" in fragment.text
    assert all(client.get(src).status_code == 200 for src in sources)


@pytest.mark.parametrize("key", ["../etc/passwd", "abc", "g" * 64, "a" * 64 + "-1", "a" * 64 + "-02",
                                 "a" * 64 + "-x"])
def test_cache_lookup_takes_only_digests(tmp_path, key) -> None:
    assert PreviewRenderer(tmp_path).path_for(key) is None


def test_editor_page_preview_fragment(client, users, app, fake_renderer) -> None:
    app.state.panel_previews = fake_renderer[0]
    csrf = login(client, "editor-a")
    fragment = client.post("/panel/bulletins/preview", data={"title": "Tin <b>mới</b>", "csrf_token": csrf})
    assert fragment.status_code == 200 and 'width="384" height="192"' in fragment.text
    src = fragment.text.split('src="')[1].split('"')[0]
    image = client.get(src)
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"


def _player_available() -> bool:
    probe = subprocess.run([sys.executable, "-c", "import player.cli"], cwd=SOURCE_ROOT,
                           capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not _player_available(), reason="player package (render command) not in this checkout")
def test_real_player_draws_the_preview_at_board_size(tmp_path) -> None:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    renderer = PreviewRenderer(tmp_path / "cache")
    key = renderer.render(DRAFT, 384, 192)
    path = renderer.path_for(key)
    assert path is not None
    with Image.open(path) as image:
        colours = image.convert("RGB").getcolors(maxcolors=384 * 192)
        assert image.size == (384, 192) and colours is not None and len(colours) > 2


@pytest.mark.skipif(not _player_available(), reason="player package (render command) not in this checkout")
def test_real_player_draws_every_page_of_a_long_text(tmp_path) -> None:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    renderer = PreviewRenderer(tmp_path / "cache")
    long = BulletinDraft("Lịch tiếp công dân", " ".join([DRAFT.body] * 30), Category.OTHER, Priority.NORMAL)
    keys = renderer.page_keys(renderer.render(long, 384, 192))
    assert len(keys) > 1
    frames = []
    for key in keys:
        path = renderer.path_for(key)
        assert path is not None
        with Image.open(path) as image:
            assert image.size == (384, 192)
            frames.append(image.tobytes())
    assert len(set(frames)) == len(frames)  # each page its own picture


def test_a_scrolling_text_is_previewed_screen_by_screen(client, users, app, tmp_path) -> None:
    png = tmp_path / "frame.png"
    Image.new("RGB", (8, 4)).save(png)
    python = _script(tmp_path, TWO_PAGES.format(png=png))
    app.state.panel_previews = PreviewRenderer(tmp_path / "cache", python=python)
    csrf = login(client, "editor-a")
    fragment = client.post("/panel/bulletins/preview",
                           data={"title": "Tin dài", "flow": "scroll", "csrf_token": csrf})
    assert "Màn hình 2/2" in fragment.text and "cuộn lên theo tốc độ đọc" in fragment.text
    assert "Trang 2/2" not in fragment.text


@pytest.mark.skipif(not _player_available(), reason="player package (render command) not in this checkout")
def test_real_player_draws_every_screen_of_a_scrolling_text(tmp_path) -> None:
    """The strip at each successive screenful: the screens differ, and there are about as many as
    its pages would be (every line is on one of them)."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    renderer = PreviewRenderer(tmp_path / "cache")
    body = " ".join([DRAFT.body] * 30)
    paged = BulletinDraft("Lịch tiếp công dân", body, Category.OTHER, Priority.NORMAL)
    scrolled = BulletinDraft("Lịch tiếp công dân", body, Category.OTHER, Priority.NORMAL, TextFlow.SCROLL)
    pages = renderer.page_keys(renderer.render(paged, 384, 192))
    screens = renderer.page_keys(renderer.render(scrolled, 384, 192))
    assert len(screens) > 1 and abs(len(screens) - len(pages)) <= 2
    def pixels(keys: list[str]) -> list[bytes]:
        found = []
        for key in keys:
            path = renderer.path_for(key)
            assert path is not None
            with Image.open(path) as image:
                found.append(image.tobytes())
        return found

    frames = pixels(screens)
    assert len(set(frames)) == len(frames)  # each screen its own picture
    assert set(frames[1:]).isdisjoint(pixels(pages[1:]))  # a strip, not the pages


def test_the_preview_shows_text_converted_from_tcvn3(client, users, app, fake_renderer) -> None:
    app.state.panel_previews = fake_renderer[0]
    csrf = login(client, "editor-a")
    fragment = client.post("/panel/bulletins/preview", data={"title": "Th«ng b¸o", "csrf_token": csrf})
    assert fragment.status_code == 200
    assert "Đã chuyển từ mã TCVN3 sang Unicode" in fragment.text
    assert "Th«ng b¸o" in fragment.text and "Thông báo" in fragment.text


def test_the_preview_says_why_mixed_text_is_refused(client, users, app, fake_renderer) -> None:
    app.state.panel_previews = fake_renderer[0]
    csrf = login(client, "editor-a")
    fragment = client.post("/panel/bulletins/preview",
                           data={"title": "Thông báo Th«ng b¸o", "csrf_token": csrf})
    assert "lẫn chữ Unicode với chữ gõ bằng bảng mã TCVN3" in fragment.text
