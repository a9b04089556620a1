"""Request-scoped dependencies: the unit of work, the principal, role requirements, paging, If-Match.

Everything here is `async def`, so no request crosses into the threadpool.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import parse_qsl, urlencode
from uuid import UUID

from fastapi import Depends, Header, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import State
from starlette.types import Scope as AsgiScope

from api.middleware import SESSIONS
from api.tokens import InvalidToken, TokenService
from domain.accounts import NOT_VOUCHED, resolve_principal
from domain.dates import local_today
from domain.errors import AuthenticationFailed, Forbidden, InvalidInput, PreconditionRequired
from domain.identity import Caller, Principal, PrincipalKind, Role, parse_subject
from domain.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, PageRequest
from domain.ports import SecretHasher
from domain.scope import Scope, load_scope
from persistence.db import DRIVER_LEASE, DriverLease
from persistence.uow import SqlUnitOfWork


async def get_uow(request: Request) -> SqlUnitOfWork:
    """One session per request (FastAPI calls this once per request however many dependencies ask),
    closed by the HTTP envelope once the answer is out (api.middleware.close_sessions); closing rolls
    back whatever a use case did not commit. Not a `yield` dependency: FastAPI's exit stack around
    one cost about 7 % of reading a resident. GET and HEAD get a read session
    (persistence.db.create_read_session_factory), which on PostgreSQL sends its statements meant for
    the driver on one connection of the driver pool while it has sent nothing itself (DriverStatement.fetch)."""
    return unit_of_work(request.app.state, request.scope)


def unit_of_work(state: State, scope: AsgiScope) -> SqlUnitOfWork:
    """get_uow's unit of work, for a request `scope` of the app whose `state` this is."""
    if scope["method"] in ("GET", "HEAD"):
        pool = getattr(state, "driver_pool", None)
        session = state.read_session_factory(info={DRIVER_LEASE: DriverLease(pool)} if pool else None)
    else:
        session = state.session_factory()
    scope.setdefault("state", {}).setdefault(SESSIONS, []).append(session)
    return SqlUnitOfWork(session)


UowDep = Annotated[SqlUnitOfWork, Depends(get_uow)]


# `async def` although they only read app state: FastAPI runs a plain `def` dependency in its
# threadpool, and that hop per request cost more than the rest of a resident read.
async def get_token_service(request: Request) -> TokenService:
    return request.app.state.tokens  # type: ignore[no-any-return]


async def get_hasher(request: Request) -> SecretHasher:
    return request.app.state.hasher  # type: ignore[no-any-return]


TokensDep = Annotated[TokenService, Depends(get_token_service)]
HasherDep = Annotated[SecretHasher, Depends(get_hasher)]

_bearer = HTTPBearer(auto_error=False, description="An access token from POST /auth/token.")


async def authenticate(
    request: Request,
    uow: UowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The verified caller; any flaw in the token is a 401 with WWW-Authenticate: Bearer. (The token
    service comes straight from the app state: every dependency FastAPI solves costs each request.)"""
    return await principal_of_token(uow, request.app.state.tokens, _bearer_token(credentials))


def _bearer_token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None:
        raise AuthenticationFailed("a bearer token is required")
    return credentials.credentials


def verified_subject(tokens: TokenService, token: str) -> tuple[PrincipalKind, UUID, frozenset[str] | None]:
    """The token's subject and the roles its issuer may vouch for, once its signature and claims hold."""
    try:
        claims = tokens.verify(token)
        kind, principal_id = parse_subject(claims.subject)
    except (InvalidToken, ValueError) as exc:
        raise AuthenticationFailed("the bearer token is invalid or expired") from exc
    return kind, principal_id, claims.allowed_roles


async def principal_of_token(uow: SqlUnitOfWork, tokens: TokenService, token: str) -> Principal:
    """The account an access token stands for, re-read so a deactivated account stops at once."""
    kind, principal_id, vouched = verified_subject(tokens, token)
    principal = await resolve_principal(uow, kind, principal_id)
    if vouched is not None and principal.role.value not in vouched:
        raise AuthenticationFailed(NOT_VOUCHED)
    return principal


class RoleRequirement:
    """Declares which roles may call a route; the authorization-matrix test reads `roles`."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    async def __call__(self, principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if principal.role not in self.roles:
            raise Forbidden(f"role '{principal.role}' may not call this endpoint")
        return principal


def allow(*roles: Role) -> type[Principal]:
    """`principal: allow(Role.admin)` — the principal, once its role is one of `roles`."""
    return Annotated[Principal, Depends(RoleRequirement(*roles))]  # type: ignore[return-value]


AdminPrincipal = allow(Role.admin)


class CallerRequirement(RoleRequirement):
    """A role requirement decided by the work itself: the token is verified here, the account is read
    with the route's own statement (the authorization-matrix test reads `roles` as for any other)."""

    async def __call__(  # type: ignore[override]
        self, request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
    ) -> Caller:
        # The token service straight from the app state: one dependency fewer to solve per request.
        kind, principal_id, vouched = verified_subject(request.app.state.tokens, _bearer_token(credentials))
        return Caller(kind, principal_id, self.roles, vouched)


def calling(*roles: Role) -> type[Caller]:
    """`caller: calling(Role.x, …)` — the verified token's subject, for routes whose work reads the
    account in the same round trip (domain.residents.read_resident)."""
    return Annotated[Caller, Depends(CallerRequirement(*roles))]  # type: ignore[return-value]


class ScopeRequirement(RoleRequirement):
    """A role requirement that yields the caller's Scope for today (the authorization-matrix test
    reads its `roles` like any RoleRequirement's)."""

    async def __call__(  # type: ignore[override]
        self, uow: UowDep, principal: Annotated[Principal, Depends(authenticate)]
    ) -> Scope:
        return await scope_of(uow, await super().__call__(principal))


async def scope_of(uow: SqlUnitOfWork, principal: Principal) -> Scope:
    """What the principal, once admitted, may reach today."""
    return await load_scope(uow, principal, local_today(datetime.now(UTC)))


def scoped(*roles: Role) -> type[Scope]:
    """`scope: scoped(Role.admin, …)` — what the caller may reach today, once its role is one of `roles`.

    The one way a route learns its caller's scope: the roles are declared exactly as with `allow`,
    and the scope is loaded with at most one query on the request's own unit of work.
    """
    return Annotated[Scope, Depends(ScopeRequirement(*roles))]  # type: ignore[return-value]


CURSOR_MAX_LENGTH = 512


async def page_request(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, at most {MAX_LIMIT}.")
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(max_length=CURSOR_MAX_LENGTH, description="Opaque cursor from the previous page's `Link: rel=next`."),
    ] = None,
) -> PageRequest:
    return PageRequest(limit=limit, cursor=cursor)


PageDep = Annotated[PageRequest, Depends(page_request)]


def link_next(request: Request, response: Response, page: Page[object]) -> None:
    """Set `Link: <…>; rel="next"` when there is a next page."""
    if page.next_cursor:
        response.headers["Link"] = next_link(request.scope, page.next_cursor)


def next_link(scope: AsgiScope, cursor: str) -> str:
    """The Link header to the page after this one: this request's path and query, `cursor` replaced —
    what `request.url.include_query_params(cursor=…)` gives, without building and parsing the whole
    URL twice (tests/unit/test_next_link.py holds the two equal)."""
    query = scope.get("query_string", b"").decode()
    kept = [(name, value) for name, value in parse_qsl(query, keep_blank_values=True) if name != "cursor"]
    return f'<{scope["path"]}?{urlencode([*kept, ("cursor", cursor)])}>; rel="next"'


def json_page(request: Request, body: bytes, page: Page[object]) -> Response:
    """A page whose JSON is already written (api.schemas.common.write_json), with its `Link: rel="next"`."""
    answer = Response(body, media_type="application/json")
    link_next(request, answer, page)
    return answer


def etag(version: int) -> str:
    """The strong ETag of a resource version."""
    return f'"{version}"'


IF_MATCH_PATTERN = r'^(W/)?"[0-9]{1,18}"$'


async def if_match(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            pattern=IF_MATCH_PATTERN,
            description="The ETag you last read; required (428 without it), stale values give 412.",
        ),
    ] = None,
) -> int:
    """The version the caller last saw; updates without it are refused (no lost updates)."""
    if if_match is None:
        raise PreconditionRequired("send If-Match with the ETag you last read")
    value = if_match.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not value.isdigit():
        raise InvalidInput.field("If-Match", "not an ETag this API issued", code="invalid_etag")
    return int(value)


IfMatchDep = Annotated[int, Depends(if_match)]


async def optional_if_match(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            pattern=IF_MATCH_PATTERN,
            description="Optional: the version you answer to; a stale one gives 412.",
        ),
    ] = None,
) -> int | None:
    """The version the caller saw, when it sends one (for answers that change only the caller's own
    fields, so no one else's update can be lost)."""
    if if_match is None:
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise InvalidInput.field("If-Match", "not an ETag this API issued", code="invalid_etag")
    return int(value)


OptionalIfMatchDep = Annotated[int | None, Depends(optional_if_match)]
