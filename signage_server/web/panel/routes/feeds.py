"""RSS and Atom feeds: the list with each feed's state (last read, last success, the failure and
since when, said once on the feed, not per poll), a form to add one (editors), and trust, pause,
resume and delete; every action calls ``feeds/service`` as the JSON API does."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from signage_server.content import playlists
from signage_server.content.workflow import Actor
from signage_server.core.audit import client_ip
from signage_server.feeds import service
from signage_server.feeds.schemas import FeedCreate, FeedUpdate
from signage_server.models import FeedTarget
from signage_server.web.deps import SessionDep
from signage_server.web.panel.labels import N_
from signage_server.web.panel.listing import ListQuery
from signage_server.web.panel.pages import Pages, see_other
from signage_server.web.panel.refusals import SENTENCES, attempt
from signage_server.web.panel.routes.common import PagesDep, local_time, units_in_scope
from signage_server.web.panel.session import CheckedPanelUser, CurrentPanelUser, PanelUser

router = APIRouter(prefix="/feeds")
TARGETS = {FeedTarget.TICKER: N_("Ticker lines"), FeedTarget.BULLETIN: N_("Bulletins")}
DONE_WORDS = {"saved": N_("The feed was saved."), "deleted": N_("The feed was deleted.")}


def _page(request: Request, session: Session, who: PanelUser, view: Pages, *, error: str = "") -> Response:
    q = ListQuery(dict(request.query_params))
    found = service.feed_page(session, user=who.user, wanted=q.page)
    lists = playlists.list_playlists(session, user=who.user)
    return view.render(
        request, "feeds.html", who, found=found, q=q, units=units_in_scope(session, who.user),
        playlists={p.id: p.name for p in lists}, targets=TARGETS, failures=SENTENCES, local_time=local_time,
        error=error, status_code=422 if error else 200,
        done=DONE_WORDS.get(request.query_params.get("done", "")),
    )


@router.get("")
def feed_list(request: Request, session: SessionDep, who: CurrentPanelUser, view: PagesDep) -> Response:
    return _page(request, session, who, view)


def _minutes(hours: str) -> int | str:
    """Hours as typed (``6``, ``1,5``) in minutes; what does not parse goes on for the form's words."""
    try:
        return round(float(hours.replace(",", ".")) * 60)
    except ValueError:
        return hours


@router.post("")
def create(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           name: Annotated[str, Form()], url: Annotated[str, Form()], target: Annotated[str, Form()],
           playlist_id: Annotated[str, Form()], unit_id: Annotated[str, Form()] = "",
           validity_hours: Annotated[str, Form()] = "6", poll_interval_min: Annotated[str, Form()] = "15",
           trusted: Annotated[str, Form()] = "") -> Response:
    def made() -> object:
        body = FeedCreate.model_validate({
            "name": name, "url": url, "target": target, "playlist_id": playlist_id,
            "unit_id": unit_id or None, "validity_min": _minutes(validity_hours),
            "poll_interval_min": poll_interval_min, "trusted": trusted == "yes"})
        return service.create_feed(session, actor=Actor(who.user, client_ip(request)), data=body)

    done, error = attempt(made, view.translator(request))
    return _page(request, session, who, view, error=error) if done is None else see_other(
        "/panel/feeds?done=saved")


@router.post("/{feed_id}/change")
def change(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep, feed_id: int,
           field: Annotated[str, Form()], value: Annotated[str, Form()]) -> Response:
    """Trust or distrust (admins, approvers), pause or resume (editors, approvers)."""
    if field not in ("trusted", "active"):
        tr = view.translator(request)
        return _page(request, session, who, view, error=tr(SENTENCES["content.invalid"]))
    patch = FeedUpdate.model_validate({field: value == "yes"})
    actor = Actor(who.user, client_ip(request))
    done, error = attempt(lambda: service.update_feed(session, actor=actor, feed_id=feed_id, patch=patch),
                          view.translator(request))
    return _page(request, session, who, view, error=error) if done is None else see_other(
        "/panel/feeds?done=saved")


@router.post("/{feed_id}/delete")
def delete(request: Request, session: SessionDep, who: CheckedPanelUser, view: PagesDep,
           feed_id: int) -> Response:
    def gone() -> bool:
        service.delete_feed(session, actor=Actor(who.user, client_ip(request)), feed_id=feed_id)
        return True

    done, error = attempt(gone, view.translator(request))
    return _page(request, session, who, view, error=error) if done is None else see_other(
        "/panel/feeds?done=deleted")
