"""The "Đăng tin" page: write a bulletin or pick images, clips or PDF documents, choose where (a
searchable tree of units, boards and tags with the number of boards each reaches) and when, see it
at every target board's size, and send it once: ``content/publications.create_publication`` makes
the bulletin, playlist and schedules together as one submission. A refused form comes back with
everything typed kept."""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

from signage_contract import Category, Priority
from signage_contract.timezone import LOCAL_ZONE
from signage_server.content import media as media_service
from signage_server.content import publications as service
from signage_server.content.media_store import MediaRejected, MediaStore
from signage_server.content.publications import PublicationCreate, Targets, Window
from signage_server.content.workflow import Actor
from signage_server.core import roles
from signage_server.core.auth import scope_unit_ids
from signage_server.core.changes import ChangeFeed
from signage_server.core.errors import DomainError
from signage_server.models import AdminUnit, Board, ContentState, User, utcnow
from signage_server.web.deps import ChangesDep, ClientIpDep, MediaStoreDep, SessionDep
from signage_server.web.panel.pages import Pages, Translator, see_other
from signage_server.web.panel.preview import BulletinDraft, PreviewFailed, PreviewRenderer
from signage_server.web.panel.routes.common import PagesDep, PreviewsDep, draft_text, units_in_scope
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/publish")
DEFAULT_SIZE = (384, 192)  # a small commune LED board, when no target is chosen yet
MAX_PREVIEW_SIZES = 6  # distinct board sizes drawn per preview (each is one renderer run)
Text = Annotated[str, Form()]
Ids = Annotated[list[int], Form()]
Words = Annotated[list[str], Form()]


# --- where: the tree of units, boards and tags ----------------------------------------------------


@dataclass
class UnitNode:
    unit: AdminUnit
    boards: list[Board] = field(default_factory=list)
    children: list[UnitNode] = field(default_factory=list)
    reach: int = 0  # boards in this unit and below


@dataclass(frozen=True)
class Reach:
    """Everything the editor may target, as a tree, with board counts."""

    roots: list[UnitNode]
    tags: list[tuple[str, int]]
    boards: dict[int, Board]


def boards_in_scope(session: Session, user: User) -> dict[int, Board]:
    ids = scope_unit_ids(session, user)
    rows = session.exec(select(Board).where(col(Board.unit_id).in_(ids)).order_by(col(Board.name)))
    return {b.id: b for b in rows if b.id is not None}


def reach_of(session: Session, user: User) -> Reach:
    units = units_in_scope(session, user)
    boards = boards_in_scope(session, user)
    nodes = {uid: UnitNode(unit) for uid, unit in units.items()}
    for board in boards.values():
        if board.unit_id in nodes:
            nodes[board.unit_id].boards.append(board)
    roots: list[UnitNode] = []
    for node in nodes.values():
        parent = nodes.get(node.unit.parent_id or -1)
        (parent.children if parent is not None else roots).append(node)
    for root in roots:
        _count(root)
    tags = Counter(tag for b in boards.values() for tag in set(b.tags or ()))
    return Reach(roots=roots, tags=sorted(tags.items()), boards=boards)


def _count(node: UnitNode) -> int:
    node.reach = len(node.boards) + sum(_count(child) for child in node.children)
    return node.reach


# --- the form ---------------------------------------------------------------------------------


@dataclass
class Draft:
    """What the editor typed, as typed (shown again on a refusal)."""

    title: str = ""
    body: str = ""
    category: str = Category.OTHER.value
    priority: str = Priority.NORMAL.value
    media_ids: list[int] = field(default_factory=list)
    board_ids: list[int] = field(default_factory=list)
    unit_ids: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    valid_from: str = ""
    valid_until: str = ""
    weekdays: list[int] = field(default_factory=list)
    daily_start: str = ""
    daily_end: str = ""
    clip_sound: bool = False


class FormRefused(Exception):
    """A field could not be read (a date or hour); the message is already in the reader's language."""


def _local(value: str, _: Translator, label: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=LOCAL_ZONE)
    except ValueError as exc:
        raise FormRefused(_("%(field)s: not a date and time.", field=label)) from exc


def _hour(value: str, _: Translator, label: str) -> time | None:
    if not value:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError as exc:
        raise FormRefused(_("%(field)s: not an hour.", field=label)) from exc


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def to_request(draft: Draft, _: Translator) -> PublicationCreate:
    """The API's input from the form (raises ``ValidationError`` or ``FormRefused``)."""
    window = Window(
        valid_from=_local(draft.valid_from, _, _("From")),
        valid_until=_local(draft.valid_until, _, _("Until")),
        weekdays=draft.weekdays, daily_start=_hour(draft.daily_start, _, _("From hour")),
        daily_end=_hour(draft.daily_end, _, _("Until hour")))
    targets = Targets(board_ids=draft.board_ids, unit_ids=draft.unit_ids, tags=draft.tags)
    return PublicationCreate(title=draft.title, body=draft.body, category=Category(draft.category),
                             priority=Priority(draft.priority), media_ids=draft.media_ids, targets=targets,
                             window=window, clip_sound=draft.clip_sound)


def refusal(exc: Exception, _: Translator) -> str:
    """A refusal in the reader's language, naming the part of the form to fix."""
    if isinstance(exc, FormRefused):
        return str(exc)
    if isinstance(exc, ValidationError):
        return " ".join(dict.fromkeys(_field_advice(error, _) for error in exc.errors()))
    if isinstance(exc, DomainError):
        advice = {
            "publication.invalid_reference": _("Something you chose is no longer available to you; "
                                                "choose the boards, units and images again."),
            "content.role_needed": _("Publishing needs the editor or admin role."),
        }
        return advice.get(exc.code, _("The submission was refused: %(reason)s", reason=exc.message))
    return _("The submission was refused: %(reason)s", reason=str(exc))


def _field_advice(error: Any, _: Translator) -> str:
    place = [str(p) for p in error.get("loc", ())]
    message = str(error.get("msg", ""))
    if "targets" in place or "choose at least one board" in message:
        return _("Where: choose at least one board, unit or tag.")
    if "title" in place or message.startswith("Value error, title"):
        return _("Title: write a title for the bulletin, or choose an image.")
    if "body" in place:
        return _("Text: at most 20,000 characters.")
    if "valid_until must be after" in message:
        return _("When: the end must come after the start.")
    if "daily_start" in message:
        return _("When: give both hours (from and until), or neither for all day.")
    return _("Check the form: %(detail)s", detail=message)


def _default_draft() -> Draft:
    now = utcnow().astimezone(LOCAL_ZONE).replace(second=0, microsecond=0, tzinfo=None)
    return Draft(valid_from=now.isoformat(timespec="minutes"))


def _render(request: Request, session: Session, who: PanelUser, view: Pages, draft: Draft,
            error: str = "", message: str = "", status_code: int = 200) -> Response:
    images = [m for m in media_service.library(session, user=who.user, category=None)
              if m.state not in (ContentState.REJECTED,)]
    mine = service.list_submissions(session, user=who.user, mine=True)[:10]
    return view.render(request, "publish.html", who, draft=draft, reach=reach_of(session, who.user),
                       images=images, categories=list(Category), priorities=list(Priority),
                       mine=mine, error=error, message=message, status_code=status_code,
                       can_edit=who.role in roles.EDITORS)


@router.get("")
def publish_page(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
                 sent: int | None = None) -> Response:
    _ = view.translator(request)
    message = _("Sent for approval. You will see the decision here and on the overview.") if sent else ""
    return _render(request, session, who, view, _default_draft(), message=message)


def _draft(title: str, body: str, category: str, priority: str, media_ids: list[int], board_ids: list[int],
           unit_ids: list[int], tags: list[str], valid_from: str, valid_until: str, weekdays: list[int],
           daily_start: str, daily_end: str, clip_sound: bool = False) -> Draft:
    return Draft(title=_nfc(title), body=unicodedata.normalize("NFC", body), category=category,
                 priority=priority, media_ids=media_ids, board_ids=board_ids, unit_ids=unit_ids,
                 tags=[_nfc(t) for t in tags], valid_from=valid_from, valid_until=valid_until,
                 weekdays=weekdays, daily_start=daily_start, daily_end=daily_end, clip_sound=clip_sound)


def upload_images(session: Session, *, actor: Actor, changes: ChangeFeed, store: MediaStore,
                  files: list[UploadFile], category: Category) -> list[int]:
    """Store the files sent with the form (the media library's own checks: images, clips probed
    against what boards play, PDFs rendered to pages); their ids. A clip becomes a video item and a
    PDF a document item of the publication (content/publications.py)."""
    made: list[int] = []
    for file in files:
        if not file.filename:
            continue  # the file field left empty
        upload = media_service.Upload(file.file, file.filename, file.content_type,
                                      PurePath(file.filename).stem[:200], category)
        done = media_service.upload_media(session, actor=actor, changes=changes, store=store, upload=upload)
        made.append(done.media.id)
    return made


@router.post("")
def send(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep, changes: ChangesDep,
         ip: ClientIpDep, store: MediaStoreDep, title: Text = "", body: Text = "",
         category: Text = Category.OTHER.value, priority: Text = Priority.NORMAL.value,
         media_ids: Ids = [], board_ids: Ids = [], unit_ids: Ids = [], tags: Words = [],  # noqa: B006
         valid_from: Text = "", valid_until: Text = "", weekdays: Ids = [],  # noqa: B006
         daily_start: Text = "", daily_end: Text = "", clip_sound: Text = "",
         files: Annotated[list[UploadFile], File()] = []) -> Response:  # noqa: B006
    """Send the publication (storing the files sent with it first); on a refusal the page comes
    back, 422, with the form as typed and the files stored so far chosen."""
    draft = _draft(title, body, category, priority, media_ids, board_ids, unit_ids, tags, valid_from,
                   valid_until, weekdays, daily_start, daily_end, clip_sound=clip_sound == "on")
    _ = view.translator(request)
    actor = Actor(who.user, ip)
    try:
        chosen = Category(category) if category in set(Category) else Category.OTHER
        uploaded = upload_images(session, actor=actor, changes=changes, store=store, files=files,
                                 category=chosen)
        draft.media_ids = [*draft.media_ids, *uploaded]
    except MediaRejected as exc:
        session.rollback()
        message = _("The file was refused: %(reason)s", reason=exc.message)
        return _render(request, session, who, view, draft, error=message, status_code=422)
    try:
        data = to_request(draft, _)
        made = service.create_publication(session, actor=actor, changes=changes, data=data)
    except (ValidationError, DomainError, FormRefused, ValueError) as exc:
        session.rollback()
        return _render(request, session, who, view, draft, error=refusal(exc, _), status_code=422)
    return see_other(f"/panel/publish?sent={made.id}")


@router.post("/preview")
def preview(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
            renderer: PreviewsDep, title: Text = "", body: Text = "", category: Text = Category.OTHER.value,
            priority: Text = Priority.NORMAL.value, board_ids: Ids = [], unit_ids: Ids = [],  # noqa: B006
            tags: Words = [], media_ids: Ids = []) -> Response:  # noqa: B006
    """An htmx fragment: the bulletin drawn by the player at each chosen board's size, every page."""
    reached = service.boards_reached(session, owner_unit_id=who.user.unit_id,
                                     targets={"board_ids": board_ids, "unit_ids": unit_ids, "tags": tags})
    visible = boards_in_scope(session, who.user)
    boards = [visible[b] for b in reached if b in visible]
    texts, error = draft_text(title, body)
    if texts is None:  # pasted in TCVN3 or VNI and not convertible with confidence: say why
        return view.render(request, "publish_preview.html", who, shown=[], reached=len(boards),
                           media_ids=media_ids, error=error, converted=[])
    try:
        draft = BulletinDraft(texts.title, texts.body, Category(category), Priority(priority))
    except ValueError:
        draft = BulletinDraft(texts.title, texts.body, Category.OTHER, Priority.NORMAL)
    shown = previews_at_sizes(renderer, draft, boards) if draft.title else []
    return view.render(request, "publish_preview.html", who, shown=shown, reached=len(boards),
                       media_ids=media_ids, error="", converted=texts.converted)


@dataclass(frozen=True)
class SizedPreview:
    width: int
    height: int
    boards: list[str]
    keys: list[str]
    error: str = ""


def previews_at_sizes(
    renderer: PreviewRenderer, draft: BulletinDraft, boards: list[Board]
) -> list[SizedPreview]:
    """The draft drawn once per distinct board size (the default small LED board when none)."""
    sizes: dict[tuple[int, int], list[str]] = {}
    for board in boards:
        sizes.setdefault((board.width, board.height), []).append(board.name)
    if not sizes:
        sizes[DEFAULT_SIZE] = []
    shown: list[SizedPreview] = []
    for (width, height), names in list(sizes.items())[:MAX_PREVIEW_SIZES]:
        try:
            key = renderer.render(draft, width, height)
        except PreviewFailed as exc:
            shown.append(SizedPreview(width, height, names, [], str(exc)))
            continue
        shown.append(SizedPreview(width, height, names, renderer.page_keys(key)))
    return shown

