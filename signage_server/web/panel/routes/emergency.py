"""Emergency overrides (operators and admins): the list (active first, then drafts waiting for their
confirmation), a new override in two steps (create shows the boards it would take over, confirm
pushes it; a draft can be confirmed later from the list), and the history of past ones. One
override's own page (status, edit, extend, cancel) is ``emergency_override.py``."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import col, select

from signage_contract import RISK_COLORS, Category
from signage_server.content.media_store import MediaRejected
from signage_server.core import roles
from signage_server.core.audit import client_ip
from signage_server.core.auth import scope_unit_ids
from signage_server.core.errors import DomainError, Invalid
from signage_server.emergency import history, images, overrides
from signage_server.emergency.delivery import Delivery
from signage_server.emergency.schemas import OverrideCreate, OverrideTargetIn
from signage_server.models import AdminUnit, Board, OverrideState, User, utcnow
from signage_server.web.deps import MediaStoreDep, OverrideDeliveryDep, SessionDep, SettingsDep, SpeakerDep
from signage_server.web.panel.labels import N_, RISK_MEANINGS
from signage_server.web.panel.pages import Pages, error_text
from signage_server.web.panel.routes.common import PagesDep, local_time, units_in_scope
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser
from signage_server.web.panel.takeover_view import takeover

router = APIRouter(prefix="/emergency")
EXPIRY_HOURS = (1, 3, 6, 12, 24, 48, 72)
RISK_NAMES = RISK_MEANINGS  # Decision 18/2021/QĐ-TTg levels; templates say them with macros.risk_words
TARGET_MODES = ("all", "units", "boards", "tags")
STATE_WORDS = (N_("pending_confirmation"), N_("active"), N_("cancelled"), N_("expired"),
               N_("displayed"), N_("delivered"), N_("pending"), N_("unreachable"))


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a ``#rrggbb`` colour."""
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(colour[i:i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fore: str, back: str) -> float:
    high, low = sorted((_luminance(fore), _luminance(back)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_colour(back: str) -> str:
    """Near-black or white, whichever reads better on the risk colour (both checked against AA)."""
    return max(("#111111", "#ffffff"), key=lambda fore: contrast(fore, back))


def operator_of(who: PanelUser) -> User:
    if who.role not in roles.OPERATORS:
        raise HTTPException(403, N_("the emergency page is for operators and admins"))
    return who.user


def refusal(exc: DomainError | ValidationError) -> str:
    """What the page says about a refused action (said in the reader's language when the page
    renders it: ``pages.Refusal``)."""
    return error_text(exc)


def _boards_in_scope(session: SessionDep, user: User) -> list[Board]:
    ids = scope_unit_ids(session, user)
    query = select(Board).where(col(Board.unit_id).in_(ids)).order_by(col(Board.name))
    return list(session.exec(query).all())


def board_counts(units: dict[int, AdminUnit], boards: list[Board]) -> dict[int, int]:
    """Boards each unit reaches: its own and those of every unit below it (within ``units``)."""
    counts: Counter[int] = Counter()
    for board in boards:
        unit_id: int | None = board.unit_id
        while unit_id is not None and unit_id in units:
            counts[unit_id] += 1
            unit_id = units[unit_id].parent_id
    return {unit_id: counts[unit_id] for unit_id in units}


def _page(request: Request, session: SessionDep, who: PanelUser, view: Pages, delivery: Delivery,
          error: str = "", status_code: int = 200) -> Response:
    user = operator_of(who)
    rows = overrides.list_visible(session, user=user, state=None, delivery=delivery)
    units, boards = units_in_scope(session, user), _boards_in_scope(session, user)
    return view.render(
        request, "emergency.html", who, error=error, status_code=status_code,
        active=[o for o in rows if o.state is OverrideState.ACTIVE],
        drafts=[o for o in rows if o.state is OverrideState.PENDING_CONFIRMATION],
        expires={o.id: local_time(o.expires_at) for o in rows}, units=units, boards=boards,
        counts=board_counts(units, boards), risks=RISK_COLORS, risk_names=RISK_NAMES, hours=EXPIRY_HOURS)


def _target(mode: str, unit_ids: list[int], board_ids: list[int], tags: str) -> OverrideTargetIn:
    """Only what the operator chose: there is no default target."""
    if not mode:
        raise Invalid("override.no_target", "target: choose the boards, units, tags or all boards")
    if mode not in TARGET_MODES:
        raise Invalid("override.unknown_target", f"unknown target {mode!r}", mode=mode)
    return OverrideTargetIn(
        all=mode == "all", unit_ids=unit_ids if mode == "units" else [],
        board_ids=board_ids if mode == "boards" else [],
        tags=[t.strip() for t in tags.split(",") if t.strip()] if mode == "tags" else [])


@router.get("")
def emergency_list(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
                   delivery: OverrideDeliveryDep) -> Response:
    return _page(request, session, who, view, delivery)


@router.post("")
def create(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           settings: SettingsDep, delivery: OverrideDeliveryDep, store: MediaStoreDep,
           speaker: SpeakerDep, title: Annotated[str, Form()], risk_level: Annotated[int, Form()],
           expiry_hours: Annotated[int, Form()], target: Annotated[str, Form()] = "",
           body: Annotated[str, Form()] = "", unit_ids: Annotated[list[int] | None, Form()] = None,
           board_ids: Annotated[list[int] | None, Form()] = None, tags: Annotated[str, Form()] = "",
           image: Annotated[UploadFile | None, File()] = None,
           speak: Annotated[bool, Form()] = False) -> Response:
    user = operator_of(who)
    if expiry_hours not in EXPIRY_HOURS:
        wrong = f"expiry must be one of {EXPIRY_HOURS} hours"
        return _page(request, session, who, view, delivery, wrong, 422)
    ip = client_ip(request)
    try:
        chosen = _target(target, unit_ids or [], board_ids or [], tags)
        media_id = None
        if image is not None and image.filename:
            media_id = images.attach(session, user=user, ip=ip, store=store, title=title,
                                     category=Category.INCIDENTS, image=images.EmergencyImage(
                                         image.file, image.filename, image.content_type))
        made = overrides.create(session, user=user, ip=ip, body=OverrideCreate(
            title=title, body=body, risk_level=risk_level, target=chosen, media_id=media_id,
            expires_at=utcnow() + timedelta(hours=expiry_hours), speak=speak),
            max_hours=settings.override_max_hours, speaker=speaker)
    except MediaRejected as exc:
        session.rollback()
        return _page(request, session, who, view, delivery, exc.message, 422)
    except (DomainError, ValidationError) as exc:
        session.rollback()
        return _page(request, session, who, view, delivery, refusal(exc), 422)
    return view.render(request, "emergency_confirm.html", who, o=made, risk_names=RISK_NAMES,
                       takeover=takeover(session, made.boards), fore=text_colour(made.color))


@router.get("/history")
def past(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
         delivery: OverrideDeliveryDep, page: int = 1) -> Response:
    found = history.past(session, user=operator_of(who), page=page, delivery=delivery)
    return view.render(request, "emergency_history.html", who, history=found, risk_names=RISK_NAMES,
                       local=local_time)
