"""Playlists: named, ordered lists of items owned by a unit (items live in ``playlist_items``)."""

from __future__ import annotations

from fastapi import APIRouter

from signage_server.content import playlists as service
from signage_server.content.schemas import PlaylistCreate, PlaylistPublic, PlaylistUpdate
from signage_server.web.api.content.routes import add_content_routes

router = APIRouter(prefix="/playlists", tags=["playlists"])
add_content_routes(router, service, noun="playlist", plural="playlists", public=PlaylistPublic,
                   create=PlaylistCreate, update=PlaylistUpdate)
