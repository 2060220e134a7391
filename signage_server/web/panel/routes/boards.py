"""Boards: list by unit, detail with what plays now, pairing by the on-screen code, the week grid."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from signage_contract import Manifest
from signage_server.core import roles
from signage_server.core.audit import client_ip
from signage_server.devices import boards, pairing
from signage_server.health import care
from signage_server.health import service as health
from signage_server.health.schemas import ScreenshotPublic
from signage_server.manifest.composer import Composer
from signage_server.models import Board, BoardKind, Schedule, utcnow
from signage_server.web.deps import BusDep, ComposerDep, HealthDep, SessionDep
from signage_server.web.panel.labels import N_
from signage_server.web.panel.listing import ListQueryDep
from signage_server.web.panel.routes.common import PAIRING_ROLES, PagesDep, run_service, units_in_scope
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser
from signage_server.web.panel.timeline_view import airtime_plan, now_playing, parse_document, week, zone_of

# the player's screen_state in words (signage_contract/device.py)
SCREEN_WORDS = {"on": N_("on"), "off": N_("off"), "unknown": N_("unknown")}
router = APIRouter(prefix="/boards")
# What the board page says after a change made on another page (``?done=``).
DONE_WORDS = {
    "created": N_("The board was created."), "saved": N_("The board was saved."),
    "revoked": N_("The board's players were revoked; it shows a pairing code until paired again."),
    "repaired": N_("The board was paired to the new player; the players before were revoked."),
}
# What the board page says after a remote care command was sent.
CARE_WORDS = {
    "restart": N_("Restart sent; the player starts again within a minute if the board is online."),
    "reboot": N_("Reboot sent; the board's PC restarts if it is online."),
    "log_level": N_("The new log level was sent; it lasts until the player restarts."),
    "logs": N_("Log lines requested; reload this page in a moment to read them."),
}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


@router.get("")
def board_list(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
               q: ListQueryDep) -> Response:
    """The boards in scope by name, a page at a time: by words in the name or address, unit, kind."""
    found = boards.board_page(session, actor=who.user, text=q.text, unit_id=q.number("unit_id"),
                              kind=q.option("kind", BoardKind), wanted=q.page)
    return view.render(request, "boards.html", who, found=found, rows=found.rows, q=q,
                       units=units_in_scope(session, who.user), kinds=list(BoardKind),
                       can_create=who.role in roles.ADMINS)


def _schedule_names(session: Session, ids: set[str]) -> dict[str, str]:
    numeric = [int(i) for i in ids if i.isdigit()]
    rows = session.exec(select(Schedule).where(col(Schedule.id).in_(numeric))).all()
    return {str(r.id): r.name for r in rows}


def _manifest(session: Session, composer: Composer, board: Board) -> Manifest:
    assert board.id is not None
    return parse_document(composer.current(session, board.id).document)


def _detail(request: Request, session: Session, who: PanelUser, view: PagesDep, composer: Composer,
            monitor: HealthDep, board: Board, *, message: str = "", error: str = "", asked: bool = False,
            care_done: str = "") -> Response:
    assert board.id is not None
    manifest = _manifest(session, composer, board)
    playing = now_playing(manifest, utcnow())
    current = playing.entry.schedule_id if playing else None
    plan = airtime_plan(manifest, utcnow())
    shown = {s for hour in plan for s, _ in hour.shares} | ({current} if current else set())
    names = _schedule_names(session, shown)
    board_id = board.id
    found, _missing = run_service(
        lambda: health.latest_screenshot(session, actor=who.user, board_id=board_id))
    shot = ScreenshotPublic.of(found) if found else None
    now, config = monitor.clock(), monitor.config
    can_care = who.role in PAIRING_ROLES
    log_fetch = care.latest_log_fetch(session, actor=who.user, board_id=board_id) if can_care else None
    return view.render(
        request, "board.html", who, board=board, unit=units_in_scope(session, who.user).get(board.unit_id),
        playing=playing, schedule_names=names, plan=plan, can_pair=who.role in PAIRING_ROLES,
        health=health.board_health(session, actor=who.user, board_id=board_id, now=now, config=config),
        uptime=health.board_uptime(session, actor=who.user, board_id=board_id, now=now, config=config),
        shot=shot, shot_thumb="/panel" + shot.thumbnail_url.removeprefix("/api/v1") if shot else None,
        paired=message, error=error, asked=asked, status_code=422 if error else 200, tz=zone_of(manifest),
        can_edit=who.role in roles.OPERATORS, done=DONE_WORDS.get(request.query_params.get("done", "")),
        layout_names={layout.id: layout.name for layout in manifest.layouts}, screen_words=SCREEN_WORDS,
        region_roles={r.id: r.role.value for layout in manifest.layouts for r in layout.regions},
        can_care=can_care, log_fetch=log_fetch, log_levels=LOG_LEVELS, care_done=CARE_WORDS.get(care_done),
    )


@router.get("/{board_id}")
def board_detail(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
                 composer: ComposerDep, monitor: HealthDep, board_id: int) -> Response:
    board = boards.get_board(session, actor=who.user, board_id=board_id)
    return _detail(request, session, who, view, composer, monitor, board)


@router.post("/{board_id}/pairing")
def pair(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep, composer: ComposerDep,
         monitor: HealthDep, board_id: int, code: Annotated[str, Form()]) -> Response:
    """The same claim the API makes (roles, scope, code rules), answered as a page."""
    board = boards.get_board(session, actor=who.user, board_id=board_id)
    if who.role not in PAIRING_ROLES:
        raise HTTPException(403, N_("pairing needs the admin or operator role"))
    ip = client_ip(request)
    claimed, error = run_service(lambda: pairing.claim_code(session, actor=who.user, ip=ip, board_id=board_id,
                                                        claim=pairing.PairingClaim(code=code)))
    message = "" if claimed is None else claimed.hardware_id
    return _detail(request, session, who, view, composer, monitor, board, message=message, error=error)


@router.post("/{board_id}/screenshot")
def ask_screenshot(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                   composer: ComposerDep, monitor: HealthDep, bus: BusDep, board_id: int) -> Response:
    """Screenshot on demand: the board uploads a capture over its connection when it is online."""
    board = boards.get_board(session, actor=who.user, board_id=board_id)
    if who.role not in PAIRING_ROLES:
        raise HTTPException(403, N_("screenshots on demand need the admin or operator role"))
    health.request_screenshot(session, actor=who.user, bus=bus, board_id=board_id)
    return _detail(request, session, who, view, composer, monitor, board, asked=True)


@router.get("/{board_id}/week")
def board_week(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep,
               composer: ComposerDep, board_id: int) -> Response:
    board = boards.get_board(session, actor=who.user, board_id=board_id)
    columns = week(_manifest(session, composer, board), utcnow())
    ids = {s.schedule_id for c in columns for b in c.blocks for s in b.shares if s.schedule_id}
    return view.render(request, "week.html", who, board=board, columns=columns,
                       schedule_names=_schedule_names(session, ids))


def _care_board(session: Session, who: PanelUser, board_id: int) -> Board:
    board = boards.get_board(session, actor=who.user, board_id=board_id)
    if who.role not in PAIRING_ROLES:
        raise HTTPException(403, N_("remote care needs the admin or operator role"))
    return board


@router.post("/{board_id}/care")
def care_command(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                 composer: ComposerDep, monitor: HealthDep, bus: BusDep, board_id: int,
                 action: Annotated[str, Form()], level: Annotated[str | None, Form()] = None) -> Response:
    """Restart the player, reboot the PC (where the player allows it) or set its log level: the same
    service as the API's, answered as the board's page."""
    board = _care_board(session, who, board_id)
    ip = client_ip(request)
    if action not in ("restart", "reboot", "log_level"):
        raise HTTPException(422, N_("unknown remote care action"))
    chosen = cast(care.CareAction, action)
    _sent, error = run_service(lambda: care.send_care(session, actor=who.user, ip=ip, bus=bus,
                                                      board_id=board_id, action=chosen, level=level))
    return _detail(request, session, who, view, composer, monitor, board, error=error,
                   care_done="" if error else action)


@router.post("/{board_id}/logs")
def request_logs(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
                 composer: ComposerDep, monitor: HealthDep, bus: BusDep, board_id: int,
                 lines: Annotated[int, Form()] = 200) -> Response:
    """Ask the board for the last lines of its log; they show on its page once it sends them."""
    board = _care_board(session, who, board_id)
    ip = client_ip(request)
    _row, error = run_service(lambda: care.request_logs(session, actor=who.user, ip=ip, bus=bus,
                                                        board_id=board_id, lines=lines))
    return _detail(request, session, who, view, composer, monitor, board, error=error,
                   care_done="" if error else "logs")
