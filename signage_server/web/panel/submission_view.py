"""A submission as an approver sees it: the text, a preview at each target board's size (drawn by
the player's renderer, every page), the files sent with it (images, clips, PDFs, each with its
size, length or pages), the targets in names with their board count, the window in local time,
the priority and the author. Shared by the queue and a submission's own page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from signage_contract import Category, Priority
from signage_contract.timezone import LOCAL_ZONE
from signage_server.content.publications import SubmissionPublic
from signage_server.core.auth import in_scope
from signage_server.models import (
    AdminUnit,
    Board,
    Bulletin,
    ItemKind,
    Media,
    MediaPage,
    PlaylistItem,
    SubmissionKind,
    User,
)
from signage_server.web.panel.preview import BulletinDraft, PreviewRenderer
from signage_server.web.panel.routes.publish import SizedPreview, previews_at_sizes

EXCERPT_CHARS = 280


@dataclass(frozen=True)
class Attachment:
    """A file sent with the submission, as the approver reads it."""

    media_id: int
    name: str
    kind: str  # "image", "video" or "pdf"
    width: int
    height: int
    seconds: int = 0  # a clip's length
    pages: int = 0  # a PDF's pages
    sound: bool = False  # a clip asking for its sound on boards whose sound is on


def attachments(session: Session, media_ids: list[int], playlist_id: int | None = None) -> list[Attachment]:
    found: list[Attachment] = []
    loud = {i.media_id for i in session.exec(select(PlaylistItem).where(
        PlaylistItem.playlist_id == playlist_id, PlaylistItem.kind == ItemKind.VIDEO))
        if i.options.get("muted") is False} if playlist_id is not None else set()
    for media_id in media_ids:
        media = session.get(Media, media_id)
        if media is None:
            continue
        kind = ("video" if media.content_type.startswith("video/")
                else "pdf" if media.content_type == "application/pdf" else "image")
        pages = len(session.exec(select(MediaPage.id).where(MediaPage.media_id == media_id)).all()) \
            if kind == "pdf" else 0
        found.append(Attachment(media_id, media.title or media.original_name, kind, media.width, media.height,
                                round(media.duration_s or 0), pages, media_id in loud))
    return found


@dataclass(frozen=True)
class SubmissionCard:
    submission: SubmissionPublic
    title: str
    body: str
    category: str
    priority: str
    excerpt: str
    unit_names: list[str]
    board_names: list[str]
    tags: list[str]
    board_count: int
    window_from: str
    window_until: str
    weekdays: list[int]
    hours: str
    previews: list[SizedPreview]
    media_ids: list[int]
    files: list[Attachment]

    @property
    def is_edit(self) -> bool:
        return self.submission.kind == SubmissionKind.EDIT


def _local(value: object) -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(str(value))
    return moment.astimezone(LOCAL_ZONE).strftime("%d/%m/%Y %H:%M")


def _schedule_window(pending: dict[str, Any]) -> dict[str, Any]:
    """A schedule's edit in the shape of a publication's window (its dates as local midnights)."""
    starts, ends = pending.get("start_date"), pending.get("end_date")
    return {"valid_from": f"{starts}T00:00:00+07:00" if starts else None,
            "valid_until": f"{ends}T23:59:00+07:00" if ends else None,
            "weekdays": pending.get("weekdays") or [], "daily_start": pending.get("daily_start"),
            "daily_end": pending.get("daily_end")}


def _text(session: Session, found: SubmissionPublic) -> dict[str, str]:
    """What the submission would put on air: the pending edit, else the bulletin as made."""
    bulletin = session.get(Bulletin, found.bulletin_id) if found.bulletin_id is not None else None
    base = {"title": found.title, "body": "", "category": Category.OTHER.value,
            "priority": Priority.NORMAL.value}
    if bulletin is not None:
        base = {"title": bulletin.title, "body": bulletin.body, "category": bulletin.category.value,
                "priority": bulletin.priority.value}
    return {**base, **{k: str(v) for k, v in (found.pending or {}).items() if k in base}}


def submission_card(session: Session, renderer: PreviewRenderer, found: SubmissionPublic, user: User,
                    *, every_size: bool = False) -> SubmissionCard:
    text = _text(session, found)
    boards = [b for b in session.exec(select(Board).where(col(Board.id).in_(found.board_ids)))
              if in_scope(session, user, b.unit_id)]
    units = [session.get(AdminUnit, u) for u in found.targets.get("unit_ids", [])]
    window = found.window or _schedule_window(found.pending or {})
    previews: list[SizedPreview] = []
    if found.bulletin_id is not None:
        draft = BulletinDraft(text["title"], text["body"], Category(text["category"]),
                              Priority(text["priority"]))
        previews = previews_at_sizes(renderer, draft, boards if every_size else boards[:1])
    hours = ""
    if window.get("daily_start") and window.get("daily_end"):
        hours = f"{str(window['daily_start'])[:5]}–{str(window['daily_end'])[:5]}"
    body = text["body"]
    return SubmissionCard(
        submission=found, title=text["title"], body=body, category=text["category"],
        priority=text["priority"],
        excerpt=body if len(body) <= EXCERPT_CHARS else body[:EXCERPT_CHARS].rsplit(" ", 1)[0] + " …",
        unit_names=[u.name for u in units if u is not None],
        board_names=[b.name for b in boards if b.id in set(found.targets.get("board_ids", []))],
        tags=list(found.targets.get("tags", [])), board_count=len(boards),
        window_from=_local(window.get("valid_from")), window_until=_local(window.get("valid_until")),
        weekdays=list(window.get("weekdays") or []), hours=hours, previews=previews,
        media_ids=list(found.media_ids), files=attachments(session, list(found.media_ids), found.playlist_id))
