"""DirectRoute (api/direct.py) must answer every request exactly as FastAPI's own handler does: the
same app is built twice, once with DirectRoute and once with APIRoute, and both are asked the same
requests — the common case the plan serves and each way a request falls back to FastAPI."""

from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated
from uuid import UUID

import pytest
from fastapi import APIRouter, Depends, FastAPI, Header, Path, Query, Request, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.testclient import TestClient
from pydantic import BaseModel

from api.direct import DirectRoute
from api.problems import install_problem_handlers
from domain.errors import AuthenticationFailed


class Colour(StrEnum):
    red = "red"
    blue = "blue"


class Thing(BaseModel):
    id: UUID


_bearer = HTTPBearer(auto_error=False)


def build(route_class: type[APIRoute]) -> tuple[FastAPI, list[str]]:
    """The app, and the log of dependency calls its requests make."""
    calls: list[str] = []

    async def session(request: Request) -> str:
        calls.append("session")
        return f"session-{len(calls)}"

    async def caller(
        request: Request, session: Annotated[str, Depends(session)],
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> str:
        calls.append("caller")
        if credentials is None or credentials.credentials != "good":
            raise AuthenticationFailed("a bearer token is required")
        return f"caller of {session}"

    async def page(limit: Annotated[int, Query(ge=1, le=50)] = 10, cursor: Annotated[str | None, Query(max_length=8)] = None) -> str:
        calls.append("page")
        return f"{limit}:{cursor}"

    router = APIRouter(prefix="/things", route_class=route_class)

    @router.get("/{thingId}")
    async def read(
        thing_id: Annotated[UUID, Path(alias="thingId")], who: Annotated[str, Depends(caller)],
        session: Annotated[str, Depends(session)], colour: Annotated[Colour | None, Query()] = None,
        if_none_match: Annotated[str | None, Header()] = None,
    ) -> Response:
        calls.append("read")
        return Response(f"{thing_id} {who} {session} {colour} {if_none_match}", media_type="text/plain")

    @router.get("")
    async def listing(request: Request, who: Annotated[str, Depends(caller)], paging: Annotated[str, Depends(page)]) -> Response:
        calls.append("listing")
        return Response(f"{who} {paging} {request.url.path}", media_type="text/plain")

    @router.get("/{thingId}/model", response_model=Thing)
    async def as_model(thing_id: Annotated[UUID, Path(alias="thingId")], who: Annotated[str, Depends(caller)]) -> Thing:
        return Thing(id=thing_id)

    app = FastAPI()
    app.include_router(router, prefix="/api")
    install_problem_handlers(app)
    return app, calls


@pytest.fixture(scope="module")
def apps() -> Iterator[tuple[tuple[TestClient, list[str]], tuple[TestClient, list[str]]]]:
    direct_app, direct_calls = build(DirectRoute)
    standard_app, standard_calls = build(APIRoute)
    with TestClient(direct_app) as direct, TestClient(standard_app) as standard:
        yield (direct, direct_calls), (standard, standard_calls)


THING = "0b7f2a8e-3c1d-4e5f-9a6b-7c8d9e0f1a2b"
GOOD = {"Authorization": "Bearer good"}

REQUESTS = [
    (f"/api/things/{THING}", GOOD),
    (f"/api/things/{THING}?colour=blue", {**GOOD, "If-None-Match": '"3"'}),
    (f"/api/things/{THING}?colour=green", GOOD),  # invalid enum: FastAPI's 400
    (f"/api/things/{THING}?colour=", GOOD),
    ("/api/things/not-a-uuid", GOOD),
    (f"/api/things/{THING}", {}),  # no token: the dependency's 401
    (f"/api/things/{THING}", {"Authorization": "Basic abc"}),
    (f"/api/things/{THING}", {"Authorization": "Bearer bad"}),
    ("/api/things", GOOD),
    ("/api/things?limit=50&cursor=abc", GOOD),
    ("/api/things?limit=0", GOOD),
    ("/api/things?limit=x", GOOD),
    ("/api/things?cursor=far-too-long", GOOD),
    ("/api/things?limit=51", {}),
    (f"/api/things/{THING}/model", GOOD),
    (f"/api/things/{THING}/model", {}),
]


@pytest.mark.parametrize(("url", "headers"), REQUESTS)
def test_answers_as_fastapi_does(apps, url: str, headers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    (direct, direct_calls), (standard, standard_calls) = apps
    direct_calls.clear()
    standard_calls.clear()
    ours, theirs = direct.get(url, headers=headers), standard.get(url, headers=headers)
    assert (ours.status_code, ours.text) == (theirs.status_code, theirs.text)
    assert ours.headers.get("content-type") == theirs.headers.get("content-type")
    # Each dependency once per request, in FastAPI's order (a fallback runs them as FastAPI does).
    assert direct_calls == standard_calls


def test_the_plan_serves_what_it_can_and_leaves_the_rest_to_fastapi() -> None:
    app, _ = build(DirectRoute)
    with TestClient(app) as client:
        assert client.get(f"/api/things/{THING}", headers=GOOD).status_code == 200
        assert client.get("/api/things", headers=GOOD).status_code == 200
        assert client.get(f"/api/things/{THING}/model", headers=GOOD).status_code == 200
    planned = {route.name: route.planned for route in app.router.routes if isinstance(route, DirectRoute)}
    # The included router keeps its own route objects (FastAPI includes lazily): look there too.
    for route in app.router.routes:
        for inner in getattr(getattr(route, "original_router", None), "routes", []):
            if isinstance(inner, DirectRoute):
                planned[inner.name] = inner.planned
    assert planned == {"read": True, "listing": True, "as_model": False}


def test_the_service_plans_its_busiest_reads() -> None:
    """The requests made all day keep their plan: losing it would be silent but slow."""
    from api.app import ROUTERS, create_app

    create_app()
    planned = sorted(
        f"{sorted(route.methods)[0]} {router.prefix}{route.path.removeprefix(router.prefix)}"
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, DirectRoute) and (route.get_route_handler() and route.planned)
    )
    assert planned == [
        "GET /contact-moments",
        "GET /feeds/agenda-items",
        "GET /feeds/signals",
        "GET /residents/{residentId}",
        "GET /signals",
        "GET /wijken/{wijkId}/statistics",
    ]
