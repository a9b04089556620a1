"""Change feeds for polling systems: the police's agenda items and a corporation's signals.

Each answer carries an `ETag` of its content; a poll with `If-None-Match` that would get the same
content is a bodiless 304. `Link: rel="next"` points at the next page while `hasMore` is true.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel, TypeAdapter
from starlette.responses import Response

from api.dependencies import UowDep, scoped
from api.direct import DirectRoute
from api.schemas.feeds import CURSOR_DESCRIPTION, AgendaFeed, SignalFeed
from domain import feeds
from domain.identity import Role

router = APIRouter(prefix="/feeds", tags=["feeds"], route_class=DirectRoute)
Police = scoped(Role.police_system)
Housing = scoped(Role.housing_system)

Since = Annotated[str | None, Query(max_length=200, description=CURSOR_DESCRIPTION)]
Limit = Annotated[
    int,
    Query(ge=1, le=feeds.MAX_LIMIT, description=f"At most this many changes (1–{feeds.MAX_LIMIT})."),
]
IfNoneMatch = Annotated[
    str | None,
    Header(
        alias="If-None-Match",
        max_length=1000,
        description="The ETag of your previous answer to the same request: 304 while nothing changed.",
    ),
]
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {304: {"description": "Not Modified: nothing changed since your ETag."}}


def _matches(tag: str, if_none_match: str | None) -> bool:
    if if_none_match is None:
        return False
    offered = [value.strip().removeprefix("W/") for value in if_none_match.split(",")]
    return "*" in offered or tag in offered


def conditional(
    request: Request, content: BaseModel | bytes, if_none_match: str | None, has_more: bool, cursor: str
) -> Response:
    """The content (a model, or its JSON already written) with a strong ETag of its bytes, or a 304 when
    the caller already holds them."""
    body = content if isinstance(content, bytes) else TypeAdapter(type(content)).dump_json(content, by_alias=True)
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": tag}
    if has_more:
        url = request.url.include_query_params(since=cursor)
        headers["Link"] = f'<{url.path}?{url.query}>; rel="next"'
    if _matches(tag, if_none_match):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


@router.get(
    "/agenda-items",
    operation_id="getAgendaItemFeed",
    summary="Every change to agenda items on the police's agenda, in order, from your cursor",
    description=(
        "For the police's system. Changes start when the koppel puts an item on the agenda (`created`) and "
        "include edits and answers (`updated`) and withdrawals (`withdrawn`, a tombstone). Apply them in "
        "order — upsert `item`, remove on a tombstone — and you hold exactly the current agenda. Numbers "
        "follow commit order: a change committed later never appears before one you already read."
    ),
    response_model=AgendaFeed,
    responses=NOT_MODIFIED,
)
async def get_agenda_item_feed(
    request: Request,
    uow: UowDep,
    scope: Police,
    since: Since = None,
    limit: Limit = feeds.DEFAULT_LIMIT,
    if_none_match: IfNoneMatch = None,
) -> Response:
    page = await feeds.read_agenda_feed(uow, scope, since, limit)
    return conditional(request, AgendaFeed.json_of(page), if_none_match, page.has_more, page.cursor)


@router.get(
    "/signals",
    operation_id="getSignalFeed",
    summary="Every change to your organisation's signals, in order, from your cursor",
    description=(
        "For housing corporations' systems: the progress of the signals your organisation submitted — recorded "
        "(`created`), corrected by the koppel (`updated`), moved to another status (`status_changed`) — each "
        "with the signal's receipt as it is now. Numbers follow commit order: a change committed later never "
        "appears before one you already read."
    ),
    response_model=SignalFeed,
    responses=NOT_MODIFIED,
)
async def get_signal_feed(
    request: Request,
    uow: UowDep,
    scope: Housing,
    since: Since = None,
    limit: Limit = feeds.DEFAULT_LIMIT,
    if_none_match: IfNoneMatch = None,
) -> Response:
    page = await feeds.read_signal_feed(uow, scope, since, limit)
    return conditional(request, SignalFeed.of(page), if_none_match, page.has_more, page.cursor)
