"""The board's window follows the geometry its manifest names, unless the command line fixes one."""

from __future__ import annotations

import pygame
import pytest

from player.screen.window import BoardWindow, board_geometry
from tests.support.player_factories import manifest


@pytest.fixture
def display():
    yield
    pygame.display.quit()


@pytest.mark.parametrize(("extra", "expected"), [
    ({"resolution": (1920, 1080), "capture": {"x": 0, "y": 0, "w": 384, "h": 192}}, (384, 192, 0, 0)),
    ({"resolution": (1920, 1080), "capture": {"x": 1536, "y": 888, "w": 384, "h": 192}},
     (384, 192, 1536, 888)),
    ({"resolution": (1080, 1920)}, (1080, 1920, 0, 0)),  # an older server: no capture rectangle
    ({}, None),
])
def test_the_manifest_names_the_window_geometry(extra, expected) -> None:
    assert board_geometry(manifest([], **extra)) == expected


def test_the_window_opens_at_the_boards_capture_rectangle(display) -> None:
    window = BoardWindow(headless=True, fullscreen=False, fixed=None)
    led = manifest([], resolution=(1920, 1080), capture={"x": 0, "y": 0, "w": 384, "h": 192})
    assert window.open(led).get_size() == (384, 192)


def test_a_new_geometry_in_a_manifest_reopens_the_window_and_the_same_one_does_not(display) -> None:
    window = BoardWindow(headless=True, fullscreen=False, fixed=None)
    assert window.open(None).get_size() == (1920, 1080)
    portrait = manifest([], resolution=(1080, 1920))
    reopened = window.follow(portrait)
    assert reopened is not None and reopened.get_size() == (1080, 1920)
    assert window.follow(portrait) is None


def test_the_command_line_geometry_wins_over_the_manifest(display) -> None:
    window = BoardWindow(headless=True, fullscreen=False, fixed=(768, 576, None, None))
    portrait = manifest([], resolution=(1080, 1920))
    assert window.open(portrait).get_size() == (768, 576)
    assert window.follow(portrait) is None
