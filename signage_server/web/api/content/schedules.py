"""Schedules: a layout with a playlist per region, aimed at a board, a unit subtree or a tag."""

from __future__ import annotations

from fastapi import APIRouter

from signage_server.content import schedules as service
from signage_server.content.schemas import ScheduleCreate, SchedulePublic, ScheduleUpdate
from signage_server.web.api.content.routes import add_content_routes

router = APIRouter(prefix="/schedules", tags=["schedules"])
add_content_routes(
    router, service, noun="schedule", plural="schedules", public=SchedulePublic,
    create=ScheduleCreate, update=ScheduleUpdate,
    update_description="Partial update; the merged schedule is validated as a whole. Changing "
    "``target_kind``\nmeans sending the new target field and null for the old one.",
)
