"""api.hot_reads answers GET /residents/{id} for a koppel member, GET /signals and a wijk's statistics
before FastAPI's routing (PostgreSQL).

The same requests, asked of the suite's app and of an app without hot reads (KOPPELWERK_HOT_READS=false)
on the same database, get the same answers — status, headers, body — and leave the same audit trail:
one read event for each 200, none for anything else. A 200 of the suite's app touches no connection of
SQLAlchemy's pool, so it really was answered early; on SQLite every request takes the route.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event

from api.app import create_app
from api.settings import Settings
from domain.identity import Role
from tests.conftest import make_settings
from tests.factories import Neighbourhoods, World, build_neighbourhoods, today
from tests.resident_support import API, AuditedApi, audit_events, create_resident

# Headers that differ between any two answers, whoever gives them.
PER_ANSWER = {"x-request-id", "date"}


@pytest.fixture(scope="module")
def route_only(settings: Settings) -> Iterator[TestClient]:
    app = create_app(make_settings(settings.database_url, hot_reads=False, external_issuers=settings.external_issuers))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def hoods(world: World) -> Neighbourhoods:
    return build_neighbourhoods(world)


@pytest.fixture
def pool_checkouts(app: FastAPI) -> Iterator[list[object]]:
    """Every connection taken from SQLAlchemy's pool of the suite's app while the test runs."""
    taken: list[object] = []

    def checkout(*_: Any) -> None:
        taken.append(object())

    pool = app.state.engine.sync_engine.pool
    event.listen(pool, "checkout", checkout)
    try:
        yield taken
    finally:
        event.remove(pool, "checkout", checkout)


def _answer(response: Any) -> tuple[int, dict[str, str], bytes]:
    headers = {k: v for k, v in response.headers.items() if k not in PER_ANSWER}
    return response.status_code, headers, response.content


def _asked_of_both(
    world: World, route_only: TestClient, pool_checkouts: list[object], asked: list[tuple[str, dict[str, str]]]
) -> Iterator[tuple[str, Any, Any, int]]:
    """Each request asked of the suite's app and of the route-only app, their answers held equal: the url,
    both answers and how many SQLAlchemy connections the suite's app took for its own."""
    for url, headers in asked:
        pool_checkouts.clear()
        early = world.client.get(url, headers=headers)
        taken_early = len(pool_checkouts)
        late = route_only.get(url, headers=headers)
        assert _answer(early) == _answer(late), url
        yield url, early, late, taken_early


def test_both_apps_answer_every_read_alike_and_audit_it_alike(
    world: World, hoods: Neighbourhoods, route_only: TestClient, app: FastAPI, pool_checkouts: list[object]
) -> None:
    api = AuditedApi(world)
    agent = world.headers(Role.wijkagent)
    own = create_resident(api, agent, hoods.wijk_a.id)["id"]
    bare = create_resident(api, agent, hoods.wijk_a.id, address=None, phone=None, email=None, languages=[])["id"]
    elsewhere = create_resident(api, world.headers_for(hoods.koppel_b.members[Role.wijkagent]), hoods.wijk_b.id)["id"]
    erased = create_resident(api, agent, hoods.wijk_a.id)["id"]
    assert api.post(f"{API}/residents/{erased}/erasure", world.headers(Role.privacy_officer)).status_code == 200
    token = agent["Authorization"].removeprefix("Bearer ")
    signature_flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    asked: list[tuple[str, dict[str, str]]] = [
        (f"{API}/residents/{own}", agent),
        (f"{API}/residents/{own}", world.headers(Role.opbouwwerker)),
        (f"{API}/residents/{own}", world.headers(Role.wijkbeheerder)),
        (f"{API}/residents/{bare}", agent),
        (f"{API}/residents/{own.upper()}", agent),
        (f"{API}/residents/{own}?unused=1", agent),
        (f"{API}/residents/{own}", {"Authorization": f"bearer {token}", "Origin": "https://app.koppelwerk.example"}),
        (f"{API}/residents/{own}", {**agent, "Origin": "https://elsewhere.example"}),
        (f"{API}/residents/{own.replace('-', '')}", agent),
        (f"{API}/residents/{elsewhere}", agent),
        (f"{API}/residents/{erased}", agent),
        (f"{API}/residents/00000000-0000-4000-8000-000000000000", agent),
        (f"{API}/residents/not-a-uuid", agent),
        (f"{API}/residents/{own}", {}),
        (f"{API}/residents/{own}", {"Authorization": f"Basic {token}"}),
        (f"{API}/residents/{own}", {"Authorization": "Bearer "}),
        (f"{API}/residents/{own}", {"Authorization": f"Bearer {signature_flipped}"}),
        (f"{API}/residents/{own}", {"Authorization": "Bearer not.a.token"}),
        (f"{API}/residents/{own}", world.headers(Role.police_system)),
        (f"{API}/residents/{own}", world.headers(Role.admin)),
        (f"{API}/residents/{own}", world.headers(Role.privacy_officer)),
        (f"{API}/residents/{own}", world.headers(Role.agency_worker)),
    ]
    on_postgresql = app.state.driver_pool is not None
    assert on_postgresql == (app.state.engine.dialect.name == "postgresql")
    for url, early, late, taken_early in _asked_of_both(world, route_only, pool_checkouts, asked):
        if early.status_code == 200:
            assert early.headers["ETag"] == '"1"'
            spelled_canonically = len(url.split("?")[0].rsplit("/", 1)[1]) == 36
            if on_postgresql and spelled_canonically:
                assert taken_early == 0, f"{url}: a 200 answered early takes no SQLAlchemy connection"
        for answer in (early, late):
            events = audit_events(world, request_id=answer.headers["X-Request-ID"])
            expected = 1 if answer.status_code == 200 else 0
            assert [e.action for e in events] == ["read"] * expected, (url, answer.status_code)
    statuses = {world.client.get(url, headers=headers).status_code for url, headers in asked}
    assert statuses == {200, 400, 401, 403, 404}


def test_a_read_answered_early_is_counted_under_its_route(world: World, hoods: Neighbourhoods) -> None:
    api = AuditedApi(world)
    agent = world.headers(Role.wijkagent)
    resident = create_resident(api, agent, hoods.wijk_a.id)["id"]
    assert world.client.get(f"{API}/residents/{resident}", headers=agent).status_code == 200
    metrics = world.client.get("/metrics").text
    assert 'route="/api/v1/residents/{residentId}",status="200"' in metrics
    assert resident not in metrics


def test_the_database_failing_under_an_early_read_is_answered_by_the_route(
    world: World, hoods: Neighbourhoods, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    if app.state.driver_pool is None:
        pytest.skip("hot reads serve PostgreSQL only")
    api = AuditedApi(world)
    agent = world.headers(Role.wijkagent)
    resident = create_resident(api, agent, hoods.wijk_a.id)

    async def refused(*_: Any) -> Any:
        raise ConnectionRefusedError("the driver pool's server went away")

    monkeypatch.setattr("api.hot_reads.read_audited_on_driver", refused)
    read = api.get(f"{API}/residents/{resident['id']}", agent)
    assert read.status_code == 200 and read.json() == resident
    assert [e.action for e in audit_events(world, request_id=read.headers["X-Request-ID"])] == ["read"]


def test_both_apps_answer_every_signal_list_alike(
    world: World, hoods: Neighbourhoods, route_only: TestClient, app: FastAPI, pool_checkouts: list[object]
) -> None:
    agent = world.headers(Role.wijkagent)
    other = world.headers_for(hoods.koppel_b.members[Role.wijkagent])
    for n in range(5):
        for headers, wijk in ((agent, hoods.wijk_a.id), (other, hoods.wijk_b.id)):
            body = {"wijkId": str(wijk), "source": "bewoner", "category": ("geluidsoverlast", "vervuiling")[n % 2],
                    "description": f"Melding {n}: harde muziek na middernacht.", "urgency": ("normaal", "hoog")[n % 2]}
            assert world.client.post(f"{API}/signals", json=body, headers=headers).status_code == 201
    first = world.client.get(f"{API}/signals?limit=2", headers=agent)
    cursor = first.json()["nextCursor"]
    assert cursor
    queries = [
        "", "?limit=2", f"?limit=2&cursor={cursor}", "?status=nieuw", "?category=vervuiling&urgency=hoog",
        "?source=bewoner", f"?wijkId={hoods.wijk_a.id}", f"?wijkId={hoods.wijk_b.id}",
        f"?createdFrom={today()}&createdTo={today()}", f"?createdFrom={today()}&createdTo=2000-01-01",
        "?limit=200", "?limit=201", "?limit=0", "?limit=+5", "?limit=", "?status=onbekend", "?status=",
        "?status=nieuw&status=afgehandeld", "?cursor=bogus", f"?cursor={'x' * 513}", "?wijkId=nope",
        f"?wijkId={str(hoods.wijk_a.id).replace('-', '')}", "?createdFrom=20250101", "?createdFrom=2026-W09-1",
        "?createdTo=2026-02-30", "?unknown=1",
    ]
    asked = [(f"{API}/signals{q}", agent) for q in queries] + [
        (f"{API}/signals", other),
        (f"{API}/signals?limit=3", world.headers(Role.opbouwwerker)),
        (f"{API}/signals", world.headers(Role.housing_system)),
        (f"{API}/signals", world.headers(Role.gemeente)),
        (f"{API}/signals", world.headers(Role.police_system)),
        (f"{API}/signals", {}),
        (f"{API}/signals", {"Authorization": "Bearer not.a.token"}),
    ]
    on_postgresql = app.state.driver_pool is not None
    for url, early, _, taken_early in _asked_of_both(world, route_only, pool_checkouts, asked):
        # A page of a koppel's own wijken, asked in the spelling the early answer takes, takes no SQLAlchemy connection.
        spelled_simply = "unknown" not in url and "wijkId=" not in url or str(hoods.wijk_a.id) in url
        if on_postgresql and early.status_code == 200 and early.json()["items"] and spelled_simply:
            assert taken_early == 0, f"{url}: a 200 answered early takes no SQLAlchemy connection"
    statuses = {world.client.get(url, headers=headers).status_code for url, headers in asked}
    assert statuses == {200, 400, 401, 403}


def test_both_apps_answer_every_statistics_request_alike(
    world: World, hoods: Neighbourhoods, route_only: TestClient, app: FastAPI, pool_checkouts: list[object]
) -> None:
    agent = world.headers(Role.wijkagent)
    for n in range(6):
        body = {"wijkId": str(hoods.wijk_a.id), "source": "bewoner", "category": "geluidsoverlast",
                "description": f"Melding {n}: harde muziek na middernacht.", "urgency": "normaal"}
        assert world.client.post(f"{API}/signals", json=body, headers=agent).status_code == 201
    own, other = f"{API}/wijken/{hoods.wijk_a.id}/statistics", f"{API}/wijken/{hoods.wijk_b.id}/statistics"
    queries = [
        "", f"?from={today().replace(day=1)}", f"?to={today()}", f"?from={today().replace(day=1)}&to={today()}",
        "?from=2026-03-01&to=2026-04-30", "?from=2026-05-01&to=2026-04-01", "?from=2020-01-01&to=2026-04-01",
        "?from=2026-W09-1", "?from=20260301", "?to=2026-02-30", "?from=", "?from=2026-03-01&from=2026-04-01",
        "?unknown=1", "?from=２０２６-03-01",
    ]
    asked = [(f"{own}{q}", agent) for q in queries] + [
        (own, world.headers(Role.gemeente)),
        (own, world.headers(Role.opbouwwerker)),
        (other, agent),
        (own.replace(str(hoods.wijk_a.id), str(hoods.wijk_a.id).upper()), agent),
        (f"{API}/wijken/00000000-0000-4000-8000-000000000000/statistics", agent),
        (f"{API}/wijken/nope/statistics", agent),
        (own, world.headers(Role.admin)),
        (own, world.headers(Role.police_system)),
        (own, {}),
        (own, {"Authorization": "Bearer not.a.token"}),
    ]
    on_postgresql = app.state.driver_pool is not None
    for kept in (False, True):  # counted, then kept (api.statistics_cache)
        for url, early, _, taken_early in _asked_of_both(world, route_only, pool_checkouts, asked):
            # Kept answers, and whole months counted, take no SQLAlchemy connection (months counted from
            # the rows do: their statement is built per period).
            if on_postgresql and early.status_code == 200 and (kept or url.endswith("?from=2026-03-01&to=2026-04-30")):
                assert taken_early == 0, f"{url}: statistics answered early take no SQLAlchemy connection"
    statuses = {world.client.get(url, headers=headers).status_code for url, headers in asked}
    assert statuses == {200, 400, 401, 403, 404}


def test_both_apps_answer_every_contact_moment_list_alike_and_audit_it_alike(
    world: World, hoods: Neighbourhoods, route_only: TestClient, app: FastAPI, pool_checkouts: list[object]
) -> None:
    api = AuditedApi(world)
    agent = world.headers(Role.wijkagent)
    other = world.headers_for(hoods.koppel_b.members[Role.wijkagent])
    named = create_resident(api, agent, hoods.wijk_a.id)["id"]
    day = today() - timedelta(days=1)  # moments at 00:30-04:30 of today would lie in the future before 04:30
    for n in range(5):
        for headers, wijk, koppel in ((agent, hoods.wijk_a.id, hoods.koppel_a.id), (other, hoods.wijk_b.id, hoods.koppel_b.id)):
            body = {"wijkId": str(wijk), "koppelId": str(koppel), "kind": ("huisbezoek", "straatgesprek")[n % 2],
                    "occurredAt": f"{day}T0{n}:30:00+01:00", "summary": f"Gesprek {n}",
                    "residentIds": [named] if wijk == hoods.wijk_a.id and n % 2 == 0 else []}
            assert world.client.post(f"{API}/contact-moments", json=body, headers=headers).status_code == 201
    first = world.client.get(f"{API}/contact-moments?limit=2", headers=agent)
    cursor = first.json()["nextCursor"]
    assert cursor
    queries = [
        "", "?limit=2", f"?limit=2&cursor={cursor}", "?kind=huisbezoek", "?kind=telefoon", f"?wijkId={hoods.wijk_a.id}",
        f"?wijkId={hoods.wijk_b.id}", f"?koppelId={hoods.koppel_a.id}", f"?residentId={named}",
        f"?from={day}&to={today()}", f"?from={day}&to=2000-01-01", "?limit=200", "?limit=201", "?limit=0",
        "?limit=+5", "?kind=onbekend", "?kind=", "?kind=huisbezoek&kind=telefoon", "?cursor=bogus", f"?cursor={'x' * 513}",
        "?wijkId=nope", f"?residentId={named.upper()}", "?from=20250101", "?to=2026-02-30", "?unknown=1",
    ]
    asked = [(f"{API}/contact-moments{q}", agent) for q in queries] + [
        (f"{API}/contact-moments", other),
        (f"{API}/contact-moments?limit=3", world.headers(Role.opbouwwerker)),
        (f"{API}/contact-moments", world.headers(Role.gemeente)),
        (f"{API}/contact-moments", world.headers(Role.housing_system)),
        (f"{API}/contact-moments", {}),
        (f"{API}/contact-moments", {"Authorization": "Bearer not.a.token"}),
    ]
    on_postgresql = app.state.driver_pool is not None
    for url, early, late, taken_early in _asked_of_both(world, route_only, pool_checkouts, asked):
        named_on_page = 0
        if early.status_code == 200:
            named_on_page = sum(len(item["residentIds"]) for item in early.json()["items"])
            if on_postgresql and early.json()["items"] and "unknown" not in url and named.upper() not in url:
                assert taken_early == 0, f"{url}: a 200 answered early takes no SQLAlchemy connection"
        for answer in (early, late):
            events = audit_events(world, request_id=answer.headers["X-Request-ID"])
            assert [e.action for e in events] == ["read"] * named_on_page, (url, answer.status_code)
    statuses = {world.client.get(url, headers=headers).status_code for url, headers in asked}
    assert statuses == {200, 400, 401, 403}
