"""Emergency overrides (operators and admins): issue in two steps (create shows the boards it would
take over, confirm pushes it), per-board delivery status polled by htmx, cancel, active list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import col, select

from signage_contract import RISK_COLORS
from signage_server.core import roles
from signage_server.core.audit import client_ip
from signage_server.core.auth import scope_unit_ids
from signage_server.core.errors import DomainError, Invalid
from signage_server.emergency import overrides
from signage_server.emergency.delivery import Delivery
from signage_server.emergency.schemas import OverrideCreate, OverrideStatusPublic, OverrideTargetIn
from signage_server.models import Board, OverrideState, User, utcnow
from signage_server.web.deps import HubDep, OverrideDeliveryDep, SessionDep, SettingsDep
from signage_server.web.panel.labels import N_
from signage_server.web.panel.pages import Pages, error_text, see_other
from signage_server.web.panel.routes.common import PagesDep, units_in_scope
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/emergency")
EXPIRY_HOURS = (1, 3, 6, 12, 24, 48, 72)
# Decision 18/2021/QĐ-TTg: the five risk levels by colour.
RISK_NAMES = {1: N_("Light blue"), 2: N_("Light yellow"), 3: N_("Orange"), 4: N_("Red"), 5: N_("Purple")}
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


def _operator(who: PanelUser) -> User:
    if who.role not in roles.OPERATORS:
        raise HTTPException(403, N_("the emergency page is for operators and admins"))
    return who.user


def _refusal(exc: DomainError | ValidationError) -> str:
    """What the page says about a refused action (translated when the page renders)."""
    return error_text(exc)


def _boards_in_scope(session: SessionDep, user: User) -> list[Board]:
    ids = scope_unit_ids(session, user)
    query = select(Board).where(col(Board.unit_id).in_(ids)).order_by(col(Board.name))
    return list(session.exec(query).all())


def _page(request: Request, session: SessionDep, who: PanelUser, view: Pages, delivery: Delivery,
          error: str = "", status_code: int = 200) -> Response:
    user = _operator(who)
    active = [o for o in overrides.list_visible(session, user=user, state=None, delivery=delivery)
              if o.state in (OverrideState.ACTIVE, OverrideState.PENDING_CONFIRMATION)]
    return view.render(request, "emergency.html", who, rows=active, units=units_in_scope(session, user),
                       boards=_boards_in_scope(session, user), risks=RISK_COLORS, risk_names=RISK_NAMES,
                       hours=EXPIRY_HOURS, error=error, status_code=status_code)


def _target(mode: str, unit_ids: list[int], board_ids: list[int], tags: str) -> OverrideTargetIn:
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
           settings: SettingsDep, delivery: OverrideDeliveryDep, title: Annotated[str, Form()],
           target: Annotated[str, Form()], risk_level: Annotated[int, Form()],
           expiry_hours: Annotated[int, Form()], body: Annotated[str, Form()] = "",
           unit_ids: Annotated[list[int] | None, Form()] = None,
           board_ids: Annotated[list[int] | None, Form()] = None,
           tags: Annotated[str, Form()] = "") -> Response:
    user = _operator(who)
    if expiry_hours not in EXPIRY_HOURS:
        refusal = f"expiry must be one of {EXPIRY_HOURS} hours"
        return _page(request, session, who, view, delivery, refusal, 422)
    try:
        made = overrides.create(session, user=user, ip=client_ip(request), body=OverrideCreate(
            title=title, body=body, risk_level=risk_level,
            target=_target(target, unit_ids or [], board_ids or [], tags),
            expires_at=utcnow() + timedelta(hours=expiry_hours)), max_hours=settings.override_max_hours)
    except (DomainError, ValidationError) as exc:
        return _page(request, session, who, view, delivery, _refusal(exc), 422)
    return view.render(request, "emergency_confirm.html", who, o=made, risk_names=RISK_NAMES,
                       fore=text_colour(made.color))


OverrideAction = Callable[..., object]  # overrides.confirm or overrides.cancel


def _act(request: Request, session: SessionDep, who: PanelUser, view: PagesDep, delivery: Delivery,
         action: OverrideAction, override_id: int, then: str) -> Response:
    """Confirm or cancel; a refusal shows the list with the API's message."""
    try:
        action(session, user=_operator(who), ip=client_ip(request), override_id=override_id,
               delivery=delivery)
    except DomainError as exc:
        return _page(request, session, who, view, delivery, _refusal(exc), 422)
    return see_other(then)


@router.post("/{override_id}/confirm")
def confirm(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
            delivery: OverrideDeliveryDep, override_id: int) -> Response:
    return _act(request, session, who, view, delivery, overrides.confirm, override_id,
                f"/panel/emergency/{override_id}")


@router.post("/{override_id}/cancel")
def cancel(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           delivery: OverrideDeliveryDep, override_id: int) -> Response:
    return _act(request, session, who, view, delivery, overrides.cancel, override_id, "/panel/emergency")


def _status(session: SessionDep, user: User, override_id: int, settings: SettingsDep, hub: HubDep,
            delivery: Delivery) -> OverrideStatusPublic:
    return overrides.board_status(session, user=user, override_id=override_id,
                                  connected=hub.connected_boards(), poll_interval_s=settings.poll_interval_s,
                                  delivery=delivery)


@router.get("/{override_id}")
def detail(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
           settings: SettingsDep, hub: HubDep, delivery: OverrideDeliveryDep, override_id: int) -> Response:
    user = _operator(who)
    row = overrides.get(session, user=user, override_id=override_id, delivery=delivery)
    status = _status(session, user, override_id, settings, hub, delivery)
    return view.render(request, "emergency_detail.html", who, o=row, status=status, risk_names=RISK_NAMES)


@router.get("/{override_id}/status")
def status_fragment(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
                    settings: SettingsDep, hub: HubDep, delivery: OverrideDeliveryDep,
                    override_id: int) -> Response:
    """Polled every 2 s by the detail page (htmx), so the counts follow the boards' receipts."""
    status = _status(session, _operator(who), override_id, settings, hub, delivery)
    return view.render(request, "emergency_status.html", who, status=status)
