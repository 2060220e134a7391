"""What every content kind (bulletins, media, playlists, schedules) does alike: list in scope, get
in scope or ``NotFound``, write with an audit event and a change notice, move through the workflow,
archive and restore.

The kind modules (``bulletins``, ``media``, ``playlists``, ``schedules``) add their own checks and
shapes around these; the approval queue reaches any kind by its name (``KINDS``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, TypeVar

from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from signage_server.content.workflow import (
    Actor,
    InUse,
    apply_transition,
    audit_content,
    get_owned,
    require_role,
)
from signage_server.core.audit import snapshot
from signage_server.core.auth import ensure_in_scope, scope_unit_ids
from signage_server.core.changes import Change, ChangeFeed
from signage_server.core.errors import Conflict
from signage_server.core.paging import Page, PageRequest, matches, paged, search_text
from signage_server.core.roles import EDITORS
from signage_server.models import (
    Bulletin,
    ContentMixin,
    ContentState,
    Media,
    Playlist,
    PlaylistItem,
    Role,
    Schedule,
    ScheduleRegion,
    Submission,
    SubmissionKind,
    User,
    utcnow,
)
from signage_server.schemas import StateChange
from signage_server.units.service import subtree_ids

ContentRow = Media | Bulletin | Playlist | Schedule
R = TypeVar("R", bound=ContentRow)
V = TypeVar("V", int, str)
Kind = Literal["media", "bulletin", "playlist", "schedule"]
KINDS: dict[Kind, type[ContentRow]] = {
    "media": Media, "bulletin": Bulletin, "playlist": Playlist, "schedule": Schedule,
}
LABELS: dict[type[ContentMixin], Kind] = {model: kind for kind, model in KINDS.items()}


def label(model: type[ContentMixin]) -> Kind:
    """The kind's name in messages and the approval queue (``bulletin 7 not found``)."""
    return LABELS[model]


def touched(row: ContentRow) -> Change:
    """What a write on ``row`` touches: the row itself, and for a schedule the boards it targets."""
    assert row.id is not None
    if isinstance(row, Schedule):
        return Change(
            schedules=frozenset({row.id}), boards=_present(row.target_board_id),
            units=_present(row.target_unit_id), tags=_present(row.target_tag),
        )
    if isinstance(row, Media):
        return Change(media=frozenset({row.id}))
    if isinstance(row, Bulletin):
        return Change(bulletins=frozenset({row.id}))
    return Change(playlists=frozenset({row.id}))


def _present(value: V | None) -> frozenset[V]:
    return frozenset() if value is None else frozenset({value})


def merged(first: Change, second: Change) -> Change:
    """One notice naming what either change touched (a schedule moved from one target to another)."""
    return Change(
        boards=first.boards | second.boards, units=first.units | second.units, tags=first.tags | second.tags,
        playlists=first.playlists | second.playlists, schedules=first.schedules | second.schedules,
        media=first.media | second.media, bulletins=first.bulletins | second.bulletins,
        layouts=first.layouts | second.layouts, everything=first.everything or second.everything,
    )


def listing(
    session: Session, *, user: User, model: type[R], state: ContentState | None = None,
    where: Sequence[ColumnElement[bool]] = (), newest_first: bool = False, archived: bool = False,
) -> list[R]:
    """The rows of one kind in the user's scope, optionally in one state, by id; the archived ones
    only (``archived``) or the others."""
    query = select(model).where(col(model.unit_id).in_(scope_unit_ids(session, user)), *where,
                                _archived(model, archived))
    if user.role == Role.EDITOR:
        query = query.where(col(model.owner_board_id).is_(None))
    if state is not None:
        query = query.where(model.state == state)
    order = col(model.id).desc() if newest_first else col(model.id)
    return list(session.exec(query.order_by(order)).all())


@dataclass(frozen=True)
class ContentQuery:
    """What a list of content asks for: a state, words in its text, a unit's subtree, a page; the
    archived rows instead of the others (``archived``)."""

    state: ContentState | None = None
    archived: bool = False
    text: str = ""
    unit_id: int | None = None
    page: PageRequest = field(default_factory=PageRequest)


def page(
    session: Session, *, user: User, model: type[R], wanted: ContentQuery, searched: Sequence[object],
    where: Sequence[ColumnElement[bool]] = (),
) -> Page[R]:
    """One page of a kind's rows in the user's scope, newest first: narrowed to ``wanted.state``,
    to rows whose ``searched`` columns contain ``wanted.text``, and to ``wanted.unit_id``'s
    subtree (a unit outside the scope answers ``unit.not_found``)."""
    units = scope_unit_ids(session, user)
    if wanted.unit_id is not None:
        ensure_in_scope(session, user, wanted.unit_id)
        units = subtree_ids(session, wanted.unit_id)
    query = select(model).where(col(model.unit_id).in_(units), *where, _archived(model, wanted.archived))
    if user.role == Role.EDITOR:
        query = query.where(col(model.owner_board_id).is_(None))
    if wanted.state is not None:
        query = query.where(model.state == wanted.state)
    text = search_text(wanted.text)
    if text:
        query = query.where(matches(text, *searched))
    return paged(session, query.order_by(col(model.id).desc()), wanted.page)


def _archived(model: type[R], archived: bool) -> ColumnElement[bool]:
    column = col(model.archived_at)
    return column.is_not(None) if archived else column.is_(None)


def fetch(session: Session, *, user: User, model: type[R], item_id: int) -> R:
    """The row if it lies in the user's scope; ``NotFound`` (``content.not_found``) otherwise."""
    return get_owned(session, model, item_id, user, label(model))


UserKind = type[Playlist] | type[Schedule]


def users_of(
    session: Session, *, used_by: SelectOfScalar[int], user_kind: UserKind, live_only: bool = False,
) -> list[tuple[int, str]]:
    """What still uses a row, as (id, name) of ``user_kind`` rows; ``used_by`` selects their ids
    (``live_only``: leaving out the archived ones)."""
    ids = sorted(set(session.exec(used_by).all()))
    query = select(col(user_kind.id), col(user_kind.name)).where(col(user_kind.id).in_(ids))
    if live_only:
        query = query.where(col(user_kind.archived_at).is_(None))
    found = session.exec(query.order_by(col(user_kind.id)))
    return [(ident, str(name)) for ident, name in found if ident is not None]


def deletable(
    session: Session, *, actor: Actor, model: type[R], item_id: int, used_by: SelectOfScalar[int],
    user_kind: UserKind, refusal: str,
) -> R:
    """The row an editor may delete: in scope, and used by nothing. ``used_by`` selects the ids of
    what still uses it (rows of ``user_kind``); a refusal (``content.in_use``, an ``InUse``) names
    them, ``refusal``'s ``{used}`` by name and id."""
    require_role(actor.user, EDITORS)
    row = fetch(session, user=actor.user, model=model, item_id=item_id)
    users = users_of(session, used_by=used_by, user_kind=user_kind)
    if users:
        named = ", ".join(f"{name} (#{ident})" for ident, name in users)
        raise InUse(label(model), refusal.format(used=named), label(user_kind), users)
    return row


def save(
    session: Session, *, actor: Actor, changes: ChangeFeed, row: R, action: str,
    before: dict[str, object] | None = None, notice: Change | None = None,
) -> R:
    """Commit a create or an update of ``row`` with its audit event, then announce it (``notice``,
    or what the row touches)."""
    session.add(row)
    audit_content(session, actor, action, row, before)
    session.commit()
    session.refresh(row)
    changes.publish(touched(row) if notice is None else notice)
    return row


def remove(session: Session, *, actor: Actor, changes: ChangeFeed, row: ContentRow) -> None:
    """Delete ``row`` with its audit event, then announce what it touched."""
    notice, before = touched(row), snapshot(row)
    _let_go_of_submissions(session, row)
    session.delete(row)
    audit_content(session, actor, "delete", row, before)
    session.commit()
    changes.publish(notice)


def _let_go_of_submissions(session: Session, row: ContentRow) -> None:
    """Before ``row`` goes: an edit still waiting on it goes too (there is nothing left to edit); a
    decided edit or a publication that named it keeps its record (title, decision, audit) without
    the reference."""
    waiting_edits = select(Submission).where(Submission.kind == SubmissionKind.EDIT,
                                             Submission.state == ContentState.SUBMITTED)
    if isinstance(row, Bulletin):
        naming = session.exec(select(Submission).where(Submission.bulletin_id == row.id)).all()
    elif isinstance(row, Playlist):
        naming = session.exec(select(Submission).where(Submission.playlist_id == row.id)).all()
    elif isinstance(row, Media):
        naming = [s for s in session.exec(waiting_edits).all() if s.media_ids == [row.id]]
    else:
        naming = [s for s in session.exec(waiting_edits).all() if s.schedule_ids == [row.id]]
    for submission in naming:
        if submission.kind == SubmissionKind.EDIT and submission.state == ContentState.SUBMITTED:
            session.delete(submission)
            continue
        if isinstance(row, Bulletin):
            submission.bulletin_id = None
        else:
            submission.playlist_id = None
        session.add(submission)
    session.flush()


def change_state(
    session: Session, *, actor: Actor, changes: ChangeFeed, model: type[R], item_id: int,
    change: StateChange,
) -> R:
    """A workflow move on one row (submit, approve, reject, publish, withdraw), audited, committed
    and announced; the rules and their refusals are ``workflow.apply_transition``'s."""
    row = fetch(session, user=actor.user, model=model, item_id=item_id)
    before = snapshot(row)
    action = apply_transition(session, row, change, actor.user)
    session.add(row)
    if action is not None:
        audit_content(session, actor, action, row, before)
    session.commit()
    session.refresh(row)
    changes.publish(touched(row))
    return row


# --- archive -----------------------------------------------------------------------------------


def ensure_live(row: ContentRow) -> None:
    """Refuse to change archived content (``content.archived``): restore it first."""
    if row.archived_at is not None:
        raise Conflict("content.archived", f"{label(type(row))} {row.id} is archived; restore it first",
                       kind=label(type(row)), id=str(row.id))


@dataclass(frozen=True)
class Uses:
    """What may still use a row of a kind: ``used_by`` selects the ids of ``user_kind`` rows."""

    used_by: SelectOfScalar[int]
    user_kind: UserKind
    refusal: str


def archive(
    session: Session, *, actor: Actor, changes: ChangeFeed, model: type[R], item_id: int,
    uses: Uses | None = None,
) -> R:
    """Take a row off air and out of lists and pickers, keeping its state and approval. Refused
    (``content.in_use``, an ``InUse`` naming them) while content that is not archived uses it:
    archive or change that first, so nothing on air loses a part without its author seeing it."""
    require_role(actor.user, EDITORS)
    row = fetch(session, user=actor.user, model=model, item_id=item_id)
    if row.archived_at is not None:
        return row
    if uses is not None:
        users = users_of(session, used_by=uses.used_by, user_kind=uses.user_kind, live_only=True)
        if users:
            named = ", ".join(f"{name} (#{ident})" for ident, name in users)
            raise InUse(label(model), uses.refusal.format(used=named), label(uses.user_kind), users)
    return _archive_move(session, actor=actor, changes=changes, row=row, when=utcnow(), action="archive")


def restore(session: Session, *, actor: Actor, changes: ChangeFeed, model: type[R], item_id: int) -> R:
    """Bring an archived row back as it was: approved content goes back on air without a new
    approval (an edit still waiting keeps waiting). The archived parts it plays (a schedule's
    playlists, a playlist's bulletins and images) come back with it in the same transaction, so
    what is restored plays whole."""
    require_role(actor.user, EDITORS)
    row = fetch(session, user=actor.user, model=model, item_id=item_id)
    if row.archived_at is None:
        return row
    notice = touched(row)
    for part in _archived_parts(session, row):
        before = snapshot(part)
        part.archived_at = None
        session.add(part)
        audit_content(session, actor, "restore", part, before)
        notice = merged(notice, touched(part))
    return _archive_move(session, actor=actor, changes=changes, row=row, when=None, action="restore",
                         notice=notice)


def parts_played(session: Session, row: ContentRow) -> list[ContentRow]:
    """What a row plays directly: a schedule's playlists, a playlist's bulletins and images."""
    if isinstance(row, Schedule):
        ids = select(ScheduleRegion.playlist_id).where(ScheduleRegion.schedule_id == row.id)
        return list(session.exec(select(Playlist).where(col(Playlist.id).in_(ids))).all())
    if isinstance(row, Playlist):
        items = session.exec(select(PlaylistItem).where(PlaylistItem.playlist_id == row.id)).all()
        media = select(Media).where(col(Media.id).in_({i.media_id for i in items if i.media_id}))
        shown = {i.bulletin_id for i in items if i.bulletin_id}
        bulletins = select(Bulletin).where(col(Bulletin.id).in_(shown))
        return [*session.exec(media).all(), *session.exec(bulletins).all()]
    return []


def _archived_parts(session: Session, row: ContentRow) -> list[ContentRow]:
    """The archived rows ``row`` plays, and theirs in turn."""
    found: list[ContentRow] = []
    todo = [row]
    while todo:
        for part in parts_played(session, todo.pop()):
            if part.archived_at is not None and part not in found:
                found.append(part)
                todo.append(part)
    return found


def _archive_move(
    session: Session, *, actor: Actor, changes: ChangeFeed, row: R, when: datetime | None, action: str,
    notice: Change | None = None,
) -> R:
    before = snapshot(row)
    row.archived_at = when
    row.updated_at = utcnow()
    return save(session, actor=actor, changes=changes, row=row, action=action, before=before, notice=notice)
