"""One router per resource; ``create_app`` mounts each under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from . import (
    auth,
    boards,
    bulletins,
    health,
    playlist_items,
    playlists,
    reports,
    schedules,
    screenshots,
    units,
    users,
)

API_ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    users.router,
    units.router,
    boards.router,
    bulletins.router,
    playlists.router,
    playlist_items.router,
    schedules.router,
    health.router,
    screenshots.router,
    reports.router,
)
