"""Publishing in one step and approving what is seen, as one *submission*.

A publication is what an editor sends in one go: a bulletin (or images already uploaded), where it
goes (boards, units' subtrees, tags) and when (from/until, days, hours). The bulletin, one playlist
showing it and one schedule per target are made together in one transaction, all ``submitted``,
and recorded as one ``Submission``; an approver then approves (or rejects) the whole at once, under
the same four-eyes rule as single parts. A unit whose trusted editors auto-approve gets it approved
at once.

An edit of an approved bulletin, schedule, playlist or image becomes a submission of kind
``edit``: the new fields wait in ``pending`` while the approved version stays on the boards;
approving applies them, rejecting leaves the boards as they were. The approver sees the difference
(``diff_lines``). Playlists' and images' edits are kept by ``pending_edits``.

Content made part by part keeps the old per-part workflow (``workflow.py``); the per-part queue
leaves out the parts of a pending submission, which are decided together.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, Field, model_validator
from sqlmodel import Session, col, select

from signage_contract import Category, Priority
from signage_contract.timezone import LOCAL_ZONE
from signage_server.content import pdf_media, pending_edits, records
from signage_server.content.board_fit import check_fits
from signage_server.content.custom_layouts import visible_layout
from signage_server.content.schemas import ScheduleBase, Weekday
from signage_server.content.workflow import (
    Actor,
    audit_content,
    auto_approves,
    not_found,
    owner_unit,
    require_role,
)
from signage_server.core.audit import snapshot
from signage_server.core.auth import in_scope, scope_unit_ids
from signage_server.core.changes import Change, ChangeFeed
from signage_server.core.errors import Conflict, Forbidden, Invalid
from signage_server.core.legacy_text import TextConversion, convert_fields
from signage_server.core.roles import EDITORS, REVIEWERS
from signage_server.models import (
    PLAYABLE_STATES,
    AdminUnit,
    Board,
    Bulletin,
    ContentMixin,
    ContentState,
    ItemKind,
    Media,
    Playlist,
    PlaylistItem,
    Schedule,
    ScheduleRegion,
    Submission,
    SubmissionKind,
    TargetKind,
    User,
    utcnow,
)
from signage_server.schemas import BulletinBase, Strict, Tag, Text
from signage_server.units.service import subtree_ids

S = ContentState
DEFAULT_LAYOUT = "fullscreen"
MAX_MEDIA = 20
MAX_TARGETS = 200
EDIT_FIELDS = ("title", "body", "category", "priority", "valid_from", "valid_until", "speak", "speak_times")


# --- shapes ------------------------------------------------------------------------------------


class Targets(Strict):
    """Where: boards, units (every board in their subtree) and tags (boards carrying them within
    the owner's unit)."""

    board_ids: Annotated[list[int], Field(max_length=MAX_TARGETS)] = Field(default_factory=list)
    unit_ids: Annotated[list[int], Field(max_length=MAX_TARGETS)] = Field(default_factory=list)
    tags: Annotated[list[Tag], Field(max_length=MAX_TARGETS)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _some(self) -> Targets:
        if not (self.board_ids or self.unit_ids or self.tags):
            raise ValueError("choose at least one board, unit or tag")
        self.board_ids = sorted(set(self.board_ids))
        self.unit_ids = sorted(set(self.unit_ids))
        self.tags = sorted(set(self.tags))
        return self


class Window(Strict):
    """When: from/until (instants; either open), on which weekdays (empty: every day), between
    which local hours (both or neither: all day)."""

    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    weekdays: list[Weekday] = Field(default_factory=list)
    daily_start: time | None = None
    daily_end: time | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        if (self.daily_start is None) != (self.daily_end is None):
            raise ValueError("give both daily_start and daily_end, or neither (all day)")
        self.weekdays = sorted(set(self.weekdays))
        return self


class PublicationCreate(Strict):
    """A bulletin (title, body, category, Circular 39 priority) and/or images, where and when."""

    title: Annotated[Text, Field(max_length=300)] = ""
    body: Annotated[Text, Field(max_length=20_000)] = ""
    category: Category = Category.OTHER
    priority: Priority = Priority.NORMAL
    media_ids: Annotated[list[int], Field(max_length=MAX_MEDIA)] = Field(default_factory=list)
    targets: Targets
    window: Window = Field(default_factory=Window)
    layout_id: Annotated[str, Field(min_length=1, max_length=64)] = DEFAULT_LAYOUT
    image_duration_s: Annotated[float, Field(ge=1.0, le=3600.0)] = 10.0
    clip_sound: bool = False  # clips play their sound on boards whose sound is on (else muted)
    unit_id: int | None = None  # owner; default: the author's unit

    @model_validator(mode="after")
    def _something(self) -> PublicationCreate:
        if not self.title and not self.media_ids:
            raise ValueError("title: write a bulletin or choose an image")
        if self.body and not self.title:
            raise ValueError("title: a bulletin needs a title")
        return self


@dataclass(frozen=True)
class Origin:
    """Where a publication comes from when an upstream system sent it (``content/intake.py``)."""

    source: str
    external_id: str
    trusted: bool  # approved at once: an admin trusts the source for every unit it targets


class SubmissionPublic(BaseModel):
    id: int
    kind: SubmissionKind
    state: ContentState
    title: str
    unit_id: int
    bulletin_id: int | None
    media_ids: list[int]
    playlist_id: int | None
    schedule_ids: list[int]
    targets: dict[str, Any]
    window: dict[str, Any]
    pending: dict[str, Any] | None
    board_ids: list[int]  # the boards it reaches now
    rejection_reason: str
    created_by: int | None
    submitted_by: int | None
    submitted_at: datetime | None
    reviewed_by: int | None
    reviewed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    converted: list[TextConversion] = Field(default_factory=list)  # text that came in TCVN3 / VNI


class DecisionRequest(Strict):
    state: Annotated[ContentState, Field(description="approved or rejected")]
    reason: Annotated[Text, Field(max_length=1000)] = ""


# --- reach -------------------------------------------------------------------------------------


def boards_reached(session: Session, *, owner_unit_id: int, targets: dict[str, Any]) -> list[int]:
    """The boards a submission's targets reach now: its boards, every board below its units, and
    the boards within the owner's unit that carry one of its tags."""
    found = set(targets.get("board_ids", []))
    units: set[int] = set()
    for unit_id in targets.get("unit_ids", []):
        units.update(subtree_ids(session, unit_id))
    if units:
        found.update(b for b in session.exec(select(Board.id).where(col(Board.unit_id).in_(units))) if b)
    tags = set(targets.get("tags", []))
    if tags:
        within = subtree_ids(session, owner_unit_id)
        for board in session.exec(select(Board).where(col(Board.unit_id).in_(within))):
            if tags & set(board.tags or ()) and board.id is not None:
                found.add(board.id)
    return sorted(found)


def boards_showing(session: Session, bulletin_id: int | None = None, *, media_id: int | None = None,
                   playlist_id: int | None = None) -> list[int]:
    """The boards the schedules showing this bulletin (image, playlist) reach now (what an edit of
    it changes)."""
    if playlist_id is not None:
        playlists = select(Playlist.id).where(Playlist.id == playlist_id)
    elif media_id is not None:
        playlists = select(PlaylistItem.playlist_id).where(PlaylistItem.media_id == media_id)
    else:
        playlists = select(PlaylistItem.playlist_id).where(PlaylistItem.bulletin_id == bulletin_id)
    schedule_ids = select(ScheduleRegion.schedule_id).where(col(ScheduleRegion.playlist_id).in_(playlists))
    found: set[int] = set()
    for schedule in session.exec(select(Schedule).where(col(Schedule.id).in_(schedule_ids))):
        targets = {"board_ids": [schedule.target_board_id] if schedule.target_board_id else [],
                   "unit_ids": [schedule.target_unit_id] if schedule.target_unit_id else [],
                   "tags": [schedule.target_tag] if schedule.target_tag else []}
        found.update(boards_reached(session, owner_unit_id=schedule.unit_id, targets=targets))
    return sorted(found)


def public(session: Session, row: Submission) -> SubmissionPublic:
    edited = pending_edits.subject(row) if row.kind == SubmissionKind.EDIT else None
    if edited == "bulletin":
        reached = boards_showing(session, row.bulletin_id)
    elif edited == "playlist":
        reached = boards_showing(session, playlist_id=row.playlist_id)
    elif edited == "media":
        reached = boards_showing(session, media_id=row.media_ids[0])
    elif edited == "schedule":  # a schedule's edit: the boards before and after it
        now = [session.get(Schedule, s) for s in row.schedule_ids]
        aims = [_schedule_targets(s) for s in now if s is not None] + [row.targets]
        reached = sorted({b for aim in aims for b in boards_reached(session, owner_unit_id=row.unit_id,
                                                                    targets=aim)})
    else:
        reached = boards_reached(session, owner_unit_id=row.unit_id, targets=row.targets)
    return SubmissionPublic.model_validate({**row.model_dump(), "board_ids": reached})


# --- making a publication ----------------------------------------------------------------------


def _invalid(message: str, field: str) -> Invalid:
    return Invalid("publication.invalid_reference", message, field=field)


def _check_targets(session: Session, user: User, targets: Targets) -> None:
    for board_id in targets.board_ids:
        board = session.get(Board, board_id)
        if board is None or not in_scope(session, user, board.unit_id):
            raise _invalid(f"targets.board_ids: board {board_id} not found", "targets.board_ids")
    for unit_id in targets.unit_ids:
        if session.get(AdminUnit, unit_id) is None or not in_scope(session, user, unit_id):
            raise _invalid(f"targets.unit_ids: unit {unit_id} not found", "targets.unit_ids")


def _media(session: Session, user: User, media_ids: Sequence[int]) -> list[Media]:
    found: list[Media] = []
    for media_id in dict.fromkeys(media_ids):
        row = session.get(Media, media_id)
        if row is None or not in_scope(session, user, row.unit_id):
            raise _invalid(f"media_ids: media {media_id} not found", "media_ids")
        found.append(row)
    return found


def _main_region(session: Session, user: User, layout_id: str) -> str:
    layout = visible_layout(session, user, layout_id)
    if layout is None:
        raise _invalid(f"layout_id: layout {layout_id!r} not found", "layout_id")
    regions = [r for r in layout.regions if r.get("role") == "main"] or list(layout.regions)
    return str(regions[0]["id"])


def _local_date(moment: datetime | None) -> date | None:
    return None if moment is None else moment.astimezone(LOCAL_ZONE).date()


def _schedule_bodies(data: PublicationCreate, name: str, region: str, playlist_id: int,
                     dated: bool = True) -> list[ScheduleBase]:
    """One schedule per target, all showing the playlist in the layout's main region (undated: the
    bulletin's own validity alone bounds it, so a later edit of that validity moves it)."""
    window = data.window
    common: dict[str, Any] = {
        "name": name[:200], "layout_id": data.layout_id, "regions": {region: playlist_id},
        "weekdays": window.weekdays, "daily_start": window.daily_start, "daily_end": window.daily_end,
        "start_date": _local_date(window.valid_from) if dated else None,
        "end_date": _local_date(window.valid_until) if dated else None,
    }
    aims: list[dict[str, Any]] = (
        [{"target_kind": TargetKind.BOARD, "target_board_id": b} for b in data.targets.board_ids]
        + [{"target_kind": TargetKind.UNIT, "target_unit_id": u} for u in data.targets.unit_ids]
        + [{"target_kind": TargetKind.TAG, "target_tag": t} for t in data.targets.tags]
    )
    return [ScheduleBase.model_validate({**common, **aim}) for aim in aims]


_submitted = pending_edits.mark_submitted


def create_publication(
    session: Session, *, actor: Actor, changes: ChangeFeed, data: PublicationCreate,
    origin: Origin | None = None,
) -> SubmissionPublic:
    """Make the bulletin, its playlist and its schedules in one transaction as one submission
    (approved at once where the unit's trusted editors auto-approve, or the origin is trusted).
    With an ``origin`` the bulletin carries its source and external id; a second bulletin with the
    same pair fails on the database's unique constraint (``IntegrityError``), left to the caller."""
    user = actor.user
    require_role(user, EDITORS)
    data, converted = convert_fields(data, ("title", "body"))
    unit_id = owner_unit(session, user, data.unit_id)
    _check_targets(session, user, data.targets)
    media = _media(session, user, data.media_ids)
    region = _main_region(session, user, data.layout_id)
    now = utcnow()
    parts: list[ContentMixin] = []
    bulletin = None
    if data.title:
        bulletin = Bulletin(title=data.title, body=data.body, category=data.category, priority=data.priority,
                            valid_from=data.window.valid_from, valid_until=data.window.valid_until,
                            unit_id=unit_id, created_by=user.id,
                            source=None if origin is None else origin.source,
                            external_id=None if origin is None else origin.external_id)
        parts.append(bulletin)
    name = data.title or media[0].title or media[0].original_name or "ảnh"
    playlist = Playlist(name=name[:200], unit_id=unit_id, created_by=user.id)
    for row in [*parts, playlist]:
        _submitted(row, user, now)
        session.add(row)
        audit_content(session, actor, "create", row, None)
    assert playlist.id is not None
    _add_items(session, playlist.id, bulletin, media, data.image_duration_s, data.clip_sound)
    for row in media:
        if row.state not in PLAYABLE_STATES:
            before = snapshot(row)
            _submitted(row, user, now)
            session.add(row)
            audit_content(session, actor, "submit", row, before)
    schedules = []
    for body in _schedule_bodies(data, name, region, playlist.id, dated=origin is None or bulletin is None):
        schedule = Schedule.model_validate(body.model_dump(exclude={"regions"}),
                                           update={"unit_id": unit_id, "created_by": user.id})
        _submitted(schedule, user, now)
        session.add(schedule)
        audit_content(session, actor, "create", schedule, None)
        assert schedule.id is not None
        session.add(ScheduleRegion(schedule_id=schedule.id, region_id=region, playlist_id=playlist.id))
        schedules.append(schedule)
    submission = Submission(
        kind=SubmissionKind.PUBLICATION, title=name[:300], unit_id=unit_id, created_by=user.id,
        bulletin_id=None if bulletin is None else bulletin.id, media_ids=[m.id for m in media if m.id],
        playlist_id=playlist.id, schedule_ids=[s.id for s in schedules if s.id is not None],
        targets=data.targets.model_dump(), window=data.window.model_dump(mode="json"),
    )
    _submitted(submission, user, now)
    session.add(submission)
    audit_content(session, actor, "submit", submission, None)
    if (origin is not None and origin.trusted) or auto_approves(session, unit_id):
        _approve(session, actor, submission, automatic=True)
    session.commit()
    session.refresh(submission)
    changes.publish(_touched(session, submission))
    return public(session, submission).model_copy(update={"converted": converted})


def _add_items(session: Session, playlist_id: int, bulletin: Bulletin | None, media: list[Media],
               duration_s: float, clip_sound: bool = False) -> None:
    position = 0
    if bulletin is not None:
        position += 1
        session.add(PlaylistItem(playlist_id=playlist_id, position=position, kind=ItemKind.BULLETIN,
                                 bulletin_id=bulletin.id))
    for row in media:
        position += 1
        document = row.content_type == pdf_media.PDF_TYPE  # a PDF sent with the bulletin: its pages
        kind = (ItemKind.PDF if document  # a clip plays whole (its length is its airtime)
                else ItemKind.VIDEO if row.content_type.startswith("video/") else ItemKind.IMAGE)
        options: dict[str, object] = {}
        if document:
            options = {"page_s": pdf_media.page_seconds(duration_s)}
        elif kind == ItemKind.VIDEO:
            options = {"muted": not clip_sound}
        session.add(PlaylistItem(playlist_id=playlist_id, position=position, media_id=row.id,
                                 kind=kind, duration_s=duration_s, options=options))


# --- an edit of approved content ---------------------------------------------------------------


def pending_edit(session: Session, bulletin_id: int) -> Submission | None:
    """The edit of this bulletin awaiting a decision, if any."""
    return session.exec(select(Submission).where(
        Submission.kind == SubmissionKind.EDIT, Submission.bulletin_id == bulletin_id,
        Submission.state == S.SUBMITTED)).first()


def propose_edit(session: Session, *, actor: Actor, row: Bulletin, fields: dict[str, Any]) -> Submission:
    """Keep an edit of an approved bulletin aside (the approved text stays on air); a second edit
    before the decision replaces the first. Not committed: the caller commits."""
    assert row.id is not None
    submission = pending_edit(session, row.id) or Submission(
        kind=SubmissionKind.EDIT, unit_id=row.unit_id, created_by=actor.user.id, bulletin_id=row.id)
    current = {**(submission.pending or edit_fields(row)), **jsonable(fields)}
    submission.pending = current
    submission.title = str(current.get("title", row.title))[:300]
    _submitted(submission, actor.user, utcnow())
    submission.updated_at = utcnow()
    session.add(submission)
    audit_content(session, actor, "submit", submission, None)
    return submission


def pending_schedule_edit(session: Session, schedule_id: int) -> Submission | None:
    """The edit of this schedule awaiting a decision, if any."""
    rows = session.exec(select(Submission).where(
        Submission.kind == SubmissionKind.EDIT, col(Submission.bulletin_id).is_(None),
        Submission.state == S.SUBMITTED))
    return next((r for r in rows if r.schedule_ids == [schedule_id]), None)


def propose_schedule_edit(
    session: Session, *, actor: Actor, row: Schedule, whole: ScheduleBase
) -> Submission:
    """Keep an edit of an approved schedule aside (the approved one stays on the boards); a later
    edit before the decision replaces it. ``whole`` is the schedule as it would be, already checked.
    Not committed: the caller commits."""
    assert row.id is not None
    submission = pending_schedule_edit(session, row.id) or Submission(
        kind=SubmissionKind.EDIT, unit_id=row.unit_id, created_by=actor.user.id, schedule_ids=[row.id])
    submission.pending = whole.model_dump(mode="json")
    submission.title = whole.name[:300]
    submission.targets = _schedule_targets(whole)
    _submitted(submission, actor.user, utcnow())
    submission.updated_at = utcnow()
    session.add(submission)
    audit_content(session, actor, "submit", submission, None)
    return submission


def _schedule_targets(schedule: ScheduleBase | Schedule) -> dict[str, Any]:
    return {"board_ids": [schedule.target_board_id] if schedule.target_board_id else [],
            "unit_ids": [schedule.target_unit_id] if schedule.target_unit_id else [],
            "tags": [schedule.target_tag] if schedule.target_tag else []}


def _schedule_fields(session: Session, row: Schedule) -> dict[str, Any]:
    assert row.id is not None
    regions = session.exec(select(ScheduleRegion).where(ScheduleRegion.schedule_id == row.id)).all()
    fields = row.model_dump(mode="json", include=set(ScheduleBase.model_fields) - {"regions"})
    return {**fields, "regions": {r.region_id: r.playlist_id for r in regions}}


def edit_fields(row: Bulletin) -> dict[str, Any]:
    """The editable fields of a bulletin as JSON (what an edit's ``pending`` holds)."""
    return row.model_dump(mode="json", include=set(EDIT_FIELDS))


def jsonable(fields: dict[str, Any]) -> dict[str, Any]:
    """Some of those fields, checked and in the same JSON form."""
    return BulletinBase.model_validate({"title": "x", **fields}).model_dump(mode="json", include=set(fields))




def diff_lines(session: Session, row: Submission) -> list[tuple[str, str]]:
    """For an edit: what changes from the text on air, as (mark, line) pairs: ``-`` on air now,
    ``+`` after approval, `` `` unchanged context. Empty for a publication."""
    if row.kind != SubmissionKind.EDIT or row.pending is None:
        return []
    fields: tuple[str, ...]
    new = row.pending
    edited = pending_edits.subject(row)
    if edited == "bulletin":
        bulletin = session.get(Bulletin, row.bulletin_id)
        old, fields = (edit_fields(bulletin), EDIT_FIELDS) if bulletin is not None else ({}, ())
    elif edited == "playlist":
        old, new = pending_edits.playlist_texts(session, row)
        fields = ("name", "items")
    elif edited == "media":
        media = session.get(Media, row.media_ids[0])
        old = pending_edits.media_fields(media) if media is not None else {}
        fields = pending_edits.MEDIA_FIELDS
    else:
        schedule = session.get(Schedule, row.schedule_ids[0]) if row.schedule_ids else None
        old = _schedule_fields(session, schedule) if schedule is not None else {}
        fields = tuple(old)
    lines: list[tuple[str, str]] = []
    for field in fields:
        before, after = str(old.get(field) or ""), str(new.get(field, old.get(field)) or "")
        if before == after:
            continue
        for line in difflib.ndiff(before.splitlines() or [""], after.splitlines() or [""]):
            if line[:1] in "-+ ":
                shown = line[2:] if field in ("body", "items") else f"{field}: {line[2:]}"
                lines.append((line[:1], shown))
    return lines


# --- queue and decisions -----------------------------------------------------------------------


def list_submissions(
    session: Session, *, user: User, state: ContentState | None = None, mine: bool = False
) -> list[SubmissionPublic]:
    """Submissions in the user's scope, newest first (``mine``: only those the user submitted)."""
    query = select(Submission).where(col(Submission.unit_id).in_(scope_unit_ids(session, user)))
    if state is not None:
        query = query.where(Submission.state == state)
    if mine:
        query = query.where(Submission.submitted_by == user.id)
    rows = session.exec(query.order_by(col(Submission.id).desc())).all()
    return [public(session, r) for r in rows]


def submission_queue(session: Session, *, user: User) -> list[SubmissionPublic]:
    """Submissions awaiting the user's decision, oldest first (their own are someone else's)."""
    require_role(user, REVIEWERS)
    rows = [s for s in list_submissions(session, user=user, state=S.SUBMITTED) if s.submitted_by != user.id]
    return sorted(rows, key=lambda s: (s.submitted_at or s.updated_at, s.id))


def get_submission(session: Session, *, user: User, submission_id: int) -> SubmissionPublic:
    return public(session, _fetch(session, user, submission_id))


def _fetch(session: Session, user: User, submission_id: int) -> Submission:
    row = session.get(Submission, submission_id)
    if row is None or not in_scope(session, user, row.unit_id):
        raise not_found("submission", submission_id)
    return row


def parts_pending_together(session: Session) -> dict[str, set[int]]:
    """The ids of content that waits as part of a submission ("bulletin", "media", "playlist",
    "schedule"), decided with it rather than one by one."""
    found: dict[str, set[int]] = {"bulletin": set(), "media": set(), "playlist": set(), "schedule": set()}
    rows = session.exec(select(Submission).where(Submission.state == S.SUBMITTED,
                                                 Submission.kind == SubmissionKind.PUBLICATION))
    for row in rows:
        if row.bulletin_id is not None:
            found["bulletin"].add(row.bulletin_id)
        if row.playlist_id is not None:
            found["playlist"].add(row.playlist_id)
        found["media"].update(row.media_ids)
        found["schedule"].update(row.schedule_ids)
    return found


def _parts(session: Session, row: Submission) -> list[records.ContentRow]:
    parts: list[records.ContentRow | None] = [
        *(session.get(Media, m) for m in row.media_ids),
        session.get(Bulletin, row.bulletin_id) if row.bulletin_id is not None else None,
        session.get(Playlist, row.playlist_id) if row.playlist_id is not None else None,
        *(session.get(Schedule, s) for s in row.schedule_ids),
    ]
    return [p for p in parts if p is not None]


def decide_submission(
    session: Session, *, actor: Actor, changes: ChangeFeed, submission_id: int, decision: DecisionRequest
) -> SubmissionPublic:
    """Approve or reject a whole submission in one transaction (four-eyes: not one's own)."""
    user = actor.user
    require_role(user, REVIEWERS)
    row = _fetch(session, user, submission_id)
    if decision.state not in (S.APPROVED, S.REJECTED):
        raise Invalid("submission.decision_only", "state: a submission is approved or rejected",
                      state=decision.state.value)
    if row.state != S.SUBMITTED:
        raise Conflict("content.transition_refused",
                       f"cannot go from {row.state.value} to {decision.state.value}",
                       current=row.state.value, target=decision.state.value)
    if row.submitted_by == user.id:
        raise Forbidden(
            "content.four_eyes",
            "four-eyes rule: you submitted this, so another approver of the unit must decide on it")
    notice = _touched(session, row)
    if decision.state == S.APPROVED:
        _approve(session, actor, row)
    else:
        if not decision.reason:
            raise Invalid("content.reason_needed", "reason: a rejection needs a reason")
        _reject(session, actor, row, decision.reason)
    session.commit()
    session.refresh(row)
    changes.publish(records.merged(notice, _touched(session, row)))
    return public(session, row)


def _decided(
    session: Session, actor: Actor, row: ContentMixin, state: ContentState, reason: str = ""
) -> None:
    before = snapshot(row)
    if state == S.APPROVED:
        check_fits(session, row)  # a submission's QR codes stay scannable on every board reached
    now = utcnow()
    row.state, row.rejection_reason = state, reason
    row.reviewed_by, row.reviewed_at, row.updated_at = actor.user.id, now, now
    session.add(row)
    audit_content(session, actor, "approve" if state == S.APPROVED else "reject", row, before)


def _approve(session: Session, actor: Actor, row: Submission, *, automatic: bool = False) -> None:
    if row.kind == SubmissionKind.EDIT:
        _apply_edit(session, actor, row)
    else:
        waiting = [p for p in _parts(session, row) if p.state not in (S.SUBMITTED, *PLAYABLE_STATES)]
        if waiting:
            names = ", ".join(f"{records.label(type(p))} {p.id} ({p.state.value})" for p in waiting)
            raise Conflict("submission.parts_withdrawn",
                           f"parts of this submission were withdrawn or rejected: {names}", waiting=names)
        for part in _parts(session, row):
            if part.state == S.SUBMITTED:
                _decided(session, actor, part, S.APPROVED)
    _decided(session, actor, row, S.APPROVED)
    if automatic:
        row.reviewed_by = None  # nobody reviewed it: the unit trusts its editors


def approve_at_once(session: Session, *, actor: Actor, row: Submission) -> None:
    """Approve a submission nobody reviews (its source is trusted); not committed."""
    _approve(session, actor, row, automatic=True)


def resubmit(session: Session, *, actor: Actor, row: Submission) -> None:
    """Send a publication (and its parts not on air) back to the queue after a change, as its
    sender; not committed."""
    now = utcnow()
    for part in [*_parts(session, row), row]:
        if part.state not in (S.SUBMITTED, *PLAYABLE_STATES) or part is row:
            before = snapshot(part)
            _submitted(part, actor.user, now)
            part.updated_at = now
            session.add(part)
            audit_content(session, actor, "submit", part, before)


def _reject(session: Session, actor: Actor, row: Submission, reason: str) -> None:
    for part in _parts(session, row) if row.kind == SubmissionKind.PUBLICATION else []:
        if part.state == S.SUBMITTED:
            _decided(session, actor, part, S.REJECTED, reason)
    _decided(session, actor, row, S.REJECTED, reason)


def _apply_schedule_edit(session: Session, actor: Actor, row: Submission) -> None:
    schedule = session.get(Schedule, row.schedule_ids[0]) if row.schedule_ids else None
    if schedule is None or schedule.id is None or row.pending is None:
        raise Conflict("submission.edit_gone", "the schedule this edit changes no longer exists")
    before = snapshot(schedule)
    whole = ScheduleBase.model_validate(row.pending)
    schedule.sqlmodel_update(whole.model_dump(exclude={"regions"}))
    for old in session.exec(select(ScheduleRegion).where(ScheduleRegion.schedule_id == schedule.id)):
        session.delete(old)
    session.flush()
    for region_id, playlist_id in whole.regions.items():
        session.add(ScheduleRegion(schedule_id=schedule.id, region_id=region_id, playlist_id=playlist_id))
    session.flush()
    check_fits(session, schedule)  # its QR codes stay scannable on the boards it now reaches
    schedule.updated_at = utcnow()
    schedule.reviewed_by, schedule.reviewed_at = actor.user.id, utcnow()
    session.add(schedule)
    audit_content(session, actor, "update", schedule, before)


def _apply_edit(session: Session, actor: Actor, row: Submission) -> None:
    edited = pending_edits.subject(row)
    if edited == "schedule":
        _apply_schedule_edit(session, actor, row)
        return
    if edited == "playlist":
        pending_edits.apply_playlist_edit(session, actor, row)
        return
    if edited == "media":
        pending_edits.apply_media_edit(session, actor, row)
        return
    bulletin = session.get(Bulletin, row.bulletin_id) if row.bulletin_id is not None else None
    if bulletin is None or row.pending is None:
        raise Conflict("submission.edit_gone", "the bulletin this edit changes no longer exists")
    before = snapshot(bulletin)
    whole = BulletinBase.model_validate({**edit_fields(bulletin), **row.pending})
    bulletin.sqlmodel_update(whole.model_dump(include=set(EDIT_FIELDS)))
    bulletin.updated_at = utcnow()
    bulletin.reviewed_by, bulletin.reviewed_at = actor.user.id, utcnow()
    session.add(bulletin)
    audit_content(session, actor, "update", bulletin, before)


def _touched(session: Session, row: Submission) -> Change:
    notice = Change(bulletins=frozenset({row.bulletin_id} if row.bulletin_id is not None else set()))
    for part in _parts(session, row):
        notice = records.merged(notice, records.touched(part))
    return notice

