"""A koppel working several wijken pages through its signals and contact moments as one list, oldest
first, though the store reads them wijk by wijk (persistence.pagination.partitioned_page): the
pages join up without gaps or repeats, a wijkId filter narrows to one wijk, and a page costs the same
number of statements for 2 rows as for 20."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI

from domain import koppels
from domain.identity import Role
from domain.koppels import NewAssignment
from tests.factories import Neighbourhoods, World, admin_scope, build_neighbourhoods
from tests.integration.test_statement_counts import statements_for

API = "/api/v1"


@pytest.fixture
def hoods(world: World) -> Neighbourhoods:
    """Koppel A (the world's koppel members) works wijk B as well as wijk A."""
    place = build_neighbourhoods(world)

    async def work(uow):  # type: ignore[no-untyped-def]
        await koppels.add_assignment(
            uow, admin_scope(world), place.koppel_a.id, NewAssignment(place.wijk_b.id, place.joined_on), datetime.now(UTC)
        )

    world.run(work)
    return place


def walk(world: World, url: str, headers: dict[str, str]) -> list[list[str]]:
    """Every page of a list, following Link: rel="next"."""
    pages = []
    while True:
        response = world.client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        pages.append([item["id"] for item in response.json()["items"]])
        link = response.headers.get("Link")
        if not link:
            return pages
        url = link[1 : link.index(">")]


def moment(hoods: Neighbourhoods, wijk_id: Any, occurred_at: datetime) -> dict[str, Any]:
    return {
        "wijkId": str(wijk_id),
        "koppelId": str(hoods.koppel_a.id),
        "kind": "straatgesprek",
        "occurredAt": occurred_at.isoformat(),
        "summary": "Gesprek bij de speeltuin.",
    }


def test_contact_moments_of_two_wijken_page_as_one_list(world: World, hoods: Neighbourhoods, app: FastAPI) -> None:
    agent = world.headers(Role.wijkagent)
    start = datetime.now(UTC) - timedelta(days=20)
    expected, in_a = [], []
    for n in range(13):
        wijk = hoods.wijk_a.id if n % 3 else hoods.wijk_b.id  # interleaved, unevenly
        response = world.client.post(f"{API}/contact-moments", json=moment(hoods, wijk, start + timedelta(hours=n)), headers=agent)
        assert response.status_code == 201, response.text
        expected.append(response.json()["id"])
        if wijk == hoods.wijk_a.id:
            in_a.append(response.json()["id"])

    pages = walk(world, f"{API}/contact-moments?limit=4", agent)
    assert [len(p) for p in pages] == [4, 4, 4, 1]
    assert [i for p in pages for i in p] == expected
    assert [i for p in walk(world, f"{API}/contact-moments?limit=5&wijkId={hoods.wijk_a.id}", agent) for i in p] == in_a
    # The other koppel's member reaches wijk B only.
    other = world.client.get(f"{API}/contact-moments?limit=50", headers=world.headers_for(hoods.koppel_b.members[Role.wijkagent]))
    assert [item["id"] for item in other.json()["items"]] == [i for i in expected if i not in in_a]

    small = statements_for(world, app, f"{API}/contact-moments?limit=2", Role.wijkagent)
    large = statements_for(world, app, f"{API}/contact-moments?limit=20", Role.wijkagent)
    assert small == large <= 5


def test_signals_of_two_wijken_page_as_one_list(world: World, hoods: Neighbourhoods, app: FastAPI) -> None:
    agent = world.headers(Role.wijkagent)
    expected, in_b = [], []
    for n in range(11):
        wijk = hoods.wijk_b.id if n % 4 == 1 else hoods.wijk_a.id
        response = world.client.post(
            f"{API}/signals",
            json={"wijkId": str(wijk), "category": "vervuiling", "description": f"Zwerfvuil {n}", "source": "bewoner"},
            headers=agent,
        )
        assert response.status_code == 201, response.text
        expected.append(response.json()["id"])
        if wijk == hoods.wijk_b.id:
            in_b.append(response.json()["id"])

    pages = walk(world, f"{API}/signals?limit=3", agent)
    assert [len(p) for p in pages] == [3, 3, 3, 2]
    assert [i for p in pages for i in p] == expected
    assert [i for p in walk(world, f"{API}/signals?wijkId={hoods.wijk_b.id}", agent) for i in p] == in_b
    assert walk(world, f"{API}/signals?status=afgehandeld", agent) == [[]]

    small = statements_for(world, app, f"{API}/signals?limit=2", Role.wijkagent)
    large = statements_for(world, app, f"{API}/signals?limit=20", Role.wijkagent)
    assert small == large <= 5


def _cursor(*values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


@pytest.mark.parametrize("path", ["signals", "contact-moments"])
@pytest.mark.parametrize(
    "cursor",
    [
        _cursor("2026-01-01T00:00:00", "0190a5b4-0000-7000-8000-000000000000"),  # an instant without its zone
        _cursor("2026-01-01T00:00:00+00:00", "not an id"),
        _cursor("2026-01-01T00:00:00+00:00"),
        _cursor(1, 2),
        "%%%",
    ],
)
def test_a_forged_cursor_is_a_400_on_cursor(world: World, hoods: Neighbourhoods, path: str, cursor: str) -> None:
    """One wijk or two (the page read wijk by wijk), a cursor the API did not issue answers a 400 that
    names `cursor`; the lists of either kind read their page the same way."""
    for headers in (world.headers(Role.wijkagent), world.headers_for(hoods.koppel_b.members[Role.wijkagent])):
        response = world.client.get(f"{API}/{path}", params={"cursor": cursor}, headers=headers)
        assert response.status_code == 400, response.text
        assert "cursor" in response.text
