"""Per-bulletin receipts, the bulletins report of a unit, individual proof of play, and a source
account's bulletin webhook: what the province's source system pulls (and is pushed) to see how
its bulletins reach people. Every read is scoped to the caller's units."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import StreamingResponse

from signage_server.core.paging import MAX_PER_PAGE, PER_PAGE, PageRequest, page_of_list
from signage_server.reports import bulletin_reach, play_records, receipts, webhooks
from signage_server.web.deps import ClientIpDep, CurrentUser, EngineDep, HealthDep, SessionDep, SettingsDep

router = APIRouter(tags=["receipts"])
CSV_TYPE = "text/csv; charset=utf-8"


def _csv(text: str, name: str) -> Response:
    return Response(text.encode("utf-8"), media_type=CSV_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/bulletins/{bulletin_id}/receipts", response_model=receipts.BulletinReceipts)
def bulletin_receipts(session: SessionDep, user: CurrentUser, bulletin_id: int) -> receipts.BulletinReceipts:
    """For each board of the caller's units that the bulletin targets, received or aired: when
    it received the manifest naming it, first and last aired, plays and airtime, and the latest
    screenshot taken while it was showing; totals, and the targeted boards that never aired it."""
    return receipts.bulletin_receipts(session, actor=user, bulletin_id=bulletin_id)


@router.get("/bulletins/{bulletin_id}/receipts.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
def bulletin_receipts_csv(session: SessionDep, user: CurrentUser, bulletin_id: int) -> Response:
    """The receipts, one row per board; times ISO 8601 with the +07:00 offset."""
    found = receipts.bulletin_receipts(session, actor=user, bulletin_id=bulletin_id)
    return _csv(receipts.receipts_csv(found), f"bulletin-{bulletin_id}-receipts.csv")


class ReachPage(bulletin_reach.BulletinReachReport):
    page: int
    pages: int
    per_page: int
    total: int


@router.get("/reports/bulletins", response_model=ReachPage, responses={200: {"content": {"text/csv": {}}}})
def bulletins_report(
    session: SessionDep,
    user: CurrentUser,
    health: HealthDep,
    unit_id: int,
    first: Annotated[date | None, Query(alias="from", description="local date, inclusive")] = None,
    last: Annotated[date | None, Query(alias="to", description="local date, inclusive")] = None,
    format: Literal["json", "csv"] = "json",
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = PER_PAGE,
) -> ReachPage | Response:
    """Every bulletin of the unit's subtree over the period, with its reach (boards aired /
    targeted) and airtime, most airtime first; JSON is paged, CSV holds every row."""
    report = bulletin_reach.bulletin_reach(session, actor=user, unit_id=unit_id, first=first, last=last,
                                           now=health.clock())
    if format == "csv":
        return _csv(bulletin_reach.reach_csv(report), bulletin_reach.reach_file_name(report))
    shown = page_of_list(report.bulletins, PageRequest(page, per_page))
    return ReachPage(**report.model_dump(exclude={"bulletins"}), bulletins=shown.rows, page=shown.number,
                     pages=shown.pages, per_page=shown.per_page, total=shown.total)


@router.get("/plays", response_model=play_records.PlayPage)
def plays(
    session: SessionDep,
    user: CurrentUser,
    board_id: int | None = None,
    bulletin_id: int | None = None,
    start: Annotated[datetime | None, Query(alias="from", description="started at/after, ISO 8601")] = None,
    end: Annotated[datetime | None, Query(alias="to", description="started before (ISO 8601)")] = None,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor given")] = None,
    limit: Annotated[int, Query(ge=1, le=play_records.MAX_LIMIT)] = play_records.DEFAULT_LIMIT,
) -> play_records.PlayPage:
    """Individual proof-of-play records of the caller's units, oldest first, keyset-paged."""
    wanted = play_records.PlayFilter(board_id, bulletin_id, start, end)
    return play_records.play_page(session, actor=user, wanted=wanted, cursor=cursor, limit=limit)


@router.get("/plays.csv", response_class=StreamingResponse, responses={200: {"content": {"text/csv": {}}}})
def plays_csv(
    engine: EngineDep,
    user: CurrentUser,
    board_id: int | None = None,
    bulletin_id: int | None = None,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
) -> StreamingResponse:
    """The same records as CSV, streamed; times ISO 8601 with the +07:00 offset."""
    wanted = play_records.checked(play_records.PlayFilter(board_id, bulletin_id, start, end))
    return StreamingResponse(play_records.stream_csv(engine, actor=user, wanted=wanted), media_type=CSV_TYPE,
                             headers={"Content-Disposition": 'attachment; filename="plays.csv"'})


@router.put("/webhooks/bulletins", response_model=webhooks.WebhookPublic)
def set_bulletin_webhook(session: SessionDep, user: CurrentUser, ip: ClientIpDep, settings: SettingsDep,
                         body: webhooks.WebhookSet) -> webhooks.WebhookPublic:
    """Register (or replace) the calling account's webhook, called when a bulletin it wrote first
    airs on every targeted board, or misses its deadline on one (signed, retried)."""
    return webhooks.set_webhook(session, actor=user, wanted=body, ip=ip,
                                allow_private=settings.bulletin_webhook_allow_private)


@router.get("/webhooks/bulletins", response_model=webhooks.WebhookPublic)
def get_bulletin_webhook(session: SessionDep, user: CurrentUser) -> webhooks.WebhookPublic:
    return webhooks.get_webhook(session, actor=user)


@router.delete("/webhooks/bulletins", status_code=status.HTTP_204_NO_CONTENT)
def delete_bulletin_webhook(session: SessionDep, user: CurrentUser, ip: ClientIpDep) -> None:
    webhooks.delete_webhook(session, actor=user, ip=ip)
