"""Open311 GeoReport v2 (JSON only) at /open311/v2, for housing corporations whose systems speak it.

- `GET services.json` (public): our signal categories as services.
- `POST requests.json`: a signal, under the intake rules of POST /api/v1/signals (placed by `lat`/`long`
  or `address_string` in a wijk the organisation serves). Form-encoded as the spec says, or JSON.
- `GET requests.json`, `GET requests/{id}.json`: the organisation's own requests, with their status.

Authentication: the same client credentials. Send the access token of POST /api/v1/auth/token as
`Authorization: Bearer …`, or — for clients that only know the spec's `api_key` — as `api_key` (a
form field or query parameter). A long-lived key is deliberately not offered: the token expires.
An `Idempotency-Key` header is honoured when sent (the spec has none); without it, a report sent
twice is still recognised by its reference (see domain.open311).

Errors are the spec's: a JSON array of `{"code", "description"}` with the HTTP status. These routes
are not part of the /api/v1 OpenAPI document: the GeoReport v2 specification is their contract.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Depends, Path, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict
from starlette.responses import Response

from api.dependencies import ScopeRequirement, TokensDep, UowDep, _bearer, principal_of_token
from api.idempotency import IdempotencyDep, Reply
from api.problems import BodyTooLarge, domain_status
from domain import open311, signals
from domain.dates import local_today
from domain.errors import AuthenticationFailed, DomainError, Forbidden, InvalidInput
from domain.identity import Principal, Role
from domain.scope import Scope, load_scope
from domain.signals import Signal

PREFIX = "/open311/v2"
AGENCY = "Koppelwerk"


def open311_error(status_code: int, descriptions: list[str], headers: dict[str, str] | None = None) -> Response:
    body = orjson.dumps([{"code": status_code, "description": d} for d in descriptions])
    return Response(body, status_code=status_code, media_type="application/json", headers=headers)


def _descriptions(exc: DomainError) -> list[str]:
    params = getattr(exc, "params", [])
    return [f"{p.name}: {p.reason}" for p in params] or [exc.detail]


class Open311Route(APIRoute):
    """Every refusal on these routes in the spec's error format instead of a problem detail."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await handle(request)
            except InvalidInput as exc:
                return open311_error(400, _descriptions(open311.in_open311_terms(exc)))
            except AuthenticationFailed as exc:
                return open311_error(401, [exc.detail], {"WWW-Authenticate": 'Bearer error="invalid_token"'})
            except DomainError as exc:
                return open311_error(domain_status(exc), _descriptions(exc))
            except RequestValidationError as exc:
                described = [f"{'.'.join(str(p) for p in e.get('loc', ())[1:])}: {e.get('msg')}" for e in exc.errors()]
                return open311_error(400, described)
            except BodyTooLarge as exc:
                return open311_error(413, [str(exc.detail)])

        return handler


router = APIRouter(prefix=PREFIX, tags=["open311"], route_class=Open311Route, include_in_schema=False)


async def open311_params(request: Request) -> dict[str, str]:
    """The request's parameters: the query, and for a POST its form (the spec) or JSON body."""
    params = dict(request.query_params)
    if request.method == "POST":
        content_type = request.headers.get("content-type", "")
        if "json" in content_type:
            try:
                body = orjson.loads(await request.body() or b"{}")
            except orjson.JSONDecodeError as exc:
                raise InvalidInput.field("body", "not valid JSON", code="json_invalid") from exc
            if not isinstance(body, dict) or not all(isinstance(v, str | int | float) for v in body.values()):
                raise InvalidInput.field("body", "a JSON object of GeoReport v2 parameters", code="type")
            params.update({str(k): str(v) for k, v in body.items()})
        else:
            form = await request.form()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params


Params = Annotated[dict[str, str], Depends(open311_params)]


async def authenticate_open311(
    uow: UowDep,
    tokens: TokensDep,
    params: Params,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller, by bearer token or by the spec's `api_key` carrying the same access token."""
    token = credentials.credentials if credentials is not None else params.get("api_key")
    if not token:
        raise AuthenticationFailed("send an access token as Authorization: Bearer … or as api_key")
    return await principal_of_token(uow, tokens, token)


class Open311Requirement(ScopeRequirement):
    """A ScopeRequirement (the authorization-matrix test reads its `roles`) that also takes `api_key`."""

    async def __call__(  # type: ignore[override]
        self, uow: UowDep, principal: Annotated[Principal, Depends(authenticate_open311)]
    ) -> Scope:
        if principal.role not in self.roles:
            raise Forbidden(f"role '{principal.role}' may not call this endpoint")
        return await load_scope(uow, principal, local_today(datetime.now(UTC)))


Housing = Annotated[Scope, Depends(Open311Requirement(Role.housing_system))]


class Open311Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class ServiceRead(Open311Model):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


class ServiceRequestCreated(Open311Model):
    service_request_id: str
    service_notice: str | None
    account_id: str | None


class ServiceRequestRead(Open311Model):
    """A request as the spec has it; the fields that would carry the koppel's texts or an address stay
    null, as in the receipt of GET /api/v1/signals."""

    service_request_id: str
    status: str
    status_notes: str | None
    service_name: str
    service_code: str
    description: str | None
    agency_responsible: str
    service_notice: str | None
    requested_datetime: str
    updated_datetime: str
    expected_datetime: str | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None

    @classmethod
    def of(cls, signal: Signal) -> ServiceRequestRead:
        return cls(
            service_request_id=str(signal.id),
            status="open" if open311.is_open(signal.status) else "closed",
            status_notes=signal.status.value,
            service_name=open311.SERVICES[signal.category].name,
            service_code=signal.category.value,
            description=None,
            agency_responsible=AGENCY,
            service_notice=None,
            requested_datetime=signal.created_at.isoformat(),
            updated_datetime=signal.updated_at.isoformat(),
            expected_datetime=None,
            address=None,
            address_id=None,
            zipcode=None,
            lat=None,
            long=None,
            media_url=None,
        )


def _json(content: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Reply.json(status_code, content, headers).response()


@router.get("/services.json", operation_id="listOpen311Services", summary="GeoReport v2: the services (signal categories)")
async def list_services() -> Response:
    services = [
        ServiceRead(
            service_code=s.code,
            service_name=s.name,
            description=s.description,
            metadata=False,
            type="realtime",
            keywords=s.group,
            group=s.group,
        )
        for s in open311.SERVICES.values()
    ]
    return _json(services)


@router.post(
    "/requests.json",
    operation_id="createOpen311Request",
    summary="GeoReport v2: submit a service request (a signal)",
    status_code=status.HTTP_201_CREATED,
)
async def create_request(params: Params, uow: UowDep, scope: Housing, once: IdempotencyDep) -> Response:
    data = open311.new_signal(params)
    # the fingerprint leaves out the token, which changes every time the client logs in again
    fingerprint = orjson.dumps({k: v for k, v in params.items() if k != "api_key"}, option=orjson.OPT_SORT_KEYS)

    async def work() -> Reply:
        intake = await signals.record_signal(uow, scope, data, datetime.now(UTC))  # refusals: Open311Route
        created = ServiceRequestCreated(service_request_id=str(intake.signal.id), service_notice=None, account_id=None)
        headers = {"Location": f"{PREFIX}/requests/{intake.signal.id}.json"}
        return Reply.json(201 if intake.created else 200, [created], headers)

    return await once.run(scope.principal, work, required=False, request_body=fingerprint)


@router.get("/requests.json", operation_id="listOpen311Requests", summary="GeoReport v2: your organisation's requests")
async def list_requests(params: Params, uow: UowDep, scope: Housing) -> Response:
    found = await open311.find_requests(uow, scope, open311.request_query(params, datetime.now(UTC)))
    return _json([ServiceRequestRead.of(s) for s in found])


@router.get(
    "/requests/{service_request_id}.json",
    operation_id="getOpen311Request",
    summary="GeoReport v2: one of your organisation's requests",
)
async def get_request(
    service_request_id: Annotated[str, Path(max_length=64)], uow: UowDep, scope: Housing
) -> Response:
    try:
        signal_id = UUID(service_request_id)
    except ValueError as exc:
        raise InvalidInput.field("service_request_id", "not a service_request_id of this service", code="uuid") from exc
    return _json([ServiceRequestRead.of(await open311.get_request(uow, scope, signal_id))])
