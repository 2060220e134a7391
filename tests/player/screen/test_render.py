"""Renderers and the ``render`` command, headless."""

import itertools
import json
import os
import subprocess
import sys
from datetime import timedelta

import pygame
import pytest
from nacl.signing import SigningKey

from player.cli import parse_geometry
from player.screen import render
from player.screen.kinds.ticker import draw_ticker, ticker_offset_px
from signage_contract import TickerItem
from tests.support.paths import REPOSITORY
from tests.support.player_factories import (
    LAYOUT_SPLIT,
    NOW,
    entry,
    image_bytes,
    image_item,
    manifest,
    media_ref,
    signed,
)

ROOT = REPOSITORY
RED = (220, 20, 20)


def _split_manifest(ref):
    items = [
        image_item("img", ref, background="#00FF00", letterbox="colour"),
        {
            "kind": "text",
            "id": "txt",
            "title": "Thông báo",
            "body": "Lịch tiếp công dân thứ Hai",
            "foreground": "#FFFFFF",
            "background": "#000080",
        },
    ]
    timeline = [
        entry(
            NOW - timedelta(hours=1),
            NOW + timedelta(days=1),
            {"main": ["img"], "side": ["txt"]},
            layout_id="split",
        )
    ]
    return manifest(items, timeline, layouts=[LAYOUT_SPLIT])


def _run_render(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "player", "render", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("form", ["bare", "signed"])
def test_render_command_draws_the_image_and_the_text(tmp_path, form: str) -> None:
    png = image_bytes(200, 100, RED)
    ref = media_ref(png, 200, 100)
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / ref.sha256).write_bytes(png)
    value = _split_manifest(ref)
    document = (
        value.model_dump_json() if form == "bare" else signed(value, SigningKey.generate()).model_dump_json()
    )
    (tmp_path / "m.json").write_text(document, encoding="utf-8")
    out = tmp_path / "frame.png"
    result = _run_render(
        str(tmp_path / "m.json"),
        "--at",
        NOW.isoformat(),
        "--size",
        "640x360",
        "-o",
        str(out),
        "--media-dir",
        str(tmp_path / "media"),
    )
    assert result.returncode == 0, result.stderr
    frame = pygame.image.load(out)
    assert frame.get_size() == (640, 360)
    assert tuple(frame.get_at((160, 180)))[:3] == RED  # the image, contained in the left half
    assert tuple(frame.get_at((160, 5)))[:3] == (0, 255, 0)  # its letterbox colour
    side = frame.subsurface(pygame.Rect(320, 0, 320, 360))
    colours = {tuple(side.get_at((x, y)))[:3] for x in range(0, 320, 2) for y in range(0, 360, 2)}
    assert (0, 0, 128) in colours and (255, 255, 255) in colours  # text drawn on its background


def test_render_command_refuses_malformed_input_with_a_message(tmp_path) -> None:
    (tmp_path / "m.json").write_text("{not json", encoding="utf-8")
    result = _run_render(
        str(tmp_path / "m.json"), "--at", NOW.isoformat(), "--size", "64x64", "-o", str(tmp_path / "f.png")
    )
    assert result.returncode == 2 and "cannot render" in result.stderr


def test_render_command_draws_at_the_boards_own_size_when_none_is_given(tmp_path) -> None:
    led = manifest([], resolution=(1920, 1080), capture={"x": 0, "y": 0, "w": 384, "h": 192})
    (tmp_path / "m.json").write_text(led.model_dump_json(), encoding="utf-8")
    result = _run_render(str(tmp_path / "m.json"), "--at", NOW.isoformat(), "-o", str(tmp_path / "f.png"))
    assert result.returncode == 0, result.stderr
    assert pygame.image.load(tmp_path / "f.png").get_size() == (384, 192)


def test_clock_reads_vietnamese_weekday_date_and_time_in_the_board_zone() -> None:
    zone = render.board_zone("Asia/Ho_Chi_Minh")
    assert render.format_clock(NOW, zone) == "Thứ Hai, 23/11/2026 14:05"
    assert render.format_clock(NOW, zone, "time") == "14:05"


@pytest.mark.parametrize(("days", "weekday"), list(enumerate(render.WEEKDAYS_VI)))
def test_every_weekday_name(days: int, weekday: str) -> None:
    text = render.format_clock(NOW + timedelta(days=days), render.board_zone("Asia/Ho_Chi_Minh"), "date")
    assert text.startswith(f"{weekday}, ")


def test_unknown_time_zone_falls_back_to_vietnam_time() -> None:
    assert render.format_clock(NOW, render.board_zone("Mars/Olympus"), "time") == "14:05"


def test_ticker_position_is_a_smooth_function_of_time() -> None:
    item = TickerItem(id="k", text="Bão số 9", speed=1.5)
    rect = pygame.Rect(0, 0, 800, 60)
    steps = [ticker_offset_px(item, rect, n / 60, 2000) for n in range(60)]
    assert all(0 <= b - a <= 2 for a, b in itertools.pairwise(steps))
    assert steps[-1] - steps[0] == round(59 / 60 * 1.5 * 60)


def test_ticker_moves_between_frames() -> None:
    pygame.font.init()
    item = TickerItem(id="k", text="Bão số 9 đang vào đất liền")
    frames = []
    for elapsed in (1.0, 1.5):
        surface = pygame.Surface((400, 40))
        draw_ticker(surface, surface.get_rect(), item, elapsed)
        frames.append(pygame.image.tobytes(surface, "RGB"))
    assert frames[0] != frames[1]


@pytest.mark.parametrize(
    ("text", "expected"), [("1920x1080", (1920, 1080, None, None)), ("384x192+1920+0", (384, 192, 1920, 0))]
)
def test_geometry_parsing(text: str, expected) -> None:
    assert parse_geometry(text) == expected


def test_rendered_frame_matches_the_live_compositor(tmp_path) -> None:
    """The preview and the board draw through the same code: identical pixels."""
    value = manifest([{"kind": "text", "id": "t", "title": "Thông báo", "body": "Nội dung"}])
    (tmp_path / "m.json").write_text(json.dumps(json.loads(value.model_dump_json())), encoding="utf-8")
    result = _run_render(
        str(tmp_path / "m.json"), "--at", NOW.isoformat(), "--size", "320x180", "-o", str(tmp_path / "f.png")
    )
    assert result.returncode == 0, result.stderr
    from player.core.cache import MediaCache
    from player.core.shared import Snapshot
    from player.screen.compositor import Compositor
    from player.screen.images import ImageStore

    pygame.display.init()
    screen = pygame.display.set_mode((320, 180))
    Compositor(screen, ImageStore(MediaCache(tmp_path / "m"), synchronous=True)).update(
        Snapshot(generation=1, manifest=value), NOW
    )
    preview = pygame.image.load(tmp_path / "f.png").convert()
    assert pygame.image.tobytes(preview, "RGB") == pygame.image.tobytes(screen, "RGB")
    pygame.display.quit()
