"""One emergency override's page: a draft's confirmation (from the list, at any time before it
expires), the per-board delivery status of a confirmed one (polled by htmx), editing its text and
level, extending its expiry, and cancelling it after a confirmation step. Every change goes through
``emergency/overrides`` (audited, pushed again to the boards of an active override)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from signage_server.core.audit import client_ip
from signage_server.core.errors import DomainError, Invalid
from signage_server.emergency import overrides
from signage_server.emergency.delivery import Delivery
from signage_server.emergency.schemas import OverrideStatusPublic, OverrideUpdate
from signage_server.models import User
from signage_server.web.deps import HubDep, OverrideDeliveryDep, SessionDep, SettingsDep
from signage_server.web.panel.labels import N_
from signage_server.web.panel.pages import Pages, see_other
from signage_server.web.panel.routes.common import PagesDep, local_time
from signage_server.web.panel.routes.emergency import RISK_NAMES, operator_of, refusal
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser
from signage_server.web.panel.takeover_view import status_rows, takeover

router = APIRouter(prefix="/emergency")
EXTEND_HOURS = (1, 3, 6, 12, 24)
NOTICES = {"confirmed": N_("Confirmed: the boards are taking the emergency now."),
           "edited": N_("Saved: the boards show the new text."),
           "extended": N_("Extended: the boards keep the emergency until the new time.")}


def _status(session: SessionDep, user: User, override_id: int, settings: SettingsDep, hub: HubDep,
            delivery: Delivery) -> OverrideStatusPublic:
    return overrides.board_status(session, user=user, override_id=override_id,
                                  connected=hub.connected_boards(), poll_interval_s=settings.poll_interval_s,
                                  delivery=delivery)


def _detail(request: Request, session: SessionDep, who: PanelUser, view: Pages, settings: SettingsDep,
            hub: HubDep, delivery: Delivery, override_id: int, error: str = "", notice: str = "") -> Response:
    user = operator_of(who)
    row = overrides.get_with_boards(session, user=user, override_id=override_id, delivery=delivery)
    status = _status(session, user, override_id, settings, hub, delivery)
    return view.render(request, "emergency_detail.html", who, o=row, status=status, rows=status_rows(status),
                       takeover=takeover(session, row.boards), risk_names=RISK_NAMES,
                       expires=local_time(row.expires_at), extend_hours=EXTEND_HOURS, error=error,
                       local=local_time,
                       message=view.translator(request)(NOTICES[notice]) if notice in NOTICES else "",
                       status_code=422 if error else 200)


@router.get("/{override_id}")
def detail(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
           settings: SettingsDep, hub: HubDep, delivery: OverrideDeliveryDep, override_id: int,
           done: str = "") -> Response:
    return _detail(request, session, who, view, settings, hub, delivery, override_id, notice=done)


@router.get("/{override_id}/status")
def status_fragment(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
                    settings: SettingsDep, hub: HubDep, delivery: OverrideDeliveryDep,
                    override_id: int) -> Response:
    """Polled every 2 s by the detail page (htmx), so the counts follow the boards' receipts."""
    status = _status(session, operator_of(who), override_id, settings, hub, delivery)
    return view.render(request, "emergency_status.html", who, status=status, rows=status_rows(status),
                       local=local_time)


Change = Callable[[User, str], object]


def _change(request: Request, session: SessionDep, who: PanelUser, view: Pages, settings: SettingsDep,
            hub: HubDep, delivery: Delivery, override_id: int, change: Change, done: str) -> Response:
    """Run one change; a refusal shows the override's page with the API's message."""
    try:
        change(operator_of(who), client_ip(request))
    except (DomainError, ValidationError) as exc:
        session.rollback()
        return _detail(request, session, who, view, settings, hub, delivery, override_id, error=refusal(exc))
    return see_other(f"/panel/emergency/{override_id}" + (f"?done={done}" if done else ""))


@router.post("/{override_id}/confirm")
def confirm(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
            settings: SettingsDep, hub: HubDep, delivery: OverrideDeliveryDep, override_id: int) -> Response:
    return _change(request, session, who, view, settings, hub, delivery, override_id, lambda user, ip:
                   overrides.confirm(session, user=user, ip=ip, override_id=override_id, delivery=delivery),
                   "confirmed")


@router.post("/{override_id}/edit")
def edit(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep, settings: SettingsDep,
         hub: HubDep, delivery: OverrideDeliveryDep, override_id: int, title: Annotated[str, Form()],
         risk_level: Annotated[int, Form()], body: Annotated[str, Form()] = "") -> Response:
    """The text and the level; the boards of an active override are sent the new version."""
    def change(user: User, ip: str) -> object:
        patch = OverrideUpdate(title=title, body=body, risk_level=risk_level)
        return overrides.update(session, user=user, ip=ip, override_id=override_id, patch=patch,
                                max_hours=settings.override_max_hours, delivery=delivery)
    return _change(request, session, who, view, settings, hub, delivery, override_id, change, "edited")


@router.post("/{override_id}/extend")
def extend(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           settings: SettingsDep, hub: HubDep, delivery: OverrideDeliveryDep, override_id: int,
           hours: Annotated[int, Form()]) -> Response:
    """Move the expiry later by ``hours`` (one of ``EXTEND_HOURS``), within the longest run allowed."""
    def change(user: User, ip: str) -> object:
        if hours not in EXTEND_HOURS:
            raise Invalid("override.extend_hours", f"hours: must be one of {EXTEND_HOURS}",
                          allowed=", ".join(map(str, EXTEND_HOURS)))
        row = overrides.get(session, user=user, override_id=override_id, delivery=delivery)
        patch = OverrideUpdate(expires_at=row.expires_at + timedelta(hours=hours))
        return overrides.update(session, user=user, ip=ip, override_id=override_id, patch=patch,
                                max_hours=settings.override_max_hours, delivery=delivery)
    return _change(request, session, who, view, settings, hub, delivery, override_id, change, "extended")


@router.get("/{override_id}/cancel")
def cancel_question(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
                    delivery: OverrideDeliveryDep, override_id: int) -> Response:
    """Cancelling asks first: what it ends and on how many boards."""
    user = operator_of(who)
    row = overrides.get_with_boards(session, user=user, override_id=override_id, delivery=delivery)
    return view.render(request, "emergency_cancel.html", who, o=row, risk_names=RISK_NAMES)


@router.post("/{override_id}/cancel")
def cancel(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           settings: SettingsDep, hub: HubDep, delivery: OverrideDeliveryDep, override_id: int) -> Response:
    def change(user: User, ip: str) -> object:
        return overrides.cancel(session, user=user, ip=ip, override_id=override_id, delivery=delivery)
    response = _change(request, session, who, view, settings, hub, delivery, override_id, change, "")
    return see_other("/panel/emergency") if response.status_code == 303 else response
