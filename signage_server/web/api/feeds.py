"""RSS and Atom feeds (``feeds/service``): list and read in scope; create, change, delete by editors
and admins of the unit; trust by admins and approvers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from signage_server.content.workflow import Actor
from signage_server.core.paging import PageRequest
from signage_server.feeds import service
from signage_server.feeds.schemas import FeedCreate, FeedPublic, FeedUpdate
from signage_server.web.deps import ClientIpDep, CurrentUser, SessionDep

router = APIRouter(prefix="/feeds", tags=["feeds"])


@router.get("", response_model=list[FeedPublic])
def list_feeds(session: SessionDep, user: CurrentUser,
               page: Annotated[int, Query(ge=1)] = 1) -> list[FeedPublic]:
    """The feeds in the caller's scope, newest first, a page at a time, each with its state (last
    read, last success, the failure and since when)."""
    return service.feed_page(session, user=user, wanted=PageRequest(number=page)).rows


@router.post("", response_model=FeedPublic, status_code=status.HTTP_201_CREATED)
def create_feed(session: SessionDep, user: CurrentUser, ip: ClientIpDep, body: FeedCreate) -> FeedPublic:
    return service.create_feed(session, actor=Actor(user, ip), data=body)


@router.get("/{feed_id}", response_model=FeedPublic)
def get_feed(session: SessionDep, user: CurrentUser, feed_id: int) -> FeedPublic:
    return service.get_feed(session, user=user, feed_id=feed_id)


@router.patch("/{feed_id}", response_model=FeedPublic)
def update_feed(session: SessionDep, user: CurrentUser, ip: ClientIpDep, feed_id: int,
                body: FeedUpdate) -> FeedPublic:
    return service.update_feed(session, actor=Actor(user, ip), feed_id=feed_id, patch=body)


@router.delete("/{feed_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_feed(session: SessionDep, user: CurrentUser, ip: ClientIpDep, feed_id: int) -> None:
    service.delete_feed(session, actor=Actor(user, ip), feed_id=feed_id)
