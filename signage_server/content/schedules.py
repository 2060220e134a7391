"""Schedule services: a layout with a playlist per region, aimed at a board, a unit subtree or a
tag; for the JSON API and the panel. A write announces the boards the schedule targeted before and
after it. An edit of an approved schedule waits beside it as a submission
(``publications.propose_schedule_edit``) while the approved one stays on the boards."""

from __future__ import annotations

from sqlmodel import Session, col, delete, select

from signage_server.content import records
from signage_server.content.custom_layouts import visible_layout
from signage_server.content.publications import pending_schedule_edit, propose_schedule_edit
from signage_server.content.schemas import (
    ScheduleBase,
    ScheduleCreate,
    SchedulePreviewRequest,
    SchedulePublic,
    ScheduleUpdate,
)
from signage_server.content.workflow import (
    Actor,
    auto_approves,
    mark_edited,
    owner_unit,
    record,
    require_role,
    revalidated,
)
from signage_server.core.audit import snapshot
from signage_server.core.auth import in_scope
from signage_server.core.changes import ChangeFeed
from signage_server.core.errors import Invalid
from signage_server.core.paging import Page
from signage_server.core.roles import EDITORS
from signage_server.manifest.preview import NEW_SCHEDULE_ID, Proposal, SchedulePreview, preview_schedule
from signage_server.manifest.programme import silenced_by
from signage_server.models import (
    PLAYABLE_STATES,
    AdminUnit,
    Board,
    ContentState,
    Playlist,
    Schedule,
    ScheduleRegion,
    TargetKind,
    User,
    utcnow,
)
from signage_server.schemas import StateChange

_TABLE_FIELDS = set(ScheduleBase.model_fields) - {"regions"}


def _invalid(message: str, field: str) -> Invalid:
    return Invalid("schedule.invalid_reference", message, field=field)


def _regions(session: Session, schedule_id: int) -> dict[str, int]:
    rows = session.exec(select(ScheduleRegion).where(ScheduleRegion.schedule_id == schedule_id)).all()
    return {r.region_id: r.playlist_id for r in rows}


def public(session: Session, row: Schedule) -> SchedulePublic:
    assert row.id is not None
    silences = silenced_by(session, row, utcnow()) if row.exclusive else []
    edit = pending_schedule_edit(session, row.id) if row.state in PLAYABLE_STATES else None
    return SchedulePublic.model_validate({**row.model_dump(), "regions": _regions(session, row.id),
                                          "silences": silences,
                                          "pending_edit": None if edit is None else edit.pending,
                                          "pending_submission_id": None if edit is None else edit.id})


def _check(session: Session, user: User, body: ScheduleBase) -> None:
    """References exist and lie in the author's scope; every region belongs to the layout."""
    layout = visible_layout(session, user, body.layout_id)
    if layout is None:
        raise _invalid(f"layout_id: layout {body.layout_id!r} not found", "layout_id")
    known = {str(r["id"]) for r in layout.regions}
    unknown = sorted(set(body.regions) - known)
    if unknown:
        raise _invalid(f"regions: layout {layout.id!r} has no region {', '.join(unknown)} "
                       f"(it has {', '.join(sorted(known))})", "regions")
    for region_id, playlist_id in body.regions.items():
        playlist = session.get(Playlist, playlist_id)
        if playlist is None or not in_scope(session, user, playlist.unit_id):
            raise _invalid(f"regions.{region_id}: playlist {playlist_id} not found", f"regions.{region_id}")
    if body.target_board_id is not None:
        board = session.get(Board, body.target_board_id)
        if board is None or not in_scope(session, user, board.unit_id):
            raise _invalid(f"target_board_id: board {body.target_board_id} not found", "target_board_id")
    if body.target_unit_id is not None and (
        session.get(AdminUnit, body.target_unit_id) is None
        or not in_scope(session, user, body.target_unit_id)
    ):
        raise _invalid(f"target_unit_id: unit {body.target_unit_id} not found", "target_unit_id")


def _save_regions(session: Session, schedule_id: int, regions: dict[str, int]) -> None:
    session.exec(delete(ScheduleRegion).where(col(ScheduleRegion.schedule_id) == schedule_id))
    for region_id, playlist_id in regions.items():
        session.add(ScheduleRegion(schedule_id=schedule_id, region_id=region_id, playlist_id=playlist_id))


def list_schedules(
    session: Session, *, user: User, state: ContentState | None = None, archived: bool = False
) -> list[SchedulePublic]:
    found = records.listing(session, user=user, model=Schedule, state=state, archived=archived)
    return [public(session, r) for r in found]


def schedule_page(
    session: Session, *, user: User, wanted: records.ContentQuery, target_kind: TargetKind | None = None
) -> Page[SchedulePublic]:
    """One page of schedules, newest first: by state, name or tag, unit, kind of target."""
    where = [] if target_kind is None else [col(Schedule.target_kind) == target_kind]
    found = records.page(session, user=user, model=Schedule, wanted=wanted,
                         searched=[col(Schedule.name), col(Schedule.target_tag)], where=where)
    return Page([public(session, r) for r in found.rows], found.total, found.number, found.per_page)


def get_schedule(session: Session, *, user: User, schedule_id: int) -> SchedulePublic:
    return public(session, records.fetch(session, user=user, model=Schedule, item_id=schedule_id))


def create_schedule(
    session: Session, *, actor: Actor, changes: ChangeFeed, data: ScheduleCreate
) -> SchedulePublic:
    require_role(actor.user, EDITORS)
    unit_id = owner_unit(session, actor.user, data.unit_id)
    _check(session, actor.user, data)
    row = Schedule.model_validate(data.model_dump(include=_TABLE_FIELDS),
                                  update={"unit_id": unit_id, "created_by": actor.user.id})
    session.add(row)
    session.flush()
    assert row.id is not None
    _save_regions(session, row.id, data.regions)
    return public(session, records.save(session, actor=actor, changes=changes, row=row, action="create"))


def update_schedule(
    session: Session, *, actor: Actor, changes: ChangeFeed, schedule_id: int, patch: ScheduleUpdate
) -> SchedulePublic:
    """A partial update; the merged schedule is validated as a whole. Changing ``target_kind``
    means sending the new target field and null for the old one."""
    require_role(actor.user, EDITORS)
    row = records.fetch(session, user=actor.user, model=Schedule, item_id=schedule_id)
    records.ensure_live(row)
    targeted = records.touched(row)
    current = {**row.model_dump(include=_TABLE_FIELDS), "regions": _regions(session, schedule_id)}
    old = {**snapshot(row), "regions": current["regions"]}
    whole = revalidated(ScheduleBase, {**current, **patch.model_dump(exclude_unset=True)})
    _check(session, actor.user, whole)
    if row.state in PLAYABLE_STATES and not auto_approves(session, row.unit_id):
        # The approved schedule stays on the boards; the edit waits beside it for its own approval.
        propose_schedule_edit(session, actor=actor, row=row, whole=whole)
        session.commit()
        session.refresh(row)
        return public(session, row)
    row.sqlmodel_update(whole.model_dump(include=_TABLE_FIELDS))
    _save_regions(session, schedule_id, whole.regions)
    mark_edited(row, actor.user)
    session.add(row)
    record(session, actor, "update", "schedule", schedule_id, unit_id=row.unit_id,
           before=old, after={**snapshot(row), "regions": whole.regions})
    session.commit()
    session.refresh(row)
    changes.publish(records.merged(targeted, records.touched(row)))
    return public(session, row)


def preview(session: Session, *, user: User, data: SchedulePreviewRequest) -> SchedulePreview:
    """What saving ``data`` (as a new schedule, or in place of ``data.schedule_id``) would play on
    the boards it reaches, with warnings (``manifest.preview``); nothing is saved. Checked like
    the save itself: the author's role, scope and references."""
    require_role(user, EDITORS)
    now = utcnow()
    if data.schedule_id is not None:
        saved = records.fetch(session, user=user, model=Schedule, item_id=data.schedule_id)
        unit_id = saved.unit_id
    else:
        unit_id = owner_unit(session, user, data.unit_id)
    _check(session, user, data)
    row = Schedule.model_validate(
        data.model_dump(include=_TABLE_FIELDS),
        update={"id": data.schedule_id or NEW_SCHEDULE_ID, "unit_id": unit_id, "created_by": user.id,
                "updated_at": now})
    proposal = Proposal(row=row, regions=data.regions, day=data.date)
    return preview_schedule(session, user=user, proposal=proposal, now=now)


def delete_schedule(session: Session, *, actor: Actor, changes: ChangeFeed, schedule_id: int) -> None:
    require_role(actor.user, EDITORS)
    row = records.fetch(session, user=actor.user, model=Schedule, item_id=schedule_id)
    session.exec(delete(ScheduleRegion).where(col(ScheduleRegion.schedule_id) == schedule_id))
    records.remove(session, actor=actor, changes=changes, row=row)


def change_schedule_state(
    session: Session, *, actor: Actor, changes: ChangeFeed, schedule_id: int, change: StateChange
) -> SchedulePublic:
    row = records.change_state(session, actor=actor, changes=changes, model=Schedule, item_id=schedule_id,
                               change=change)
    return public(session, row)


def archive_schedule(
    session: Session, *, actor: Actor, changes: ChangeFeed, schedule_id: int
) -> SchedulePublic:
    """Take a schedule off the boards it targets and out of lists (nothing uses a schedule)."""
    return public(session, records.archive(session, actor=actor, changes=changes, model=Schedule,
                                           item_id=schedule_id))


def restore_schedule(
    session: Session, *, actor: Actor, changes: ChangeFeed, schedule_id: int
) -> SchedulePublic:
    """Put an archived schedule back; approved, it plays again at once (what it plays must be
    live too: an archived playlist stays off air)."""
    return public(session, records.restore(session, actor=actor, changes=changes, model=Schedule,
                                           item_id=schedule_id))
