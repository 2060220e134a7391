"""FastAPI dependency aliases, gathered in one place (``SessionDep``, ``SettingsDep``, ...).

The services built in ``create_app`` live on ``app.state``; this module and the wiring are the only
places that read it. Routes and pages take what they use as an alias (``HubDep``, ``MediaStoreDep``,
``OperatorUser``...), so a test can see from a signature what a route touches.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated, TypeVar

from anyio import CapacityLimiter
from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer
from nacl.signing import SigningKey
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.requests import HTTPConnection

from signage_server.content.media_store import MediaStore
from signage_server.content.speech import Speaker
from signage_server.content.workflow import Actor
from signage_server.core import roles
from signage_server.core.audit import client_ip
from signage_server.core.auth import user_for_token
from signage_server.core.bus import Bus
from signage_server.core.changes import ChangeFeed
from signage_server.core.login_guard import Guard
from signage_server.devices.auth import UNPAIRED, bearer_token, credential_for_token
from signage_server.devices.hub import Hub
from signage_server.devices.pairing import PairingLimits
from signage_server.devices.poll_cache import PollCache
from signage_server.emergency.delivery import Delivery
from signage_server.emergency.receipts import ReceiptRecorder
from signage_server.health.monitor import HealthMonitor
from signage_server.health.screenshots import ScreenshotStore
from signage_server.health.writer import HeartbeatWriter
from signage_server.manifest.composer import Composer
from signage_server.models import DeviceCredential, Role, User
from signage_server.settings import Settings

T = TypeVar("T")


def state_of(connection: HTTPConnection, name: str, kind: type[T]) -> T:
    """The service ``name`` built by ``create_app`` (checked to be a ``kind``)."""
    value: T = getattr(connection.app.state, name)
    return value


def _service(name: str, kind: type[T]) -> Callable[[HTTPConnection], Awaitable[T]]:
    # async: FastAPI calls it on the event loop, not in a worker thread (the device hot paths use these)
    async def get(connection: HTTPConnection) -> T:
        return state_of(connection, name, kind)

    get.__name__ = f"get_{name}"
    return get


get_settings = _service("settings", Settings)
get_engine = _service("engine", Engine)


def get_bus(connection: HTTPConnection) -> Bus:
    bus: Bus = connection.app.state.bus
    return bus


def get_login_guard(connection: HTTPConnection) -> Guard:
    guard: Guard = connection.app.state.login_guard
    return guard


def get_pairing_limits(connection: HTTPConnection) -> PairingLimits:
    limits: PairingLimits = connection.app.state.pairing_limits
    return limits


def get_session(connection: HTTPConnection) -> Iterator[Session]:
    with Session(state_of(connection, "engine", Engine)) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
EngineDep = Annotated[Engine, Depends(get_engine)]
MediaStoreDep = Annotated[MediaStore, Depends(_service("media_store", MediaStore))]
SpeakerDep = Annotated[Speaker, Depends(_service("speaker", Speaker))]
ScreenshotStoreDep = Annotated[ScreenshotStore, Depends(_service("screenshot_store", ScreenshotStore))]
HubDep = Annotated[Hub, Depends(_service("hub", Hub))]
BusDep = Annotated[Bus, Depends(get_bus)]
ComposerDep = Annotated[Composer, Depends(_service("composer", Composer))]
PollCacheDep = Annotated[PollCache, Depends(_service("poll_cache", PollCache))]
ChangesDep = Annotated[ChangeFeed, Depends(_service("changes", ChangeFeed))]
HealthDep = Annotated[HealthMonitor, Depends(_service("health", HealthMonitor))]
HeartbeatWriterDep = Annotated[HeartbeatWriter, Depends(_service("heartbeat_writer", HeartbeatWriter))]
DeviceThreadsDep = Annotated[CapacityLimiter, Depends(_service("device_threads", CapacityLimiter))]
ReceiptsDep = Annotated[ReceiptRecorder, Depends(_service("receipts", ReceiptRecorder))]
SigningKeyDep = Annotated[SigningKey, Depends(_service("signing_key", SigningKey))]
LoginGuardDep = Annotated[Guard, Depends(get_login_guard)]
PairingLimitsDep = Annotated[PairingLimits, Depends(get_pairing_limits)]
def get_client_ip(connection: HTTPConnection) -> str:
    return client_ip(connection)


ClientIpDep = Annotated[str, Depends(get_client_ip)]
"""The caller's address, as the audit trail records it."""


async def get_override_delivery(bus: BusDep, changes: ChangesDep) -> Delivery:
    return Delivery(bus=bus, changes=changes)


OverrideDeliveryDep = Annotated[Delivery, Depends(get_override_delivery)]


# --- users and roles -------------------------------------------------------------------------

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def get_current_user(session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]) -> User:
    user = None if token is None else user_for_token(session, token)
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "not authenticated: send a valid bearer token (POST /api/v1/auth/token)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_roles(allowed: frozenset[Role]) -> Callable[[User], User]:
    """A dependency that lets only these roles through (403 otherwise)."""

    def check(user: CurrentUser) -> User:
        if user.role not in allowed:
            needed = roles.describe(allowed)
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs one of the roles: {needed}")
        return user

    return check


AdminUser = Annotated[User, Depends(require_roles(roles.ADMINS))]
EditorUser = Annotated[User, Depends(require_roles(roles.EDITORS))]
ReviewerUser = Annotated[User, Depends(require_roles(roles.REVIEWERS))]
OperatorUser = Annotated[User, Depends(require_roles(roles.OPERATORS))]
RequisitionerUser = Annotated[User, Depends(require_roles(roles.REQUISITIONERS))]
OwnerUser = Annotated[User, Depends(require_roles(roles.OWNERS))]


# --- devices ---------------------------------------------------------------------------------


def get_current_device(connection: HTTPConnection, session: SessionDep) -> DeviceCredential:
    credential = credential_for_token(session, bearer_token(connection.headers.get("authorization")))
    if credential is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, UNPAIRED, headers={"WWW-Authenticate": "Bearer"})
    return credential


CurrentDevice = Annotated[DeviceCredential, Depends(get_current_device)]


# --- who acts, as the audit trail records them ----------------------------------------------------


def current_actor(user: CurrentUser, ip: ClientIpDep) -> Actor:
    return Actor(user, ip)


def editor_actor(user: EditorUser, ip: ClientIpDep) -> Actor:
    return Actor(user, ip)


def owner_actor(user: OwnerUser, ip: ClientIpDep) -> Actor:
    return Actor(user, ip)


CurrentActor = Annotated[Actor, Depends(current_actor)]
"""The signed-in user and their address: what content services take as ``actor``."""
EditorActor = Annotated[Actor, Depends(editor_actor)]
"""``CurrentActor`` for admins and editors only (403 otherwise, as ``EditorUser``)."""
OwnerActor = Annotated[Actor, Depends(owner_actor)]
"""``CurrentActor`` for a requisitioned board's owner only (403 otherwise)."""
