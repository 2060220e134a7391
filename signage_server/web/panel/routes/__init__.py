"""One module per page. Pages whose backend is not on this branch yet (emergency) are added here
as their APIs land; the menu lists only these."""

from __future__ import annotations

from fastapi import APIRouter

from signage_server.web.panel.routes import (
    account,
    approvals,
    audit,
    boards,
    bulletins,
    dashboard,
    emergency,
    emergency_override,
    media,
    playlists,
    publish,
    reports,
    schedules,
    users,
)

ROUTERS: tuple[APIRouter, ...] = (
    account.router,
    dashboard.router,
    publish.router,
    boards.router,
    media.router,
    bulletins.router,
    playlists.router,
    schedules.router,
    reports.router,
    approvals.router,
    audit.router,
    emergency.router,  # before emergency_override: /emergency/history is not an id
    emergency_override.router,
    users.router,
)
