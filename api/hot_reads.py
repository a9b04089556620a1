"""The busiest reads on PostgreSQL, answered before FastAPI's routing: a koppel member's
GET /api/v1/residents/{residentId}, GET /api/v1/signals (a work queue the front end polls all day),
GET /api/v1/contact-moments (the koppel's own record) and GET /api/v1/wijken/{wijkId}/statistics (the
dashboards of koppels and gemeenten).

Around their statements FastAPI's routing, dependency solving, a session and SQLAlchemy's connection
wrappers cost the worker more than the work itself. Here the same rules run without them, through the
same functions as the routes: the token by api.dependencies (verified_subject, principal_of_token,
scope_of), the use cases of the domain (domain.residents.one_trip_read and one_trip_resident around
the resident's one statement; domain.signals.list_signals, domain.contact_moments.list_contact_moments
and domain.statistics through the routes' own signal_page_response, contact_moment_page_response and
statistics_response), statements on connections of the worker's own driver pool
(persistence.db.create_driver_pool), and the routes' own answers. The HTTP envelope, the admission
gate and CORS wrap these answers as they wrap the routes'.

Only the 200 is answered here. Any other request — another method or path, an id or a query parameter
in any spelling but the plainest one the route takes (an unknown or repeated parameter included), no
bearer token, a token that fails, a system's token for a resident, an unknown or inactive account, a
role not admitted, a resident or wijk out of reach, a period refused, a database that fails — goes on
to the route, which answers it exactly as it always has. Nothing was written by then: a signal list
and statistics write nothing, the resident's statement stores the read's audit event only when it
returns the resident, and a page of contact moments is one statement that stores its audit events
with the page (a connection lost after such a statement committed is the one exception, and then the
route's read is audited too: a read is never served unaudited).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from functools import cached_property
from typing import Any, TypeVar
from urllib.parse import parse_qsl
from uuid import UUID

import asyncpg
from fastapi.security.utils import get_authorization_scheme_param
from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from api.dependencies import CURSOR_MAX_LENGTH, principal_of_token, scope_of, unit_of_work, verified_subject
from api.logs import REQUEST_ID
from api.middleware import ROUTE_TEMPLATE, give_back_lease
from api.openapi import API_PREFIX
from api.routers.contact_moments import READERS as CONTACT_MOMENT_READERS
from api.routers.contact_moments import contact_moment_page_response
from api.routers.residents import READERS, resident_response
from api.routers.signals import READERS as SIGNAL_READERS
from api.routers.signals import signal_page_response
from api.routers.statistics import READERS as STATISTICS_READERS
from api.routers.statistics import statistics_response
from domain import residents
from domain.audit import Access
from domain.casework import Priority
from domain.contact_moments import ContactKind, ContactMomentFilter
from domain.errors import DomainError
from domain.identity import Caller, Role
from domain.pagination import DEFAULT_LIMIT, MAX_LIMIT, PageRequest
from domain.scope import Scope as CallerScope
from domain.signals import SignalCategory, SignalFilter, SignalSource, SignalStatus
from persistence.residents import read_audited_on_driver
from persistence.uow import SqlUnitOfWork

E = TypeVar("E", bound=Enum)

SIGNALS_ROUTE = f"{API_PREFIX}/signals"
CONTACT_MOMENTS_ROUTE = f"{API_PREFIX}/contact-moments"
RESIDENT_PREFIX = f"{API_PREFIX}/residents/"
RESIDENT_ROUTE = f"{API_PREFIX}/residents/{{residentId}}"
STATISTICS_ROUTE = f"{API_PREFIX}/wijken/{{wijkId}}/statistics"
# Only the canonical spelling: any other the route's UUID parameter may take or refuse is its to judge.
_ID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_CANONICAL_ID = re.compile(_ID)
_STATISTICS_PATH = re.compile(rf"{API_PREFIX}/wijken/({_ID})/statistics")
# Only YYYY-MM-DD in ASCII digits: date.fromisoformat also reads 20260301 and 2026-W09-1, which the
# routes' date parameters refuse.
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# What the driver raises when the database cannot serve: the route then meets the same and answers it.
_DRIVER_FAILURES = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError)


class HotReads:
    def __init__(self, app: ASGIApp, state: State) -> None:
        self.app = app
        self.state = state  # the app's: its token service, session factories and driver pool

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            path: str = scope["path"]
            answer, route = None, None
            if path.startswith(RESIDENT_PREFIX) and _CANONICAL_ID.fullmatch(path, len(RESIDENT_PREFIX)):
                answer, route = await self._read_resident(scope, UUID(path[len(RESIDENT_PREFIX):])), RESIDENT_ROUTE
            elif path == SIGNALS_ROUTE:
                answer, route = await self._list_signals(scope), SIGNALS_ROUTE
            elif path == CONTACT_MOMENTS_ROUTE:
                answer, route = await self._list_contact_moments(scope), CONTACT_MOMENTS_ROUTE
            elif (wijk := _STATISTICS_PATH.fullmatch(path)) is not None:
                answer, route = await self._wijk_statistics(scope, UUID(wijk[1])), STATISTICS_ROUTE
            if answer is not None:
                scope[ROUTE_TEMPLATE] = route
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _read_resident(self, scope: Scope, resident_id: UUID) -> Response | None:
        pool = getattr(self.state, "driver_pool", None)
        token = _bearer_token(scope)
        if pool is None or token is None:
            return None
        try:
            kind, principal_id, vouched = verified_subject(self.state.tokens, token)
            caller = Caller(kind, principal_id, READERS, vouched)
            question = residents.one_trip_read(caller, resident_id, datetime.now(UTC), REQUEST_ID.get())
            if question is None:
                return None
            resident = residents.one_trip_resident(caller, await read_audited_on_driver(pool, question))
        except (DomainError, *_DRIVER_FAILURES):
            return None
        return resident_response(resident)

    async def _list_signals(self, scope: Scope) -> Response | None:
        asked = _list_query(scope["query_string"], _SIGNAL_LIST)
        if asked is None:
            return None
        page, given = asked
        filters = SignalFilter(
            given["wijkId"], given["status"], given["category"], given["source"], given["urgency"],
            given["createdFrom"], given["createdTo"],
        )
        return await self._scoped_read(
            scope, SIGNAL_READERS, lambda uow, reached: signal_page_response(Request(scope), uow, reached, page, filters)
        )

    async def _list_contact_moments(self, scope: Scope) -> Response | None:
        asked = _list_query(scope["query_string"], _CONTACT_MOMENT_LIST)
        if asked is None:
            return None
        page, given = asked
        filters = ContactMomentFilter(
            given["wijkId"], given["koppelId"], given["kind"], given["from"], given["to"], given["residentId"]
        )
        return await self._scoped_read(
            scope,
            CONTACT_MOMENT_READERS,
            lambda uow, reached: contact_moment_page_response(
                Request(scope), uow, Access(reached, REQUEST_ID.get()), page, filters
            ),
        )

    async def _wijk_statistics(self, scope: Scope, wijk_id: UUID) -> Response | None:
        asked = _statistics_query(scope["query_string"])
        if asked is None:
            return None
        return await self._scoped_read(
            scope, STATISTICS_READERS, lambda uow, reached: statistics_response(self.state, uow, reached, wijk_id, *asked)
        )

    async def _scoped_read(
        self, scope: Scope, readers: frozenset[Role], respond: Callable[[SqlUnitOfWork, CallerScope], Awaitable[Response]]
    ) -> Response | None:
        """`respond`'s answer for the token's principal and its scope, when its role is one of `readers`."""
        token = _bearer_token(scope)
        if token is None or getattr(self.state, "driver_pool", None) is None:
            return None
        uow = unit_of_work(self.state, scope)
        try:
            principal = await principal_of_token(uow, self.state.tokens, token)
            if principal.role in readers:
                return await respond(uow, await scope_of(uow, principal))
        except (DomainError, *_DRIVER_FAILURES):
            pass
        # The route answers with a session of its own: this one's driver connection goes back at once.
        await give_back_lease(uow.session)
        return None


def _query_values(query_string: bytes, names: frozenset[str]) -> dict[str, str] | None:
    """The query's parameters by name, when each is one of `names` and given at most once; else None."""
    values: dict[str, str] = {}
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        if name in values or name not in names:
            return None
        values[name] = value
    return values


_STATISTICS_PARAMETERS = frozenset({"from", "to"})


def _statistics_query(query_string: bytes) -> tuple[date | None, date | None] | None:
    """getWijkStatistics' period when its query holds only `from` and `to`, each at most once, as
    YYYY-MM-DD; else None (the route judges the rest)."""
    values = _query_values(query_string, _STATISTICS_PARAMETERS)
    if values is None:
        return None
    try:
        return _day(values.get("from")), _day(values.get("to"))
    except ValueError:
        return None


@dataclass(frozen=True)
class _ListParameters:
    """A list operation's query parameters besides limit and cursor, by the kind of value they take."""

    ids: tuple[str, ...]
    enums: tuple[tuple[str, type[Enum]], ...]
    days: tuple[str, ...]

    @cached_property
    def names(self) -> frozenset[str]:
        return frozenset({"limit", "cursor", *self.ids, *(name for name, _ in self.enums), *self.days})


_SIGNAL_LIST = _ListParameters(
    ids=("wijkId",),
    enums=(("status", SignalStatus), ("category", SignalCategory), ("source", SignalSource), ("urgency", Priority)),
    days=("createdFrom", "createdTo"),
)
_CONTACT_MOMENT_LIST = _ListParameters(
    ids=("wijkId", "koppelId", "residentId"), enums=(("kind", ContactKind),), days=("from", "to")
)


def _list_query(query_string: bytes, parameters: _ListParameters) -> tuple[PageRequest, dict[str, Any]] | None:
    """The page and the filters (every parameter by name, None when not given) when every query
    parameter is one the list takes, given once, in the spelling its validation surely accepts; else
    None (the route judges the rest)."""
    values = _query_values(query_string, parameters.names)
    if values is None:
        return None
    limit = values.get("limit")
    if limit is not None and not (limit.isascii() and limit.isdigit() and 1 <= int(limit) <= MAX_LIMIT):
        return None
    cursor = values.get("cursor")
    if cursor is not None and len(cursor) > CURSOR_MAX_LENGTH:
        return None
    given: dict[str, Any] = {}
    try:
        for name in parameters.ids:
            value = values.get(name)
            if value is not None and not _CANONICAL_ID.fullmatch(value):
                return None
            given[name] = UUID(value) if value is not None else None
        for name, kind in parameters.enums:
            given[name] = _member(kind, values.get(name))
        for name in parameters.days:
            given[name] = _day(values.get(name))
    except ValueError:
        return None
    return PageRequest(int(limit) if limit is not None else DEFAULT_LIMIT, cursor), given


def _member(kind: type[E], value: str | None) -> E | None:
    return kind(value) if value is not None else None  # ValueError for a value not of the enum


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    if not _DAY.fullmatch(value):
        raise ValueError(value)
    return date.fromisoformat(value)  # ValueError for a day that does not exist


def _bearer_token(scope: Scope) -> str | None:
    """The credentials of the first Authorization header, when its scheme is Bearer (as HTTPBearer reads it)."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, credentials = get_authorization_scheme_param(value.decode("latin-1"))
            return credentials if scheme.lower() == "bearer" and credentials else None
    return None
