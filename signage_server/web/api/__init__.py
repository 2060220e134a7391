"""One router per resource; ``create_app`` mounts each under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from signage_server.web.api import (
    approvals,
    audit,
    auth,
    boards,
    bulletins,
    cap,
    health,
    layouts,
    media,
    overrides,
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
    layouts.router,
    media.router,
    health.router,
    screenshots.router,
    reports.router,
    overrides.router,
    cap.router,
    approvals.router,
    audit.router,
)
