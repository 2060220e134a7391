"""The routes every kind of content has alike: list, create, get, update, delete, change state,
archive and restore.

``add_content_routes`` writes them once for a kind, calling the kind's service functions by their
names (``list_bulletins``, ``get_bulletin``, ``change_bulletin_state``, ...). The path parameter
keeps the kind's own name (``/{bulletin_id}``) and each route keeps its own name, so the URLs,
OpenAPI operation ids and error locations are the ones of routes written out by hand.
"""

# No ``from __future__ import annotations``: FastAPI reads the parameter types of these routes at
# run time, and the id type and body models are only known when a kind adds its routes.

from collections.abc import Callable, Collection
from types import GenericAlias, ModuleType
from typing import Any, TypeVar

from fastapi import APIRouter, Path, status
from pydantic import BaseModel

from signage_server.models import ContentState
from signage_server.schemas import StateChange
from signage_server.web.deps import ChangesDep, CurrentActor, CurrentUser, EditorActor, SessionDep

ALL_ROUTES = ("list", "create", "get", "update", "delete", "state", "archive")
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def _typed(endpoint: Endpoint, **annotations: type) -> Endpoint:
    """Give ``endpoint`` the parameter types of this kind; FastAPI reads them from here."""
    endpoint.__annotations__.update(annotations)
    return endpoint


def add_content_routes(
    router: APIRouter,
    service: ModuleType,
    *,
    noun: str,
    plural: str,
    public: type[BaseModel],
    create: type[BaseModel] = BaseModel,
    update: type[BaseModel] = BaseModel,
    id_type: type = int,
    routes: Collection[str] = ALL_ROUTES,
    state_filter: bool = True,
    update_description: str | None = None,
) -> None:
    """Add the ``routes`` of one kind to ``router``, in the order of ``ALL_ROUTES``.

    Reading takes a signed-in user, create, update, delete, archive and restore an editor, a state
    change any actor (the service decides which moves the actor may make). ``create`` and
    ``update`` are the body models, ``state_filter`` whether the list takes ``?state=`` (and
    ``?archived=``: the archived rows instead of the others)."""
    id_name = f"{noun}_id"
    one = f"/{{{id_name}}}"

    names = {"list": f"list_{plural}", "create": f"create_{noun}", "get": f"get_{noun}",
             "update": f"update_{noun}", "delete": f"delete_{noun}", "state": f"change_{noun}_state"}
    # Looked up now, not per request: a kind whose service lacks one fails at import, naming it.
    wanted = [names[r] for r in routes if r != "archive"]
    if "archive" in routes:
        wanted += [f"archive_{noun}", f"restore_{noun}"]
    functions: dict[str, Callable[..., Any]] = {name: getattr(service, name) for name in wanted}

    def call(name: str, *args: object, **kwargs: object) -> Any:
        return functions[name](*args, **kwargs)

    def list_filtered(session: SessionDep, user: CurrentUser, state: ContentState | None = None,
                      archived: bool = False) -> Any:
        return call(f"list_{plural}", session, user=user, state=state, archived=archived)

    def list_all(session: SessionDep, user: CurrentUser) -> Any:
        return call(f"list_{plural}", session, user=user)

    def create_one(session: SessionDep, actor: EditorActor, changes: ChangesDep, body: BaseModel) -> Any:
        return call(f"create_{noun}", session, actor=actor, changes=changes, data=body)

    def get_one(session: SessionDep, user: CurrentUser, item_id: int = Path(alias=id_name)) -> Any:
        return call(f"get_{noun}", session, user=user, **{id_name: item_id})

    def update_one(session: SessionDep, actor: EditorActor, changes: ChangesDep, body: BaseModel,
                   item_id: int = Path(alias=id_name)) -> Any:
        return call(f"update_{noun}", session, actor=actor, changes=changes, patch=body,
                    **{id_name: item_id})

    def delete_one(session: SessionDep, actor: EditorActor, changes: ChangesDep,
                   item_id: int = Path(alias=id_name)) -> None:
        call(f"delete_{noun}", session, actor=actor, changes=changes, **{id_name: item_id})

    def change_state(session: SessionDep, actor: CurrentActor, changes: ChangesDep, body: StateChange,
                     item_id: int = Path(alias=id_name)) -> Any:
        return call(f"change_{noun}_state", session, actor=actor, changes=changes, change=body,
                    **{id_name: item_id})

    def archive_one(session: SessionDep, actor: EditorActor, changes: ChangesDep,
                    item_id: int = Path(alias=id_name)) -> Any:
        return call(f"archive_{noun}", session, actor=actor, changes=changes, **{id_name: item_id})

    def restore_one(session: SessionDep, actor: EditorActor, changes: ChangesDep,
                    item_id: int = Path(alias=id_name)) -> Any:
        return call(f"restore_{noun}", session, actor=actor, changes=changes, **{id_name: item_id})

    add = router.add_api_route
    if "list" in routes:
        add("", list_filtered if state_filter else list_all, methods=["GET"], name=f"list_{plural}",
            response_model=GenericAlias(list, (public,)))
    if "create" in routes:
        add("", _typed(create_one, body=create), methods=["POST"], name=f"create_{noun}",
            response_model=public, status_code=status.HTTP_201_CREATED)
    if "get" in routes:
        add(one, _typed(get_one, item_id=id_type), methods=["GET"], name=f"get_{noun}",
            response_model=public)
    if "update" in routes:
        add(one, _typed(update_one, body=update, item_id=id_type), methods=["PATCH"],
            name=f"update_{noun}", response_model=public, description=update_description)
    if "delete" in routes:
        add(one, _typed(delete_one, item_id=id_type), methods=["DELETE"], name=f"delete_{noun}",
            status_code=status.HTTP_204_NO_CONTENT)
    if "state" in routes:
        add(f"{one}/state", _typed(change_state, item_id=id_type), methods=["POST"],
            name="change_state", response_model=public)
    if "archive" in routes:
        add(f"{one}/archive", _typed(archive_one, item_id=id_type), methods=["POST"], name=f"archive_{noun}",
            response_model=public, description="Off air and out of lists and pickers; refused while "
            "content that is not archived uses it (``content.in_use`` names it).")
        add(f"{one}/restore", _typed(restore_one, item_id=id_type), methods=["POST"], name=f"restore_{noun}",
            response_model=public, description="Back as it was: approved content plays again without "
            "a new approval.")
