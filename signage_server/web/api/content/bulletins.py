"""Text bulletins: title and body (NFC at entry), Decree 49 category, Circular 39 priority; one
marked ``speak`` is recorded for reading aloud when it is written (``speech.*`` refusals)."""

from __future__ import annotations

from fastapi import APIRouter, status

from signage_server.content import bulletins as service
from signage_server.schemas import BulletinCreate, BulletinPublic, BulletinUpdate
from signage_server.web.api.content.routes import ALL_ROUTES, add_content_routes
from signage_server.web.deps import ChangesDep, EditorActor, SessionDep, SpeakerDep

router = APIRouter(prefix="/bulletins", tags=["bulletins"])


@router.post("", name="create_bulletin", response_model=BulletinPublic, status_code=status.HTTP_201_CREATED)
def create_bulletin(
    session: SessionDep, actor: EditorActor, changes: ChangesDep, speaker: SpeakerDep, body: BulletinCreate
) -> BulletinPublic:
    return service.create_bulletin(session, actor=actor, changes=changes, data=body, speaker=speaker)


@router.patch("/{bulletin_id}", name="update_bulletin", response_model=BulletinPublic)
def update_bulletin(
    session: SessionDep, actor: EditorActor, changes: ChangesDep, speaker: SpeakerDep, body: BulletinUpdate,
    bulletin_id: int,
) -> BulletinPublic:
    return service.update_bulletin(session, actor=actor, changes=changes, bulletin_id=bulletin_id, patch=body,
                                   speaker=speaker)


add_content_routes(router, service, noun="bulletin", plural="bulletins", public=BulletinPublic,
                   routes=[r for r in ALL_ROUTES if r not in ("create", "update")])
