"""The authorisation matrix: every route of the OpenAPI document (and every WebSocket) has ONE rule
here, and each role is checked against its own unit, a child unit and an unrelated unit.

A rule names the roles allowed and whether the route acts on something in a unit (``SUBTREE``:
allowed roles succeed in their unit and below and get 404 elsewhere; the other roles get 403, or
404 where the object lies outside their scope anyway). Each case builds its own fresh objects,
so destructive routes do not disturb the others; one app serves every case.
"""

from __future__ import annotations

import io
import itertools
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIWebSocketRoute
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, select
from starlette.websockets import WebSocketDisconnect

from signage_contract.device import PAIRING_CODE_ALPHABET, PAIRING_CODE_LENGTH
from signage_server.app import create_app
from signage_server.content import owner_content
from signage_server.content.owner_content import OwnerSlideCreate
from signage_server.content.workflow import Actor, publish
from signage_server.core.auth import issue_token
from signage_server.devices.auth import issue_credential
from signage_server.models import (
    AdminUnit,
    ApiToken,
    Board,
    BoardKind,
    BoardLogFetch,
    Bulletin,
    ContentState,
    Feed,
    FeedTarget,
    IntakeSource,
    LayoutRecord,
    Media,
    MediaPage,
    Override,
    PairingTicket,
    Playlist,
    PlaylistItem,
    RequisitionWindow,
    Role,
    Schedule,
    ScheduleRegion,
    Screenshot,
    ScreenshotRequestRow,
    Submission,
    TargetKind,
    TokenKind,
    TrustedCapSender,
    UnitLevel,
    User,
    utcnow,
)
from signage_server.settings import Settings
from tests.support.factories import add_unit

EVERYONE = frozenset(Role)
ANY = EVERYONE - {Role.OWNER}  # every government role; a board's owner: see ``_expected``
ADMIN = frozenset({Role.ADMIN})
EDIT = frozenset({Role.ADMIN, Role.EDITOR})
REVIEW = frozenset({Role.ADMIN, Role.APPROVER})
OPS = frozenset({Role.ADMIN, Role.OPERATOR})
OWNER = frozenset({Role.OWNER})
OK = frozenset({200, 201, 204})
POWER = {"off": [{"start": "22:00", "end": "05:30"}]}
NOT_FOUND = frozenset({404})
TARGETS = ("own", "child", "other")
LAYOUT = "authz-layout"


@dataclass
class Case:
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    query: dict[str, Any] | None = None
    files: dict[str, Any] | None = None
    data: dict[str, Any] | None = None


@dataclass
class Env:
    client: TestClient
    session: Session
    units: dict[str, int]
    users: dict[Role, User]
    store: Any
    counter: Iterator[int]
    app: Any = None

    def add(self, row: Any) -> Any:
        self.session.add(row)
        self.session.commit()
        self.session.refresh(row)
        return row


Maker = Callable[[Env, int, User], Case]


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role] | None  # None: not a user route (public or device), see the device tests
    scoped: bool = False  # True: acts on something in a unit; the case is built in the target unit
    make: Maker | None = None
    ok: frozenset[int] = OK  # what an allowed role gets in scope
    other: frozenset[int] = NOT_FOUND  # what an allowed role gets for an unrelated unit


# --- object factories: each builds fresh rows in ``unit`` ----------------------------------------

def _bulletin(env: Env, unit: int, _user: User) -> Case:
    return Case({"bulletin_id": env.add(Bulletin(title="Tin", unit_id=unit)).id})


def _playlist_row(env: Env, unit: int) -> tuple[int, int]:
    playlist = env.add(Playlist(name="Danh sách", unit_id=unit))
    item = env.add(PlaylistItem(playlist_id=playlist.id, position=1, kind="ticker", text="Chữ chạy"))
    return playlist.id, item.id


def _playlist(env: Env, unit: int, _user: User) -> Case:
    return Case({"playlist_id": _playlist_row(env, unit)[0]})


def _item(env: Env, unit: int, _user: User) -> Case:
    playlist, item = _playlist_row(env, unit)
    return Case({"playlist_id": playlist, "item_id": item})


def _schedule(env: Env, unit: int, _user: User) -> Case:
    playlist, _item_id = _playlist_row(env, unit)
    schedule = env.add(Schedule(name="Lịch", unit_id=unit, layout_id=LAYOUT, target_kind=TargetKind.UNIT,
                                target_unit_id=unit))
    env.add(ScheduleRegion(schedule_id=schedule.id, region_id="main", playlist_id=playlist))
    return Case({"schedule_id": schedule.id})


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _media(env: Env, unit: int, _user: User) -> Case:
    stored = env.store.ingest(io.BytesIO(_png()), "a.png", "image/png")
    row = env.add(Media(unit_id=unit, sha256=stored.sha256, size=stored.size,
                        content_type=stored.content_type,
                        width=stored.width, height=stored.height))
    return Case({"media_id": row.id})


def _pdf_page(env: Env, unit: int, _user: User) -> Case:
    """A PDF record with its first page (the page is an ordinary stored picture)."""
    stored = env.store.ingest(io.BytesIO(_png()), "page.png", "image/png")
    row = env.add(Media(unit_id=unit, sha256="f" * 64, size=100, content_type="application/pdf", width=8,
                        height=8))
    env.add(MediaPage(media_id=row.id, position=0, sha256=stored.sha256, size=stored.size,
                      content_type=stored.content_type, width=8, height=8))
    return Case({"media_id": row.id, "position": 0})


def _submission(env: Env, unit: int, _user: User) -> Case:
    """A publication someone else submitted in ``unit`` (so any reviewer may decide on it)."""
    bulletin = env.add(Bulletin(title="Tin", unit_id=unit, state=ContentState.SUBMITTED))
    row = env.add(Submission(title="Tin", unit_id=unit, state=ContentState.SUBMITTED, bulletin_id=bulletin.id,
                             targets={"unit_ids": [unit]}))
    return Case({"submission_id": row.id})


def _bundle(env: Env, unit: int, _user: User) -> Case:
    return Case(json={"board_ids": [env.add(Board(name="Bảng xã", unit_id=unit)).id]})


def _play_file(env: Env, unit: int, _user: User) -> Case:
    board = env.add(Board(name="Bảng xã", unit_id=unit))
    start = utcnow() - timedelta(hours=1)
    record = {"id": secrets.token_hex(8), "region_id": "main", "item_id": "p1-i1", "reason": "scheduled",
              "category": "other", "priority": "normal", "started_at": start.isoformat(),
              "ended_at": (start + timedelta(seconds=30)).isoformat()}
    return Case(json={"board_id": str(board.id), "exported_at": utcnow().isoformat(), "records": [record]})


def _shop(env: Env, unit: int, _user: User) -> Case:
    board = env.add(Board(name="Bảng LED cửa hàng", unit_id=unit, kind=BoardKind.COMMERCIAL))
    return Case(params={"board_id": board.id})


def _window(env: Env, unit: int, user: User) -> Case:
    case = _shop(env, unit, user)
    board_id = case.params["board_id"]
    row = env.add(RequisitionWindow(board_id=board_id, daily_start=time(6), daily_end=time(22)))
    return Case(params={**case.params, "window_id": row.id})


def _owner_slide(env: Env, _unit: int, _user: User) -> Case:
    owner = Actor(env.users[Role.OWNER])
    made = owner_content.add_slide(env.session, actor=owner, changes=env.app.state.changes,
                                   data=OwnerSlideCreate(title="Khuyến mãi"))
    return Case(params={"item_id": made.slides[-1].item_id})


def _board(env: Env, unit: int, _user: User) -> Case:
    return Case({"board_id": env.add(Board(name="Bảng", unit_id=unit)).id})


def _shot(env: Env, unit: int, user: User) -> Case:
    """A board with one stored screenshot (its JPEG and thumbnail on disk)."""
    board_id = _board(env, unit, user).params["board_id"]
    shot = env.add(Screenshot(board_id=board_id, taken_at=utcnow(), file_name="s1.jpg", size=10, width=8,
                              height=8))
    store = env.app.state.screenshot_store
    for path in (store.image_path(shot), store.thumbnail_path(shot)):
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (8, 8)).save(path, "JPEG")
    return Case({"board_id": board_id, "shot_id": shot.id})


def _shot_request(env: Env, unit: int, user: User) -> Case:
    board_id = _board(env, unit, user).params["board_id"]
    row = env.add(ScreenshotRequestRow(id=secrets.token_hex(8), board_id=board_id))
    return Case({"board_id": board_id, "request_id": row.id})


def _log_fetch(env: Env, unit: int, user: User) -> Case:
    board_id = _board(env, unit, user).params["board_id"]
    row = env.add(BoardLogFetch(id=secrets.token_hex(8), board_id=board_id))
    return Case({"board_id": board_id, "request_id": row.id})


def _layout(env: Env, unit: int, _user: User) -> Case:
    layout = env.add(LayoutRecord(id=f"custom-{next(env.counter)}", name="Riêng", unit_id=unit,
                                  regions=[{"id": "main", "role": "main", "x": 0, "y": 0, "w": 1, "h": 1}]))
    return Case({"layout_id": layout.id})


def _override(env: Env, unit: int, _user: User) -> Case:
    now = utcnow()
    row = env.add(Override(title="Bão", unit_id=unit, target_unit_ids=[unit], starts_at=now,
                           expires_at=now + timedelta(hours=1)))
    return Case({"override_id": row.id})


def _unit(_env: Env, unit: int, _user: User) -> Case:
    return Case({"unit_id": unit})


def _commune_under(env: Env, unit: int, _user: User) -> Case:
    commune = add_unit(env.session, f"c{next(env.counter)}", UnitLevel.COMMUNE, "Xã Mới", unit)
    return Case({"unit_id": commune})


def _user(env: Env, unit: int, _user: User) -> Case:
    row = env.add(User(username=f"u{next(env.counter)}", role=Role.VIEWER, unit_id=unit, password_hash="x"))
    return Case({"user_id": row.id})


def _own_token(env: Env, _unit: int, user: User) -> Case:
    _plain, row = issue_token(env.session, user, TokenKind.API, "script", None)
    return Case({"token_id": row.id})


def _scoped_token(env: Env, unit: int, user: User) -> Case:
    """An API token of another account of ``unit`` (the admins' routes)."""
    owner = env.session.get(User, _user(env, unit, user).params["user_id"])
    _plain, row = issue_token(env.session, owner, TokenKind.API, "script", None)
    return Case({"token_id": row.id})


def _cap_sender(env: Env, unit: int, _user: User) -> Case:
    code = env.session.get(AdminUnit, unit).code
    row = env.add(TrustedCapSender(name=f"s{next(env.counter)}@kttv.gov.vn", token_hash=secrets.token_hex(32),
                                   unit_code=code, geocode_names=["UNIT_CODE"]))
    return Case({"sender_id": row.id})


def _pairing(env: Env, unit: int, user: User) -> Case:
    case = _board(env, unit, user)
    code = "".join(secrets.choice(PAIRING_CODE_ALPHABET) for _ in range(PAIRING_CODE_LENGTH))
    env.add(PairingTicket(id=secrets.token_hex(8), code=code, secret_hash="x", hardware_id="hw",
                          expires_at=utcnow() + timedelta(hours=1)))
    return Case(case.params, json={"code": code})


def _with(maker: Maker, **extra: Any) -> Maker:
    def make(env: Env, unit: int, user: User) -> Case:
        case = maker(env, unit, user)
        for key, value in extra.items():
            setattr(case, key, value(env, unit, case) if callable(value) else value)
        return case
    return make


def _in_unit(body: Callable[[Env, int], dict[str, Any]]) -> Maker:
    return lambda env, unit, _user: Case(json=body(env, unit))


def _schedule_body(env: Env, unit: int) -> dict[str, Any]:
    return {"name": "Lịch", "layout_id": LAYOUT, "regions": {"main": _playlist_row(env, unit)[0]},
            "target_kind": "unit", "target_unit_id": unit, "unit_id": unit}


def _upload(_env: Env, unit: int, _user: User) -> Case:
    return Case(files={"file": ("a.png", _png(), "image/png")}, data={"unit_id": str(unit)})


def _reorganise(env: Env, unit: int, _user: User) -> Case:
    village = add_unit(env.session, f"v{next(env.counter)}", UnitLevel.VILLAGE, "Thôn Cũ", unit)
    return Case(json={"from_ids": [village], "effective": str(date.today()), "new_name": "Thôn Mới",
                      "new_code": f"n{next(env.counter)}"})


def _feed(env: Env, unit: int, _user: User) -> Case:
    playlist, _item_id = _playlist_row(env, unit)
    row = env.add(Feed(name="Tin xã", url="https://example.vn/rss", unit_id=unit, target=FeedTarget.TICKER,
                       playlist_id=playlist))
    return Case({"feed_id": row.id})


def _feed_body(env: Env, unit: int) -> dict[str, Any]:
    return {"name": "Tin xã", "url": "https://example.vn/rss", "target": "ticker",
            "playlist_id": _playlist_row(env, unit)[0], "unit_id": unit}


def _editor(env: Env, unit: int) -> User:
    name = f"sys{next(env.counter)}"
    return env.add(User(username=name, role=Role.EDITOR, unit_id=unit, password_hash="x"))


def _new_source(env: Env, unit: int, _user: User) -> Case:
    return Case(json={"name": f"src-{next(env.counter)}", "user_id": _editor(env, unit).id})


def _source(env: Env, unit: int, _user: User) -> Case:
    row = env.add(IntakeSource(name=f"src-{next(env.counter)}", user_id=_editor(env, unit).id))
    return Case({"source_id": row.id})


def _intake(env: Env, unit: int, user: User) -> Case:
    """A bulletin sent by the acting user, registered as a source, for ``unit`` by its code."""
    if env.session.exec(select(IntakeSource).where(IntakeSource.user_id == user.id)).first() is None:
        env.add(IntakeSource(name=f"src-{next(env.counter)}", user_id=user.id))
    code = env.session.get(AdminUnit, unit).code
    return Case(json={"external_id": f"x{next(env.counter)}", "title": "Tin", "unit_codes": [code],
                      "layout_id": LAYOUT})


def _split(env: Env, unit: int, _user: User) -> Case:
    village = add_unit(env.session, f"v{next(env.counter)}", UnitLevel.VILLAGE, "Thôn Cũ", unit)
    parts = [{"code": f"n{next(env.counter)}", "name": "Thôn Đông"}, {"code": f"n{next(env.counter)}",
                                                                      "name": "Thôn Tây"}]
    return Case(json={"from_id": village, "effective": str(date.today()), "parts": parts})


def _audit_query(_env: Env, unit: int, _user: User) -> Case:
    return Case(query={"unit_id": unit})


STATE = {"state": "submitted"}  # from draft: editors' move; the others get 403 in scope
IN_AN_HOUR = lambda _e, _u, _c: {"title": "Bão", "target": {"all": True},  # noqa: E731
                                 "expires_at": (utcnow() + timedelta(hours=1)).isoformat()}
WRONG_PASSWORD = {"current_password": "not my password", "new_password": "ba con bò vàng trên đồi"}

RULES: dict[tuple[str, str], Rule] = {
    # public: no user credential involved
    ("GET", "/healthz"): Rule(None),
    ("POST", "/api/v1/auth/token"): Rule(None),
    ("POST", "/api/v1/cap"): Rule(None),  # a trusted sender's X-CAP-Token (tests/test_api_cap*.py)
    # devices: their own bearer credential (see the device tests below)
    ("POST", "/api/v1/device/pairing"): Rule(None),
    ("GET", "/api/v1/device/pairing/{ticket_id}"): Rule(None),
    ("POST", "/api/v1/device/credential/rotate"): Rule(None),
    ("GET", "/api/v1/device/manifest"): Rule(None),
    ("GET", "/api/v1/device/media/{sha256}"): Rule(None),
    ("WS", "/api/v1/device/ws"): Rule(None),
    # one's own account
    ("POST", "/api/v1/auth/token/refresh"): Rule(EVERYONE),
    ("POST", "/api/v1/auth/password"): Rule(
        EVERYONE, make=lambda *_: Case(json=WRONG_PASSWORD), ok=frozenset({422})),
    ("GET", "/api/v1/auth/me"): Rule(EVERYONE),
    ("GET", "/api/v1/auth/api-tokens"): Rule(EVERYONE),
    ("POST", "/api/v1/auth/api-tokens"): Rule(EVERYONE, make=lambda *_: Case(json={"name": "script"})),
    ("DELETE", "/api/v1/auth/api-tokens/{token_id}"): Rule(EVERYONE, make=_own_token),
    # users
    ("GET", "/api/v1/users"): Rule(ADMIN),
    ("POST", "/api/v1/users"): Rule(ADMIN, True, _in_unit(lambda env, unit: {
        "username": f"new{next(env.counter)}", "password": "ba con bò vàng trên đồi", "role": "viewer",
        "unit_id": unit})),
    ("GET", "/api/v1/users/{user_id}"): Rule(ADMIN, True, _user),
    ("PATCH", "/api/v1/users/{user_id}"): Rule(ADMIN, True, _with(_user, json={"full_name": "Tên"})),
    ("DELETE", "/api/v1/users/{user_id}"): Rule(ADMIN, True, _user),
    # other accounts' API tokens and the trusted CAP senders: admins, in their scope
    ("GET", "/api/v1/api-tokens"): Rule(ADMIN),
    ("POST", "/api/v1/api-tokens"): Rule(ADMIN, True, _with(_user, json=lambda _e, _u, case: {
        "user_id": case.params["user_id"], "name": "script"})),
    ("DELETE", "/api/v1/api-tokens/{token_id}"): Rule(ADMIN, True, _scoped_token),
    ("GET", "/api/v1/cap-senders"): Rule(ADMIN),
    ("POST", "/api/v1/cap-senders"): Rule(ADMIN, True, _in_unit(lambda env, unit: {
        "name": f"new{next(env.counter)}@kttv.gov.vn", "unit_id": unit})),
    ("PATCH", "/api/v1/cap-senders/{sender_id}"): Rule(
        ADMIN, True, _with(_cap_sender, json={"active": False})),
    ("POST", "/api/v1/cap-senders/{sender_id}/token"): Rule(ADMIN, True, _cap_sender),
    ("DELETE", "/api/v1/cap-senders/{sender_id}"): Rule(ADMIN, True, _cap_sender),
    # units
    ("GET", "/api/v1/units"): Rule(ANY),
    ("GET", "/api/v1/units/{unit_id}"): Rule(ANY, True, _unit),
    ("GET", "/api/v1/units/{unit_id}/children"): Rule(ANY, True, _unit),
    ("GET", "/api/v1/units/{unit_id}/subtree"): Rule(ANY, True, _unit),
    ("GET", "/api/v1/units/{unit_id}/ancestors"): Rule(ANY, True, _unit),
    ("GET", "/api/v1/units/{unit_id}/lineage"): Rule(ANY, True, _unit),
    ("POST", "/api/v1/units/{unit_id}/villages"): Rule(
        EDIT, True, _with(_commune_under, json={"name": "Thôn"})),
    ("POST", "/api/v1/units/reorganise"): Rule(ADMIN, True, _reorganise),
    ("POST", "/api/v1/units/split"): Rule(ADMIN, True, _split),
    ("GET", "/api/v1/units/{unit_id}/approval-settings"): Rule(ANY, True, _unit),
    ("PUT", "/api/v1/units/{unit_id}/approval-settings"): Rule(
        ADMIN, True, _with(_unit, json={"trusted_editors_auto_approve": False})),
    # boards and pairing
    ("GET", "/api/v1/boards"): Rule(ANY),
    ("POST", "/api/v1/boards"): Rule(
        ADMIN, True, _in_unit(lambda _e, unit: {"name": "Bảng", "unit_id": unit})),
    ("GET", "/api/v1/boards/{board_id}"): Rule(ANY, True, _board),
    ("PATCH", "/api/v1/boards/{board_id}"): Rule(OPS, True, _with(_board, json={"name": "Bảng mới"})),
    ("DELETE", "/api/v1/boards/{board_id}"): Rule(ADMIN, True, _board),
    ("GET", "/api/v1/boards/{board_id}/history"): Rule(ANY, True, _board),
    ("GET", "/api/v1/boards/{board_id}/programme"): Rule(ANY, True, _board),
    # power and brightness schedules: read by every role in scope, set by admins and approvers
    ("GET", "/api/v1/boards/{board_id}/power"): Rule(ANY, True, _board),
    ("PUT", "/api/v1/boards/{board_id}/power"): Rule(REVIEW, True, _with(_board, json=POWER)),
    ("DELETE", "/api/v1/boards/{board_id}/power"): Rule(REVIEW, True, _board),
    ("GET", "/api/v1/units/{unit_id}/power"): Rule(ANY, True, _unit),
    ("PUT", "/api/v1/units/{unit_id}/power"): Rule(REVIEW, True, _with(_unit, json=POWER)),
    ("DELETE", "/api/v1/units/{unit_id}/power"): Rule(REVIEW, True, _unit),
    # a board's loudspeaker (spoken announcements): read by every role in scope, set by operators
    ("GET", "/api/v1/boards/{board_id}/audio"): Rule(ANY, True, _board),
    ("PUT", "/api/v1/boards/{board_id}/audio"): Rule(OPS, True, _with(_board, json={"enabled": True})),
    # requisitioned boards: windows by the unit's admins and approvers; the owner's own content
    ("GET", "/api/v1/boards/{board_id}/requisition-windows"): Rule(ANY, True, _shop),
    ("POST", "/api/v1/boards/{board_id}/requisition-windows"): Rule(
        REVIEW, True, _with(_shop, json={"daily_start": "06:00", "daily_end": "22:00"})),
    ("DELETE", "/api/v1/boards/{board_id}/requisition-windows/{window_id}"): Rule(REVIEW, True, _window),
    ("GET", "/api/v1/boards/{board_id}/requisition-report"): Rule(
        ANY, True, _with(_shop, query={"day": "2026-11-23"})),
    ("GET", "/api/v1/owner/content"): Rule(OWNER),
    ("POST", "/api/v1/owner/slides"): Rule(OWNER, make=lambda *_: Case(json={"title": "Khai trương"})),
    ("DELETE", "/api/v1/owner/slides/{item_id}"): Rule(OWNER, make=_owner_slide),
    # health, screenshots, reports: read by every role in scope; capture requests by operators
    ("GET", "/api/v1/boards/{board_id}/status"): Rule(ANY, True, _board),
    ("GET", "/api/v1/boards/{board_id}/events"): Rule(ANY, True, _board),
    ("GET", "/api/v1/boards/{board_id}/uptime"): Rule(ANY, True, _board),
    ("GET", "/api/v1/boards/{board_id}/screenshots"): Rule(ANY, True, _shot),
    ("GET", "/api/v1/boards/{board_id}/screenshots/latest"): Rule(ANY, True, _shot),
    ("GET", "/api/v1/boards/{board_id}/screenshots/{shot_id}/image"): Rule(ANY, True, _shot),
    ("GET", "/api/v1/boards/{board_id}/screenshots/{shot_id}/thumbnail"): Rule(ANY, True, _shot),
    ("POST", "/api/v1/boards/{board_id}/screenshot-request"): Rule(OPS, True, _board, ok=frozenset({202})),
    ("GET", "/api/v1/boards/{board_id}/screenshot-requests/{request_id}"): Rule(ANY, True, _shot_request),
    ("GET", "/api/v1/units/{unit_id}/wall"): Rule(ANY, True, _unit),
    ("GET", "/api/v1/reports/summary"): Rule(ANY, True, _audit_query),
    # per-bulletin receipts and proof of play: read by every role, over the boards of its scope
    ("GET", "/api/v1/bulletins/{bulletin_id}/receipts"): Rule(ANY, True, _bulletin),
    ("GET", "/api/v1/bulletins/{bulletin_id}/receipts.csv"): Rule(ANY, True, _bulletin),
    ("GET", "/api/v1/reports/bulletins"): Rule(ANY, True, _audit_query),
    ("GET", "/api/v1/plays"): Rule(ANY),
    ("GET", "/api/v1/plays.csv"): Rule(ANY),
    # the calling account's own webhook (none yet: 404)
    ("PUT", "/api/v1/webhooks/bulletins"): Rule(ANY, make=lambda *_: Case(
        json={"url": "https://nguon.example.vn/hook", "secret": "0123456789abcdef"})),
    ("GET", "/api/v1/webhooks/bulletins"): Rule(ANY, ok=frozenset({200, 404})),
    ("DELETE", "/api/v1/webhooks/bulletins"): Rule(ANY, ok=frozenset({204, 404})),
    ("GET", "/api/v1/reports/boards"): Rule(ANY, True, _audit_query),
    # USB bundles for boards without a link, and the proof of play they bring back
    ("POST", "/api/v1/bundles"): Rule(EDIT | OPS, True, _bundle),
    ("POST", "/api/v1/plays/import"): Rule(EDIT | OPS, True, _play_file),
    ("POST", "/api/v1/device/heartbeat"): Rule(None),
    ("POST", "/api/v1/device/plays"): Rule(None),
    ("POST", "/api/v1/device/screenshots"): Rule(None),
    ("POST", "/api/v1/device/logs"): Rule(None),
    # remote care: operators and admins of the board's unit
    ("POST", "/api/v1/boards/{board_id}/care"): Rule(OPS, True, _with(_board, json={"action": "restart"}),
                                                      ok=frozenset({202})),
    ("POST", "/api/v1/boards/{board_id}/log-requests"): Rule(OPS, True, _with(_board, json={"lines": 10}),
                                                              ok=frozenset({202})),
    ("GET", "/api/v1/boards/{board_id}/log-requests/{request_id}"): Rule(OPS, True, _log_fetch),
    ("POST", "/api/v1/boards/{board_id}/pairing"): Rule(OPS, True, _pairing),
    ("GET", "/api/v1/boards/{board_id}/devices"): Rule(OPS, True, _board),
    ("DELETE", "/api/v1/boards/{board_id}/devices"): Rule(OPS, True, _board),
    # feeds: editors manage them; approvers may also pause, resume and trust
    ("GET", "/api/v1/feeds"): Rule(ANY),
    ("POST", "/api/v1/feeds"): Rule(EDIT, True, _in_unit(_feed_body)),
    ("GET", "/api/v1/feeds/{feed_id}"): Rule(ANY, True, _feed),
    ("PATCH", "/api/v1/feeds/{feed_id}"): Rule(EDIT | REVIEW, True, _with(_feed, json={"active": False})),
    ("DELETE", "/api/v1/feeds/{feed_id}"): Rule(EDIT, True, _feed),
    # content
    ("GET", "/api/v1/bulletins"): Rule(ANY),
    ("POST", "/api/v1/bulletins"): Rule(
        EDIT, True, _in_unit(lambda _e, unit: {"title": "Tin", "unit_id": unit})),
    ("GET", "/api/v1/bulletins/{bulletin_id}"): Rule(ANY, True, _bulletin),
    ("PATCH", "/api/v1/bulletins/{bulletin_id}"): Rule(EDIT, True, _with(_bulletin, json={"body": "Sửa"})),
    ("DELETE", "/api/v1/bulletins/{bulletin_id}"): Rule(EDIT, True, _bulletin),
    ("POST", "/api/v1/bulletins/{bulletin_id}/state"): Rule(EDIT, True, _with(_bulletin, json=STATE)),
    ("POST", "/api/v1/bulletins/{bulletin_id}/archive"): Rule(EDIT, True, _bulletin),
    ("POST", "/api/v1/bulletins/{bulletin_id}/restore"): Rule(EDIT, True, _bulletin),
    ("GET", "/api/v1/playlists"): Rule(ANY),
    ("POST", "/api/v1/playlists"): Rule(
        EDIT, True, _in_unit(lambda _e, unit: {"name": "Tin", "unit_id": unit})),
    ("GET", "/api/v1/playlists/{playlist_id}"): Rule(ANY, True, _playlist),
    ("PATCH", "/api/v1/playlists/{playlist_id}"): Rule(EDIT, True, _with(_playlist, json={"name": "Mới"})),
    ("DELETE", "/api/v1/playlists/{playlist_id}"): Rule(EDIT, True, _playlist),
    ("POST", "/api/v1/playlists/{playlist_id}/state"): Rule(EDIT, True, _with(_playlist, json=STATE)),
    ("POST", "/api/v1/playlists/{playlist_id}/archive"): Rule(EDIT, True, _playlist),
    ("POST", "/api/v1/playlists/{playlist_id}/restore"): Rule(EDIT, True, _playlist),
    ("POST", "/api/v1/playlists/{playlist_id}/items"): Rule(
        EDIT, True, _with(_playlist, json={"kind": "ticker", "text": "Chữ"})),
    ("PATCH", "/api/v1/playlists/{playlist_id}/items/{item_id}"): Rule(
        EDIT, True, _with(_item, json={"text": "Mới"})),
    ("DELETE", "/api/v1/playlists/{playlist_id}/items/{item_id}"): Rule(EDIT, True, _item),
    ("POST", "/api/v1/playlists/{playlist_id}/items/reorder"): Rule(
        EDIT, True, _with(_item, json=lambda _e, _u, case: {"item_ids": [case.params["item_id"]]})),
    ("GET", "/api/v1/schedules"): Rule(ANY),
    ("POST", "/api/v1/schedules"): Rule(EDIT, True, _in_unit(_schedule_body)),
    ("POST", "/api/v1/schedules/preview"): Rule(EDIT, True, _in_unit(_schedule_body)),
    ("GET", "/api/v1/schedules/{schedule_id}"): Rule(ANY, True, _schedule),
    ("PATCH", "/api/v1/schedules/{schedule_id}"): Rule(EDIT, True, _with(_schedule, json={"name": "Mới"})),
    ("DELETE", "/api/v1/schedules/{schedule_id}"): Rule(EDIT, True, _schedule),
    ("POST", "/api/v1/schedules/{schedule_id}/state"): Rule(EDIT, True, _with(_schedule, json=STATE)),
    ("POST", "/api/v1/schedules/{schedule_id}/archive"): Rule(EDIT, True, _schedule),
    ("POST", "/api/v1/schedules/{schedule_id}/restore"): Rule(EDIT, True, _schedule),
    ("GET", "/api/v1/layouts"): Rule(ANY),
    ("POST", "/api/v1/layouts"): Rule(EDIT, True, _in_unit(lambda env, unit: {
        "id": f"new-{next(env.counter)}", "name": "Riêng", "unit_id": unit,
        "regions": [{"id": "main", "role": "main", "x": 0, "y": 0, "w": 1, "h": 1}]})),
    ("GET", "/api/v1/layouts/{layout_id}"): Rule(ANY, True, _layout),
    ("PATCH", "/api/v1/layouts/{layout_id}"): Rule(EDIT, True, _with(_layout, json={"name": "Mới"})),
    ("DELETE", "/api/v1/layouts/{layout_id}"): Rule(EDIT, True, _layout),
    ("GET", "/api/v1/media"): Rule(ANY),
    ("POST", "/api/v1/media"): Rule(EDIT, True, _upload),
    ("GET", "/api/v1/media/{media_id}"): Rule(ANY, True, _media),
    ("PATCH", "/api/v1/media/{media_id}"): Rule(EDIT, True, _with(_media, json={"title": "Ảnh"})),
    ("DELETE", "/api/v1/media/{media_id}"): Rule(EDIT, True, _media),
    ("GET", "/api/v1/media/{media_id}/content"): Rule(ANY, True, _media),
    ("GET", "/api/v1/media/{media_id}/thumbnail"): Rule(ANY, True, _media),
    ("GET", "/api/v1/media/{media_id}/pages"): Rule(ANY, True, _pdf_page),
    ("GET", "/api/v1/media/{media_id}/pages/{position}"): Rule(ANY, True, _pdf_page),
    ("POST", "/api/v1/media/{media_id}/state"): Rule(EDIT, True, _with(_media, json=STATE)),
    ("POST", "/api/v1/media/{media_id}/archive"): Rule(EDIT, True, _media),
    ("POST", "/api/v1/media/{media_id}/restore"): Rule(EDIT, True, _media),
    # approvals and the audit trail
    ("GET", "/api/v1/approvals"): Rule(REVIEW),
    ("POST", "/api/v1/publications"): Rule(EDIT, True, _in_unit(lambda _e, unit: {
        "title": "Tin", "unit_id": unit, "layout_id": LAYOUT, "targets": {"unit_ids": [unit]}})),
    ("GET", "/api/v1/submissions"): Rule(ANY),
    ("GET", "/api/v1/submissions/queue"): Rule(REVIEW),
    ("GET", "/api/v1/submissions/{submission_id}"): Rule(ANY, True, _submission),
    ("POST", "/api/v1/submissions/{submission_id}/decision"): Rule(
        REVIEW, True, _with(_submission, json={"state": "approved"})),
    # bulletin intake: a source's account sends; an unknown or foreign unit code is refused alike
    ("POST", "/api/v1/intake/bulletins"): Rule(EDIT, True, _intake, other=frozenset({422})),
    ("GET", "/api/v1/intake/sources"): Rule(ADMIN),
    ("POST", "/api/v1/intake/sources"): Rule(ADMIN, True, _new_source),
    ("GET", "/api/v1/intake/sources/{source_id}"): Rule(ADMIN, True, _source),
    ("PATCH", "/api/v1/intake/sources/{source_id}"): Rule(
        ADMIN, True, _with(_source, json={"active": False})),
    ("GET", "/api/v1/audit"): Rule(REVIEW, True, _audit_query),
    ("GET", "/api/v1/audit/export.csv"): Rule(REVIEW, True, _audit_query),
    # emergency overrides: operators act without approval (and are audited)
    ("GET", "/api/v1/overrides"): Rule(ANY),
    ("POST", "/api/v1/overrides"): Rule(OPS, make=_with(lambda *_: Case(), json=IN_AN_HOUR)),
    ("GET", "/api/v1/overrides/{override_id}"): Rule(ANY, True, _override),
    ("PATCH", "/api/v1/overrides/{override_id}"): Rule(OPS, True, _with(_override, json={"title": "Lũ"})),
    ("POST", "/api/v1/overrides/{override_id}/confirm"): Rule(OPS, True, _override),
    ("POST", "/api/v1/overrides/{override_id}/cancel"): Rule(OPS, True, _override),
    ("GET", "/api/v1/overrides/{override_id}/status"): Rule(ANY, True, _override),
    # player releases: only an admin of the province manages them (the matrix's users are a
    # commune's, so nobody here; tests/web/api/test_releases.py has the province admin)
    ("POST", "/api/v1/releases"): Rule(frozenset()),
    ("GET", "/api/v1/releases"): Rule(ADMIN),
    ("PUT", "/api/v1/releases/channels/{channel}"): Rule(
        frozenset(), make=lambda *_: Case(params={"channel": "pilot"}, json={"version": None})),
    ("GET", "/api/v1/releases/boards"): Rule(ANY),
    ("GET", "/api/v1/boards/{board_id}/release-channel"): Rule(ANY, True, _board),
    ("PUT", "/api/v1/boards/{board_id}/release-channel"): Rule(
        frozenset(), True, _with(_board, json={"channel": "pilot"})),
    ("DELETE", "/api/v1/boards/{board_id}/release-channel"): Rule(frozenset(), True, _board),
    ("GET", "/api/v1/units/{unit_id}/release-channel"): Rule(ANY, True, _unit),
    ("PUT", "/api/v1/units/{unit_id}/release-channel"): Rule(
        frozenset(), True, _with(_unit, json={"channel": "pilot"})),
    ("DELETE", "/api/v1/units/{unit_id}/release-channel"): Rule(frozenset(), True, _unit),
    ("POST", "/api/v1/device/release"): Rule(None),
    ("GET", "/api/v1/device/releases/{sha256}"): Rule(None),
}


def _websockets(routes: list[Any], prefix: str = "") -> list[str]:
    """WebSocket paths, also inside included routers (FastAPI keeps those as wrappers)."""
    found = []
    for route in routes:
        if isinstance(route, APIWebSocketRoute):
            found.append(prefix + route.path)
        elif hasattr(route, "original_router"):
            found += _websockets(route.original_router.routes, prefix + route.include_context.prefix)
    return found


def _app_routes() -> list[tuple[str, str]]:
    app = create_app(Settings(data_dir=Path("unused"), seed_units=False))
    found = [(method.upper(), path) for path, ops in app.openapi()["paths"].items() for method in ops]
    found += [("WS", path) for path in _websockets(app.routes)]
    return sorted(found)


ROUTES = _app_routes()


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_every_route_has_a_rule(method: str, path: str) -> None:
    assert (method, path) in RULES, f"{method} {path} has no rule in tests/web/api/test_authz_matrix.py RULES"


def test_every_rule_names_a_route() -> None:
    assert sorted(set(RULES) - set(ROUTES)) == []


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, password_hash: str) -> Iterator[Env]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("authz"), seed_units=False)
    app = create_app(settings)
    with TestClient(app) as client, Session(app.state.engine) as session:
        province = add_unit(session, "91", UnitLevel.PROVINCE, "Tỉnh", None)
        own = add_unit(session, "91001", UnitLevel.COMMUNE, "Xã A", province)
        other = add_unit(session, "91002", UnitLevel.COMMUNE, "Xã B", province)
        child = add_unit(session, "91001-01", UnitLevel.VILLAGE, "Thôn A", own)
        users = {}
        shop = Board(name="Bảng của chủ", unit_id=own, kind=BoardKind.COMMERCIAL)
        session.add(shop)
        session.commit()
        for role in Role:
            users[role] = User(username=f"{role.value}-a", role=role, unit_id=own,
                               board_id=shop.id if role == Role.OWNER else None, password_hash=password_hash)
            session.add(users[role])
        session.add(LayoutRecord(id=LAYOUT, name="Một vùng", builtin=True,
                                 regions=[{"id": "main", "role": "main", "x": 0, "y": 0, "w": 1, "h": 1}]))
        session.commit()
        yield Env(client, session, {"own": own, "child": child, "other": other}, users,
                  app.state.media_store, itertools.count(1), app)


def _expected(rule: Rule, role: Role, target: str) -> frozenset[int]:
    assert rule.roles is not None
    if role == Role.OWNER and role not in rule.roles:
        # An owner has no unit scope: a unit's objects are not theirs (404) and lists answer empty
        # (tests/web/api/test_requisition.py reads them).
        return frozenset({403, 404}) if rule.scoped else frozenset({200, 403, 404})
    if role not in rule.roles:
        return frozenset({403, 404}) if target == "other" else frozenset({403})
    return rule.other if target == "other" else rule.ok


USER_ROUTES = [(m, p) for m, p in ROUTES if (m, p) in RULES and RULES[(m, p)].roles is not None]


@pytest.mark.parametrize(("method", "path"), USER_ROUTES, ids=[f"{m} {p}" for m, p in USER_ROUTES])
def test_route_answers_each_role_by_the_rule(env: Env, method: str, path: str) -> None:
    rule = RULES[(method, path)]
    failures = []
    for role in Role:
        user = env.users[role]
        for target in TARGETS if rule.scoped else ("own",):
            case = (rule.make or (lambda *_: Case()))(env, env.units[target], user)
            token, _row = issue_token(env.session, user, TokenKind.SESSION, "authz", None)
            response = env.client.request(
                method, path.format(**case.params), json=case.json, params=case.query, files=case.files,
                data=case.data, headers={"Authorization": f"Bearer {token}"},
            )
            expected = _expected(rule, role, target)
            if response.status_code not in expected:
                failures.append(f"{role.value} on {target} unit: {response.status_code} not in "
                                f"{sorted(expected)}: {response.text[:160]}")
    assert not failures, f"{method} {path}:\n" + "\n".join(failures)


# --- devices ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def devices(env: Env) -> dict[str, Any]:
    """Two paired boards in commune A; an approved image scheduled on board two only."""
    unit = env.units["own"]
    boards = [env.add(Board(name=f"Bảng {i}", unit_id=unit)) for i in (1, 2)]
    tokens = [issue_credential(env.session, b.id, f"hw-{b.id}")[1] for b in boards]
    media = env.session.get(Media, _media(env, unit, env.users[Role.ADMIN]).params["media_id"])
    media.state = ContentState.APPROVED
    playlist = env.add(Playlist(name="Ảnh", unit_id=unit, state=ContentState.APPROVED))
    env.add(PlaylistItem(playlist_id=playlist.id, position=1, kind="image", media_id=media.id))
    schedule = env.add(Schedule(name="Bảng 2", unit_id=unit, layout_id=LAYOUT, target_kind=TargetKind.BOARD,
                                target_board_id=boards[1].id, state=ContentState.APPROVED))
    env.add(ScheduleRegion(schedule_id=schedule.id, region_id="main", playlist_id=playlist.id))
    publish(env.app.state.changes, everything=True)
    env.client.portal.call(env.app.state.composer.wait_idle)
    return {"boards": boards, "tokens": tokens, "sha256": media.sha256}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_device_reads_its_own_manifest(env: Env, devices) -> None:
    assert env.client.get("/api/v1/device/manifest", headers=_bearer(devices["tokens"][0])).status_code == 200


def test_a_device_gets_another_boards_media_as_404(env: Env, devices) -> None:
    path = f"/api/v1/device/media/{devices['sha256']}"
    assert env.client.get(path, headers=_bearer(devices["tokens"][1])).status_code == 200
    assert env.client.get(path, headers=_bearer(devices["tokens"][0])).status_code == 404


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api/v1/device/manifest"), ("POST", "/api/v1/device/credential/rotate"),
    ("GET", f"/api/v1/device/media/{'0' * 64}"),
])
def test_user_tokens_do_not_open_device_routes(env: Env, method: str, path: str) -> None:
    token, _row = issue_token(env.session, env.users[Role.ADMIN], TokenKind.SESSION, "authz", None)
    assert env.client.request(method, path, headers=_bearer(token)).status_code == 401


def test_user_tokens_do_not_open_the_device_socket(env: Env) -> None:
    token, _row = issue_token(env.session, env.users[Role.ADMIN], TokenKind.SESSION, "authz", None)
    with pytest.raises(WebSocketDisconnect), env.client.websocket_connect(
        "/api/v1/device/ws", headers=_bearer(token)
    ) as socket:
        socket.receive_text()


@pytest.mark.parametrize("path", ["/api/v1/auth/me", "/api/v1/boards", "/api/v1/bulletins"])
def test_device_tokens_do_not_open_user_routes(env: Env, devices, path: str) -> None:
    assert env.client.get(path, headers=_bearer(devices["tokens"][1])).status_code == 401


def test_api_token_rows_are_the_callers_own(env: Env) -> None:
    """Another user's API token answers 404, as if it did not exist."""
    other = env.users[Role.VIEWER]
    _plain, row = issue_token(env.session, other, TokenKind.API, "script", None)
    token, _ = issue_token(env.session, env.users[Role.EDITOR], TokenKind.SESSION, "authz", None)
    assert isinstance(row, ApiToken)
    response = env.client.delete(f"/api/v1/auth/api-tokens/{row.id}", headers=_bearer(token))
    assert response.status_code == 404
