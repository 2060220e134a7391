"""Text bulletins: title and body (NFC at entry), Decree 49 category, Circular 39 priority."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from sqlmodel import col, select

from signage_server.content.workflow import (
    audit_content,
    change_state_of,
    get_owned,
    mark_edited,
    owner_unit,
    publish,
)
from signage_server.core.audit import snapshot
from signage_server.core.auth import scope_unit_ids
from signage_server.core.changes import ChangesDep
from signage_server.models import Bulletin, ContentState, PlaylistItem
from signage_server.schemas import (
    BulletinBase,
    BulletinCreate,
    BulletinPublic,
    BulletinUpdate,
    StateChange,
    revalidate,
)
from signage_server.web.deps import CurrentUser, EditorUser, SessionDep

router = APIRouter(prefix="/bulletins", tags=["bulletins"])


def _public(row: Bulletin) -> BulletinPublic:
    return BulletinPublic.model_validate(row, from_attributes=True)


@router.get("", response_model=list[BulletinPublic])
def list_bulletins(
    session: SessionDep, user: CurrentUser, state: ContentState | None = None
) -> list[BulletinPublic]:
    query = select(Bulletin).where(col(Bulletin.unit_id).in_(scope_unit_ids(session, user)))
    if state is not None:
        query = query.where(Bulletin.state == state)
    return [_public(r) for r in session.exec(query.order_by(col(Bulletin.id))).all()]


@router.post("", response_model=BulletinPublic, status_code=status.HTTP_201_CREATED)
def create_bulletin(
    request: Request, session: SessionDep, user: EditorUser, changes: ChangesDep, body: BulletinCreate
) -> BulletinPublic:
    row = Bulletin.model_validate(
        body, update={"unit_id": owner_unit(session, user, body.unit_id), "created_by": user.id}
    )
    session.add(row)
    audit_content(session, request, user, "create", row, None)
    session.commit()
    session.refresh(row)
    assert row.id is not None
    publish(changes, bulletins={row.id})
    return _public(row)


@router.get("/{bulletin_id}", response_model=BulletinPublic)
def get_bulletin(session: SessionDep, user: CurrentUser, bulletin_id: int) -> BulletinPublic:
    return _public(get_owned(session, Bulletin, bulletin_id, user, "bulletin"))


@router.patch("/{bulletin_id}", response_model=BulletinPublic)
def update_bulletin(
    request: Request, session: SessionDep,
    user: EditorUser, changes: ChangesDep, bulletin_id: int, body: BulletinUpdate
) -> BulletinPublic:
    row = get_owned(session, Bulletin, bulletin_id, user, "bulletin")
    before = snapshot(row)
    patch = body.model_dump(exclude_unset=True)
    merged = revalidate(BulletinBase, {**row.model_dump(include=set(BulletinBase.model_fields)), **patch})
    row.sqlmodel_update(merged.model_dump(include=set(patch)))
    mark_edited(row, user)
    session.add(row)
    audit_content(session, request, user, "update", row, before)
    session.commit()
    session.refresh(row)
    publish(changes, bulletins={bulletin_id})
    return _public(row)


@router.delete("/{bulletin_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_bulletin(
    request: Request, session: SessionDep, user: EditorUser, changes: ChangesDep, bulletin_id: int
) -> None:
    row = get_owned(session, Bulletin, bulletin_id, user, "bulletin")
    used = session.exec(select(PlaylistItem.playlist_id).where(PlaylistItem.bulletin_id == bulletin_id)).all()
    if used:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            f"playlists {sorted(set(used))} show this bulletin; remove it from them first")
    before = snapshot(row)
    session.delete(row)
    audit_content(session, request, user, "delete", row, before)
    session.commit()
    publish(changes, bulletins={bulletin_id})


@router.post("/{bulletin_id}/state", response_model=BulletinPublic)
def change_state(
    request: Request, session: SessionDep,
    user: CurrentUser, changes: ChangesDep, bulletin_id: int, body: StateChange
) -> BulletinPublic:
    row = change_state_of(request, session, user, Bulletin, bulletin_id, "bulletin", body)
    publish(changes, bulletins={bulletin_id})
    return _public(row)
