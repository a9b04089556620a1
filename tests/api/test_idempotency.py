"""The shared Idempotency-Key mechanism (api.idempotency), on a route of its own: a replay gets the first
response byte for byte, the same key for another request is a 409, a refused request leaves no key
behind, expired keys are claimed afresh and purged. The routes that use it (signals, signal batches,
agenda answers, Open311) have their own tests, including the concurrent ones on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI, status
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import func, select, update

from api.app import create_app
from api.dependencies import UowDep, allow
from api.idempotency import IdempotencyDep, Reply
from api.schemas.identity import OrganisationRead
from api.settings import Settings
from domain import accounts
from domain.idempotency import purge_expired_keys
from domain.identity import OrganisationKind, Principal, Role
from persistence.tables import OrganisationRow
from persistence.tables_integrations import IdempotencyKeyRow
from tests.conftest import Wiper
from tests.factories import World, run

ORGANISATION = OrganisationRow.__table__
KEYS = IdempotencyKeyRow.__table__
URL = "/test/organisations"


class NewName(BaseModel):
    name: str
    kind: OrganisationKind = OrganisationKind.instantie


async def _create(body: NewName, uow: Any, principal: Principal, once: Any) -> Any:
    async def work() -> Reply:
        made = await accounts.create_organisation(
            uow, accounts.NewOrganisation(body.name, body.kind, None), datetime.now(UTC)
        )
        headers = {"Location": f"/api/v1/organisations/{made.id}", "ETag": f'"{made.version}"'}
        return Reply.json(201, OrganisationRead.model_validate(made), headers)

    return await once.run(principal, work)


Caller = allow(Role.admin, Role.housing_system)


def _router() -> APIRouter:
    router = APIRouter()

    @router.post(URL, status_code=status.HTTP_201_CREATED)
    async def create(body: NewName, uow: UowDep, principal: Caller, once: IdempotencyDep) -> Any:  # type: ignore[valid-type]
        return await _create(body, uow, principal, once)

    @router.post("/test/other-organisations", status_code=status.HTTP_201_CREATED)
    async def create_elsewhere(body: NewName, uow: UowDep, principal: Caller, once: IdempotencyDep) -> Any:  # type: ignore[valid-type]
        return await _create(body, uow, principal, once)

    return router


@pytest.fixture
def mechanism(settings: Settings, wiper: Wiper) -> Iterator[tuple[TestClient, FastAPI]]:
    """An app of its own (the suite's app keeps exactly its documented routes) with a test route."""
    wiper()
    app = create_app(settings)
    app.include_router(_router())
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, app


@pytest.fixture
def here(mechanism: tuple[TestClient, FastAPI]) -> World:
    client, app = mechanism
    return World.build(client, app)


def count(world: World, table: Any, *where: Any) -> int:
    async def work(uow):  # type: ignore[no-untyped-def]
        return (await uow.session.execute(select(func.count()).select_from(table).where(*where))).scalar_one()

    return run(world.client, world.app, work)


def post(world: World, role: Role, body: Any, key: str | None, url: str = URL, **kwargs: Any):  # type: ignore[no-untyped-def]
    headers = world.headers(role)
    if key is not None:
        headers["Idempotency-Key"] = key
    return world.client.post(url, json=body, headers=headers, **kwargs)


def test_a_replay_returns_the_first_response_byte_for_byte(here: World) -> None:
    body = {"name": "Stichting Een", "kind": "instantie"}
    first = post(here, Role.housing_system, body, "key-1")
    assert first.status_code == 201, first.text
    again = post(here, Role.housing_system, body, "key-1")
    assert again.status_code == 201
    assert again.content == first.content
    for header in ("Location", "ETag", "Content-Type"):
        assert again.headers[header] == first.headers[header]
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert count(here, ORGANISATION, ORGANISATION.c.name == "Stichting Een") == 1
    # the same JSON with its keys in another order and other spacing is the same request
    reordered = here.client.post(
        URL,
        content=b'{ "kind" : "instantie",  "name": "Stichting Een" }',
        headers={**here.headers(Role.housing_system), "Idempotency-Key": "key-1", "Content-Type": "application/json"},
    )
    assert reordered.status_code == 201 and reordered.content == first.content


def test_keys_belong_to_their_caller(here: World) -> None:
    assert post(here, Role.housing_system, {"name": "Stichting Twee"}, "shared").status_code == 201
    # another caller's key of the same value is a different key
    assert post(here, Role.admin, {"name": "Stichting Drie"}, "shared").status_code == 201
    assert count(here, ORGANISATION, ORGANISATION.c.name.in_(["Stichting Twee", "Stichting Drie"])) == 2


@pytest.mark.parametrize(
    ("body", "url"),
    [({"name": "Stichting Anders"}, URL), ({"name": "Stichting Vier"}, "/test/other-organisations")],
    ids=["other body", "other path"],
)
def test_the_same_key_for_another_request_is_a_409(here: World, body: dict[str, str], url: str) -> None:
    assert post(here, Role.housing_system, {"name": "Stichting Vier"}, "key-4").status_code == 201
    reused = post(here, Role.housing_system, body, "key-4", url=url)
    assert reused.status_code == 409
    assert reused.headers["Content-Type"] == "application/problem+json"
    assert "Idempotency-Key" in reused.json()["detail"]
    assert count(here, ORGANISATION, ORGANISATION.c.name.in_(["Stichting Vier", "Stichting Anders"])) == 1


def test_systems_must_send_a_key_and_staff_may(here: World) -> None:
    missing = post(here, Role.housing_system, {"name": "Stichting Vijf"}, None)
    assert missing.status_code == 400
    assert missing.json()["invalidParams"][0]["name"] == "Idempotency-Key"
    assert post(here, Role.admin, {"name": "Stichting Vijf"}, None).status_code == 201
    malformed = post(here, Role.housing_system, {"name": "Stichting Zes"}, "spaces are not allowed")
    assert malformed.status_code == 400
    assert count(here, KEYS) == 0


def test_a_refused_request_leaves_no_key_so_it_can_be_corrected(here: World) -> None:
    refused = post(here, Role.housing_system, {"name": "Stichting Zeven", "kind": "gemeente"}, "key-7")
    assert refused.status_code == 400  # a gemeente needs its municipality code
    assert count(here, KEYS) == 0
    corrected = post(here, Role.housing_system, {"name": "Stichting Zeven"}, "key-7")
    assert corrected.status_code == 201 and "Idempotent-Replayed" not in corrected.headers
    assert count(here, KEYS) == 1


def test_an_expired_key_is_claimed_afresh_and_purged(here: World) -> None:
    first = post(here, Role.housing_system, {"name": "Stichting Acht"}, "key-8")
    assert first.status_code == 201

    async def age(uow):  # type: ignore[no-untyped-def]
        await uow.session.execute(update(KEYS).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
        await uow.commit()

    run(here.client, here.app, age)
    again = post(here, Role.housing_system, {"name": "Stichting Acht"}, "key-8")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert again.json()["id"] != first.json()["id"]  # the work was done again: the key had expired
    assert post(here, Role.housing_system, {"name": "Stichting Negen"}, "key-9").status_code == 201
    run(here.client, here.app, age)
    assert post(here, Role.housing_system, {"name": "Stichting Tien"}, "key-10").status_code == 201
    removed = run(here.client, here.app, lambda uow: purge_expired_keys(uow, datetime.now(UTC)))
    assert removed == 2
    remaining = run(
        here.client,
        here.app,
        lambda uow: uow.idempotency_keys.get(here.principals[Role.housing_system].subject, "key-10"),
    )
    assert remaining is not None and remaining.response is not None and remaining.response.status == 201
    assert count(here, KEYS) == 1


def test_the_purge_command(here: World, settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from api.cli import main

    assert post(here, Role.housing_system, {"name": "Stichting Elf"}, "key-11").status_code == 201
    monkeypatch.setenv("KOPPELWERK_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("KOPPELWERK_IDEMPOTENCY_KEY_HOURS", "1")
    main(["purge-idempotency-keys"])
    assert "0 expired key(s) removed" in capsys.readouterr().out
    assert count(here, KEYS) == 1
