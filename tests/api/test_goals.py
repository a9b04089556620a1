"""Shared goals and quarterly reviews over HTTP: at most three active per wijk and year (also under
concurrent writers), who manages and who reads, reviews per quarter, If-Match, filters."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI

from domain import accounts, goals
from domain.errors import Conflict
from domain.goals import NewGoal, Target
from domain.identity import OrganisationKind, Role
from persistence.uow import SqlUnitOfWork
from tests.factories import Neighbourhoods, World, admin_scope, build_neighbourhoods, today

API = "/api/v1"
YEAR = today().year


@pytest.fixture
def hoods(world: World) -> Neighbourhoods:
    return build_neighbourhoods(world)


def goal_body(**fields: Any) -> dict[str, Any]:
    return {
        "year": YEAR,
        "title": "Minder jongerenoverlast",
        "indicator": "Meldingen van jongerenoverlast per kwartaal",
        "target": {"value": 20, "unit": "meldingen"},
        **fields,
    }


def goals_url(wijk_id: object) -> str:
    return f"{API}/wijken/{wijk_id}/goals"


def create(world: World, wijk_id: object, headers: dict[str, str] | None = None, **fields: Any):  # type: ignore[no-untyped-def]
    return world.client.post(goals_url(wijk_id), json=goal_body(**fields), headers=headers or world.headers(Role.opbouwwerker))


def titles(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [g["title"] for g in response.json()["items"]]


def test_at_most_three_active_goals_per_wijk_and_year(world: World, hoods: Neighbourhoods) -> None:
    worker = world.headers(Role.opbouwwerker)
    partners = [str(world.organisations["politie"].id), str(world.organisations["gemeente"].id)]
    first = create(world, hoods.wijk_a.id, title="A: overlast", partnerIds=partners)
    assert first.status_code == 201, first.text
    assert first.json()["partnerIds"] == sorted(partners)
    assert (first.json()["status"], first.json()["target"]) == ("active", {"value": 20.0, "unit": "meldingen"})
    assert first.json()["createdBy"]["displayName"] == "opbouwwerker"
    assert create(world, hoods.wijk_a.id, title="B: ontmoeting").status_code == 201
    assert create(world, hoods.wijk_a.id, title="C: schoon").status_code == 201
    fourth = create(world, hoods.wijk_a.id, title="D: te veel")
    assert fourth.status_code == 409 and "3 active goals" in fourth.json()["detail"]
    # another year and another wijk have their own three
    assert create(world, hoods.wijk_a.id, title="Volgend jaar", year=YEAR + 1).status_code == 201
    assert create(world, hoods.wijk_b.id, world.headers(Role.admin), title="Pittelo").status_code == 201

    url = f"{goals_url(hoods.wijk_a.id)}/{first.json()['id']}"
    dropped = world.client.patch(url, json={"status": "dropped"}, headers={**worker, "If-Match": '"1"'})
    assert dropped.status_code == 200 and dropped.json()["status"] == "dropped"
    assert create(world, hoods.wijk_a.id, title="D: nu wel").status_code == 201
    back = world.client.patch(url, json={"status": "active"}, headers={**worker, "If-Match": '"2"'})
    assert back.status_code == 409
    assert titles(world.client.get(f"{goals_url(hoods.wijk_a.id)}?year={YEAR}&status=active", headers=worker)) == [
        "B: ontmoeting",
        "C: schoon",
        "D: nu wel",
    ]
    assert titles(world.client.get(goals_url(hoods.wijk_a.id), headers=worker)) == [
        "A: overlast",
        "B: ontmoeting",
        "C: schoon",
        "D: nu wel",
        "Volgend jaar",
    ]


def test_concurrent_writers_cannot_store_a_fourth_active_goal(world: World, hoods: Neighbourhoods, app: FastAPI) -> None:
    scope = admin_scope(world)

    async def one(n: int) -> str:
        async with app.state.session_factory() as session:
            try:
                data = NewGoal(YEAR, f"Doel {n}", "iets", Target(1, "keer"))
                await goals.create_goal(SqlUnitOfWork(session), scope, hoods.wijk_a.id, data, datetime.now(UTC))
                return "created"
            except Conflict:
                return "conflict"
            except Exception as exc:  # a lost uniqueness race or a busy SQLite writer: refused, not stored
                return type(exc).__name__

    async def race() -> list[str]:
        return list(await asyncio.gather(*(one(n) for n in range(6))))

    assert world.client.portal is not None
    outcomes = world.client.portal.call(race)
    assert outcomes.count("created") <= 3
    stored = world.client.get(f"{goals_url(hoods.wijk_a.id)}?status=active", headers=world.headers(Role.admin))
    assert len(stored.json()["items"]) == outcomes.count("created")
    assert len(stored.json()["items"]) <= 3


def test_who_reads_and_who_manages(world: World, hoods: Neighbourhoods) -> None:
    goal = create(world, hoods.wijk_a.id).json()
    url = f"{goals_url(hoods.wijk_a.id)}/{goal['id']}"
    gemeente = world.headers(Role.gemeente)
    assert world.client.get(url, headers=gemeente).json() == goal
    assert titles(world.client.get(goals_url(hoods.wijk_b.id), headers=gemeente)) == []
    assert create(world, hoods.wijk_a.id, gemeente).status_code == 403
    assert world.client.patch(url, json={"title": "x"}, headers={**gemeente, "If-Match": '"1"'}).status_code == 403
    assert world.client.get(url, headers=world.headers(Role.admin)).status_code == 200
    # another municipality, another koppel: the wijk does not exist for them
    elsewhere = world.run(
        lambda uow: accounts.create_organisation(
            uow, accounts.NewOrganisation("Gemeente Elders", OrganisationKind.gemeente, "GM0363"), datetime.now(UTC)
        )
    )
    world.organisations["elders"] = elsewhere
    outsider = world.headers_for(world.add_user(Role.gemeente, organisation="elders"))
    agent_b = world.headers_for(hoods.koppel_b.members[Role.wijkagent])
    for headers in (outsider, agent_b):
        assert world.client.get(url, headers=headers).status_code == 404
        assert world.client.get(goals_url(hoods.wijk_a.id), headers=headers).status_code == 404
    assert create(world, hoods.wijk_a.id, agent_b).status_code == 404
    # a goal is only found under its own wijk
    assert world.client.get(f"{goals_url(hoods.wijk_b.id)}/{goal['id']}", headers=world.headers(Role.admin)).status_code == 404
    for role in (Role.agency_worker, Role.police_system, Role.housing_system):
        assert world.client.get(goals_url(hoods.wijk_a.id), headers=world.headers(role)).status_code == 403


@pytest.mark.parametrize(
    ("fields", "name"),
    [
        ({"partnerIds": ["00000000-0000-0000-0000-000000000001"]}, "partnerIds"),
        ({"year": 1999}, "year"),
        ({"target": {"value": 3}}, "target.unit"),
        ({"target": {"value": 3, "unit": " "}}, "target.unit"),
        ({"title": " "}, "title"),
        ({"status": "achieved"}, "status"),  # a new goal is active
    ],
)
def test_invalid_goals_are_a_400_naming_the_field(world: World, hoods: Neighbourhoods, fields: dict[str, Any], name: str) -> None:
    response = create(world, hoods.wijk_a.id, **fields)
    assert response.status_code == 400, response.text
    assert name in {p["name"] for p in response.json()["invalidParams"]}


def test_quarterly_reviews(world: World, hoods: Neighbourhoods) -> None:
    worker, gemeente = world.headers(Role.opbouwwerker), world.headers(Role.gemeente)
    goal = create(world, hoods.wijk_a.id).json()
    reviews = f"{goals_url(hoods.wijk_a.id)}/{goal['id']}/reviews"
    first = world.client.post(reviews, json={"year": YEAR, "quarter": 1, "value": 31, "note": "Start"}, headers=worker)
    assert first.status_code == 201, first.text
    assert (first.json()["quarter"], first.json()["value"], first.json()["recordedBy"]["displayName"]) == (1, 31.0, "opbouwwerker")
    assert world.client.post(reviews, json={"year": YEAR, "quarter": 1, "value": 30}, headers=worker).status_code == 409
    for body, name in (
        ({"year": YEAR, "quarter": 5, "value": 1}, "quarter"),
        ({"year": YEAR - 1, "quarter": 1, "value": 1}, "year"),
        ({"year": YEAR, "quarter": 1, "value": "veel"}, "value"),
    ):
        refused = world.client.post(reviews, json=body, headers=worker)
        assert refused.status_code == 400 and refused.json()["invalidParams"][0]["name"] == name
    future = create(world, hoods.wijk_a.id, year=YEAR + 1).json()
    ahead = world.client.post(
        f"{goals_url(hoods.wijk_a.id)}/{future['id']}/reviews", json={"year": YEAR + 1, "quarter": 1, "value": 1}, headers=worker
    )
    assert ahead.status_code == 400 and ahead.json()["invalidParams"][0]["code"] == "future"
    assert world.client.post(reviews, json={"year": YEAR, "quarter": 1, "value": 1}, headers=gemeente).status_code == 403

    assert [r["quarter"] for r in world.client.get(reviews, headers=gemeente).json()["items"]] == [1]
    url = f"{reviews}/{first.json()['id']}"
    assert world.client.get(url, headers=gemeente).json() == first.json()
    assert world.client.patch(url, json={"value": 29}, headers=worker).status_code == 428
    changed = world.client.patch(url, json={"value": 29, "note": None}, headers={**worker, "If-Match": '"1"'})
    assert changed.status_code == 200 and (changed.json()["value"], changed.json()["note"]) == (29.0, None)
    assert world.client.patch(url, json={"value": 28}, headers={**worker, "If-Match": '"1"'}).status_code == 412
    # reviews of another goal's id under this goal do not exist
    assert world.client.get(f"{goals_url(hoods.wijk_a.id)}/{future['id']}/reviews/{first.json()['id']}", headers=worker).status_code == 404
