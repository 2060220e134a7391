"""Text bulletins: title and body (NFC at entry), Decree 49 category, Circular 39 priority."""

from __future__ import annotations

from fastapi import APIRouter

from signage_server.content import bulletins as service
from signage_server.schemas import BulletinCreate, BulletinPublic, BulletinUpdate
from signage_server.web.api.content.routes import add_content_routes

router = APIRouter(prefix="/bulletins", tags=["bulletins"])
add_content_routes(router, service, noun="bulletin", plural="bulletins", public=BulletinPublic,
                   create=BulletinCreate, update=BulletinUpdate)
