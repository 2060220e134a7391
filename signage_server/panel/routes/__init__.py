"""One module per page. Pages whose backend is not on this branch yet (dashboard wall, emergency,
reports, audit, approval queue) are added here as their APIs land; the menu lists only these."""

from __future__ import annotations

from fastapi import APIRouter

from . import account, boards, bulletins, dashboard, emergency, media, playlists, reports, schedules, users

ROUTERS: tuple[APIRouter, ...] = (
    account.router,
    dashboard.router,
    boards.router,
    media.router,
    bulletins.router,
    playlists.router,
    schedules.router,
    reports.router,
    emergency.router,
    users.router,
)
