"""One module per page. Pages whose backend is not on this branch yet (emergency) are added here
as their APIs land; the menu lists only these."""

from __future__ import annotations

from fastapi import APIRouter

from signage_server.web.panel.routes import (
    account,
    api_tokens,
    approvals,
    audit,
    board_admin,
    board_audio,
    boards,
    bulletins,
    bundles,
    cap_senders,
    dashboard,
    emergency,
    emergency_override,
    feeds,
    guide,
    intake_sources,
    layouts,
    media,
    owner,
    playlists,
    power,
    publish,
    releases,
    reorganisation,
    reports,
    requisition,
    schedules,
    unit_split,
    users,
    villages,
)

ROUTERS: tuple[APIRouter, ...] = (
    account.router,
    dashboard.router,
    publish.router,
    board_admin.router,  # before boards: /boards/new is not a board id
    board_audio.router,
    requisition.router,
    boards.router,
    bundles.router,
    power.router,
    releases.router,
    media.router,
    bulletins.router,
    playlists.router,
    feeds.router,
    schedules.router,
    reports.router,
    approvals.router,
    audit.router,
    emergency.router,  # before emergency_override: /emergency/history is not an id
    emergency_override.router,
    users.router,
    guide.router,
    api_tokens.router,
    cap_senders.router,
    intake_sources.router,
    layouts.router,
    villages.router,
    reorganisation.router,
    owner.router,
    unit_split.router,
)
