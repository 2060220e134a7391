"""Schedules: a layout with a playlist per region, aimed at a board, a unit subtree or a tag."""

from __future__ import annotations

from fastapi import APIRouter

from signage_server.content import schedules as service
from signage_server.content.schemas import (
    ScheduleCreate,
    SchedulePreviewRequest,
    SchedulePublic,
    ScheduleUpdate,
)
from signage_server.manifest.preview import SchedulePreview
from signage_server.web.api.content.routes import add_content_routes
from signage_server.web.deps import EditorUser, SessionDep

router = APIRouter(prefix="/schedules", tags=["schedules"])


@router.post("/preview", response_model=SchedulePreview)
def preview_schedule(session: SessionDep, user: EditorUser, body: SchedulePreviewRequest) -> SchedulePreview:
    """What saving this schedule would play, before saving: the body of a create (the whole
    schedule), with ``schedule_id`` for an edit and an optional local ``date`` to plan. Answers
    the hour-by-hour airtime plan of the first boards it reaches (``boards_total`` counts them
    all) and ``warnings`` with stable codes: ``schedule.preview.silences`` (this exclusive
    schedule silences another), ``schedule.preview.silenced`` (an exclusive one silences this),
    ``schedule.preview.sparse_item`` (an item would be seen less than once an hour). Saves
    nothing."""
    return service.preview(session, user=user, data=body)


add_content_routes(
    router, service, noun="schedule", plural="schedules", public=SchedulePublic,
    create=ScheduleCreate, update=ScheduleUpdate,
    update_description="Partial update; the merged schedule is validated as a whole. Changing "
    "``target_kind``\nmeans sending the new target field and null for the old one.",
)
