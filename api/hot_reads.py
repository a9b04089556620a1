"""GET /api/v1/residents/{residentId} for a koppel member's token, answered before FastAPI's routing.

Reading a resident is the request a koppel makes all day, and on PostgreSQL its work is one statement
(persistence.resident_reads). Around that statement FastAPI's routing, dependency solving, a session
and SQLAlchemy's connection wrappers cost the worker about three times what the statement costs it.
Here the same rules run without them: the token is verified by the same function as the route's
(api.dependencies.verified_subject), the use case's own two halves ask and judge the one question
(domain.residents.one_trip_read and one_trip_resident), the statement goes to a connection of the
worker's own driver pool (persistence.db.create_driver_pool), and the answer is the route's own
(resident_response). The HTTP envelope, the admission gate and CORS wrap it as they wrap the route.

Only the 200 is answered here. Any other request — another method or path shape, no bearer token, a
token that fails, a system's token, an unknown or inactive account, a role not admitted, a resident
out of reach, a database that fails — goes on to the route, which answers it exactly as it always
has. Nothing was written by then: the statement stores the read's audit event only when it returns
the resident (a connection lost after that statement committed is the one exception, and then the
route's read is audited too: a read is never served unaudited).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
from fastapi.security.utils import get_authorization_scheme_param
from starlette.datastructures import State
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from api.dependencies import verified_subject
from api.logs import REQUEST_ID
from api.middleware import ROUTE_TEMPLATE
from api.openapi import API_PREFIX
from api.routers.residents import READERS, resident_response
from domain import residents
from domain.errors import DomainError
from domain.identity import Caller
from persistence.residents import read_audited_on_driver

RESIDENT_PREFIX = f"{API_PREFIX}/residents/"
RESIDENT_ROUTE = f"{API_PREFIX}/residents/{{residentId}}"
# Only the canonical spelling: any other the route's UUID parameter may take or refuse is its to judge.
_CANONICAL_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# What the driver raises when the database cannot serve: the route then meets the same and answers it.
_DRIVER_FAILURES = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError)


class HotReads:
    def __init__(self, app: ASGIApp, state: State) -> None:
        self.app = app
        self.state = state  # the app's: its token service, and the driver pool set up at start-up

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            path: str = scope["path"]
            if path.startswith(RESIDENT_PREFIX) and _CANONICAL_ID.fullmatch(path, len(RESIDENT_PREFIX)):
                answer = await self._read_resident(scope, UUID(path[len(RESIDENT_PREFIX):]))
                if answer is not None:
                    scope[ROUTE_TEMPLATE] = RESIDENT_ROUTE
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


def _bearer_token(scope: Scope) -> str | None:
    """The credentials of the first Authorization header, when its scheme is Bearer (as HTTPBearer reads it)."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, credentials = get_authorization_scheme_param(value.decode("latin-1"))
            return credentials if scheme.lower() == "bearer" and credentials else None
    return None
