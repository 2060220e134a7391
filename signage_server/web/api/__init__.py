"""One router per resource; ``create_app`` mounts each under /api/v1 (the devices' own routes in
``boards/device*.py`` and pairing are mounted by ``create_app`` itself, in their order)."""

from __future__ import annotations

from fastapi import APIRouter

from signage_server.web.api import (
    api_tokens,
    audio,
    audit,
    auth,
    bundles,
    cap,
    cap_senders,
    feeds,
    intake,
    overrides,
    power,
    receipts,
    releases,
    reports,
    requisition,
    units,
    users,
)
from signage_server.web.api.boards import boards, care, health, screenshots
from signage_server.web.api.content import (
    approvals,
    bulletins,
    layouts,
    media,
    playlist_items,
    playlists,
    publications,
    schedules,
)

API_ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    users.router,
    api_tokens.router,
    units.router,
    bundles.router,
    boards.router,
    power.router,
    audio.router,
    requisition.router,
    bulletins.router,
    playlists.router,
    playlist_items.router,
    schedules.router,
    layouts.router,
    media.router,
    health.router,
    screenshots.router,
    care.router,
    reports.router,
    receipts.router,
    overrides.router,
    cap.router,
    cap_senders.router,
    approvals.router,
    publications.router,
    feeds.router,
    intake.router,
    audit.router,
    releases.router,
)
