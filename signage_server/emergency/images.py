"""An image shown with an emergency's text: checked and stored like every upload
(``MediaStore.ingest``: type sniffed, decoded, size and pixels bounded, content-addressed), filed as
a media record of the operator's unit, and audited.

Operators are not editors, yet an emergency goes out without an approver (Decision 18 warnings
cannot wait), so its image does too: the record is left a draft in the library, where an editor
may reuse it only through the usual approval. The record is flushed, not committed, so that it
joins the override's transaction: a refused override leaves no record behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from sqlmodel import Session, select

from signage_contract import Category, nfc
from signage_server.content.media_store import MediaStore
from signage_server.core import audit, roles
from signage_server.core.errors import Forbidden, Invalid
from signage_server.models import Media, User

TITLE_MAX = 200


@dataclass(frozen=True)
class EmergencyImage:
    """An uploaded file as the client sent it."""

    source: BinaryIO
    filename: str
    declared_type: str | None


def attach(session: Session, *, user: User, ip: str, store: MediaStore, image: EmergencyImage, title: str,
           category: Category) -> int:
    """The media id of the checked image (the unit's existing record when it already has these bytes).
    Raises ``MediaRejected`` for a file that is not a usable image."""
    if user.role not in roles.OPERATORS:
        raise Forbidden("override.operators_only",
                        f"this needs one of the roles: {roles.describe(roles.OPERATORS)}")
    if user.unit_id is None:
        raise Invalid("override.image_needs_unit", "an image is filed under the issuer's unit; you have none")
    stored = store.ingest(image.source, image.filename, image.declared_type)
    existing = session.exec(select(Media).where(Media.unit_id == user.unit_id,
                                                Media.sha256 == stored.sha256)).first()
    if existing is not None and existing.id is not None:
        return existing.id
    row = Media(unit_id=user.unit_id, created_by=user.id, sha256=stored.sha256, size=stored.size,
                content_type=stored.content_type, width=stored.width, height=stored.height,
                original_name=stored.safe_name, title=nfc(title).strip()[:TITLE_MAX], category=category)
    session.add(row)
    session.flush()
    assert row.id is not None
    audit.record_as(session, user, ip, "create", "media", row.id, unit_id=row.unit_id,
                    after=audit.snapshot(row))
    return row.id
