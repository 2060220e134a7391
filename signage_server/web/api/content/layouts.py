"""Layouts: the built-in templates (read-only) and custom layouts owned by a unit."""

from __future__ import annotations

from fastapi import APIRouter

from signage_server.content import custom_layouts as service
from signage_server.schemas import LayoutCreate, LayoutPublic, LayoutUpdate
from signage_server.web.api.content.routes import add_content_routes

router = APIRouter(prefix="/layouts", tags=["layouts"])
add_content_routes(router, service, noun="layout", plural="layouts", public=LayoutPublic,
                   create=LayoutCreate, update=LayoutUpdate, id_type=str,
                   routes=("list", "get", "create", "update", "delete"), state_filter=False)
