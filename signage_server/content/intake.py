"""Bulletins pushed by an upstream system (the province's source information system).

A source (``IntakeSource``, managed by admins in ``content/intake_sources.py``) sends as its system
account, through that account's API tokens, so it reaches that account's unit and subtree and no
further. Each bulletin is named by the source's own id: the first send makes it as a publication
(bulletin, playlist, one schedule per targeted unit; ``publications.create_publication``, so the
text is checked and normalised as every other bulletin's), a resend of the same ``external_id``
updates that bulletin and never makes a second one, also when two sends race (the database's unique
constraint on ``(source, external_id)`` decides; the loser updates the winner's row).

A resend changes the text, category, priority and validity. Before approval they change in place
(a rejected bulletin goes back to the queue); once approved, the change waits beside the bulletin
as an edit (``publications.propose_edit``) while the approved text stays on air. Targets and images
are those of the first send. Everything a trusted source sends is approved at once, where an admin
trusts the source for every unit it targets (a unit's trust covers its subtree).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field, model_validator
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from signage_contract import Category, Priority
from signage_contract.timezone import LOCAL_ZONE
from signage_server.content import media as media_service
from signage_server.content import publications
from signage_server.content.media_store import MediaStore
from signage_server.content.publications import (
    DEFAULT_LAYOUT,
    MAX_MEDIA,
    MAX_TARGETS,
    Origin,
    PublicationCreate,
    Targets,
    Window,
)
from signage_server.content.workflow import Actor, audit_content, mark_edited, require_role
from signage_server.core.audit import snapshot
from signage_server.core.auth import in_scope, scope_unit_ids
from signage_server.core.changes import Change, ChangeFeed
from signage_server.core.errors import Forbidden, Invalid
from signage_server.core.roles import EDITORS
from signage_server.models import (
    PLAYABLE_STATES,
    AdminUnit,
    Bulletin,
    ContentState,
    IntakeSource,
    Media,
    Submission,
    SubmissionKind,
    User,
    utcnow,
)
from signage_server.schemas import Strict, Text
from signage_server.units.service import ancestor_ids, valid_at

S = ContentState
UnitCode = Annotated[str, Field(pattern=r"^[0-9A-Za-z_.-]{1,16}$")]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
ExternalId = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$")]
FIELDS = ("title", "body", "category", "priority", "valid_from", "valid_until")


class IntakeBulletin(Strict):
    """A bulletin as an upstream system sends it."""

    external_id: Annotated[ExternalId, Field(description="the source's own id: a resend updates")]
    title: Annotated[Text, Field(min_length=1, max_length=300)]
    body: Annotated[Text, Field(max_length=20_000)] = ""
    category: Annotated[Category, Field(description="Decree 49 category")] = Category.OTHER
    priority: Annotated[Priority, Field(description="Circular 39 priority")] = Priority.NORMAL
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    unit_codes: Annotated[list[UnitCode], Field(
        max_length=MAX_TARGETS,
        description="2025 unit codes, valid on the day it starts (empty: the whole scope)")] = Field(
        default_factory=list)
    image_sha256: Annotated[list[Sha256], Field(
        max_length=MAX_MEDIA, description="images already sent, by the sha256 the upload answered")] = Field(
        default_factory=list)
    layout_id: Annotated[str, Field(min_length=1, max_length=64)] = DEFAULT_LAYOUT
    image_duration_s: Annotated[float, Field(ge=1.0, le=3600.0)] = 10.0

    @model_validator(mode="after")
    def _ordered(self) -> IntakeBulletin:
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        self.unit_codes = list(dict.fromkeys(self.unit_codes))
        return self


class IntakeResult(BaseModel):
    bulletin_id: int
    submission_id: int  # the publication, or the edit this resend made of an approved bulletin
    state: ContentState  # that submission's: approved (on the boards) or submitted (waiting)
    created: bool  # False: a resend, which updated the bulletin of this external_id
    changed: bool  # False: a resend identical to what is already held


def source_of(session: Session, user: User) -> IntakeSource:
    """The active intake source this account sends for (``intake.not_a_source`` otherwise)."""
    source = session.exec(select(IntakeSource).where(IntakeSource.user_id == user.id)).first()
    if source is None or not source.active:
        raise Forbidden("intake.not_a_source",
                        "this account is not the system account of an active intake source")
    return source


def receive_bulletin(
    session: Session, *, actor: Actor, changes: ChangeFeed, store: MediaStore, data: IntakeBulletin,
    uploads: Sequence[media_service.Upload] = (),
) -> IntakeResult:
    """Make or update the bulletin of ``(source, external_id)`` (see the module's docstring)."""
    user = actor.user
    source = source_of(session, user)
    require_role(user, EDITORS)
    units = _target_units(session, user, data)
    trusted = _trusted(session, source, [u.id for u in units if u.id is not None] or [user.unit_id])
    existing = _find(session, source.name, data.external_id)
    if existing is None:
        owner = _owner(session, units, user.unit_id)
        media_ids = _images(session, actor, changes, store, owner, uploads, data.image_sha256)
        publication = PublicationCreate(
            title=data.title, body=data.body, category=data.category, priority=data.priority,
            media_ids=media_ids, layout_id=data.layout_id, image_duration_s=data.image_duration_s,
            targets=Targets(unit_ids=[u.id for u in units if u.id is not None] or [user.unit_id]),
            window=Window(valid_from=data.valid_from, valid_until=data.valid_until), unit_id=owner)
        try:
            made = publications.create_publication(
                session, actor=actor, changes=changes, data=publication,
                origin=Origin(source.name, data.external_id, trusted))
        except IntegrityError:  # a concurrent first send of the same id won: update its bulletin
            session.rollback()
            existing = _find(session, source.name, data.external_id)
            if existing is None:
                raise
        else:
            assert made.bulletin_id is not None
            return IntakeResult(bulletin_id=made.bulletin_id, submission_id=made.id, state=made.state,
                                created=True, changed=True)
    return _update(session, actor, changes, existing, data, trusted)


def _find(session: Session, source: str, external_id: str) -> Bulletin | None:
    return session.exec(select(Bulletin).where(Bulletin.source == source,
                                               Bulletin.external_id == external_id)).first()


def _target_units(session: Session, user: User, data: IntakeBulletin) -> list[AdminUnit]:
    """The units named by code, as valid on the day the bulletin starts (today if it has begun)."""
    now = utcnow()
    start = data.valid_from if data.valid_from is not None and data.valid_from > now else now
    day = start.astimezone(LOCAL_ZONE).date()
    found: list[AdminUnit] = []
    for code in data.unit_codes:
        unit = session.exec(select(AdminUnit).where(AdminUnit.code == code, valid_at(day))).first()
        if unit is None or not in_scope(session, user, unit.id):
            raise Invalid("intake.unknown_unit",
                          f"unit_codes: no unit {code} in your scope on {day.isoformat()}",
                          unit_code=code, day=day.isoformat())
        found.append(unit)
    return found


def _owner(session: Session, units: list[AdminUnit], default: int) -> int:
    """The nearest unit above (or at) every target: its approvers decide, its boards are reached."""
    chains = [ancestor_ids(session, u.id) for u in units if u.id is not None]
    if not chains:
        return default
    common = set(chains[0]).intersection(*map(set, chains[1:]))
    return next(unit_id for unit_id in chains[0] if unit_id in common)


def _trusted(session: Session, source: IntakeSource, unit_ids: list[int]) -> bool:
    trusted = set(source.trusted_unit_ids)
    return bool(trusted) and all(trusted & set(ancestor_ids(session, u)) for u in unit_ids)


def _images(
    session: Session, actor: Actor, changes: ChangeFeed, store: MediaStore, owner: int,
    uploads: Sequence[media_service.Upload], hashes: Sequence[str],
) -> list[int]:
    """Store the images sent with the bulletin (the media library's checks) and find those named
    by sha256 among the images in scope (the owner unit's first); their ids."""
    ids: list[int] = []
    for upload in uploads:
        done = media_service.upload_media(session, actor=actor, changes=changes, store=store,
                                          upload=_for_unit(upload, owner))
        ids.append(done.media.id)
    scope = scope_unit_ids(session, actor.user)
    for digest in hashes:
        rows = session.exec(select(Media).where(Media.sha256 == digest, col(Media.unit_id).in_(scope))
                            .order_by(col(Media.id))).all()
        if not rows:
            raise Invalid("intake.unknown_image", f"image_sha256: no image {digest} in your scope",
                          sha256=digest)
        ids.append(next((r for r in rows if r.unit_id == owner), rows[0]).id or 0)
    return list(dict.fromkeys(ids))[:MAX_MEDIA]


def _for_unit(upload: media_service.Upload, unit_id: int) -> media_service.Upload:
    return media_service.Upload(upload.source, upload.filename, upload.declared_type, upload.title,
                                upload.category, unit_id)


def _update(
    session: Session, actor: Actor, changes: ChangeFeed, row: Bulletin, data: IntakeBulletin, trusted: bool
) -> IntakeResult:
    assert row.id is not None
    fields = _fields(data)
    publication = session.exec(select(Submission).where(
        Submission.kind == SubmissionKind.PUBLICATION, Submission.bulletin_id == row.id)).one()
    if row.state in PLAYABLE_STATES:
        return _propose(session, actor, changes, row, fields, publication, trusted)
    changed = _differs(row, fields)
    if changed:
        before = snapshot(row)
        row.sqlmodel_update(fields)
        mark_edited(row, actor.user)
        session.add(row)
        audit_content(session, actor, "update", row, before)
    if not changed:  # a retry of what is held (also of a rejected bulletin) asks nothing again
        return _result(row, publication, False)
    if publication.state != S.SUBMITTED:
        publications.resubmit(session, actor=actor, row=publication)
    if trusted:
        publications.approve_at_once(session, actor=actor, row=publication)
    session.commit()
    session.refresh(publication)
    changes.publish(Change(bulletins=frozenset({row.id})))
    return _result(row, publication, changed)


def _propose(
    session: Session, actor: Actor, changes: ChangeFeed, row: Bulletin, fields: dict[str, object],
    publication: Submission, trusted: bool,
) -> IntakeResult:
    """An approved bulletin: the change waits as an edit (approved at once for a trusted source)."""
    assert row.id is not None
    waiting = publications.pending_edit(session, row.id)
    held = {**publications.edit_fields(row), **(waiting.pending if waiting and waiting.pending else {})}
    if held == publications.jsonable(fields):
        return _result(row, waiting or publication, False)
    edit = publications.propose_edit(session, actor=actor, row=row, fields=fields)
    if trusted:
        publications.approve_at_once(session, actor=actor, row=edit)
    session.commit()
    session.refresh(edit)
    changes.publish(Change(bulletins=frozenset({row.id})))
    return _result(row, edit, True)


def _differs(row: Bulletin, fields: dict[str, object]) -> bool:
    """Whether what is sent differs from what is held, in the fields a source sends."""
    held = publications.edit_fields(row)
    return {name: held.get(name) for name in fields} != publications.jsonable(fields)


def _fields(data: IntakeBulletin) -> dict[str, object]:
    """The bulletin's fields as sent, instants in UTC (as stored, so a resend compares equal)."""
    return {name: _utc(getattr(data, name)) for name in FIELDS}


def _utc(value: object) -> object:
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def _result(row: Bulletin, submission: Submission, changed: bool) -> IntakeResult:
    assert row.id is not None and submission.id is not None
    return IntakeResult(bulletin_id=row.id, submission_id=submission.id, state=submission.state,
                        created=False, changed=changed)
