"""Feeds under concurrent writers, on PostgreSQL (where writers really overlap): a client that polls
while others commit never skips a change, and what it reconstructs is exactly the true set.

1. A deterministic interleaving: writer A has written its change-log row but not committed; writer B
   then changes another item; the client polls, A commits, B finishes, the client polls again. Were
   numbers handed out without regard to commit order, B's change would be read first, the cursor would
   pass A's number, and A's change would be lost — this test would fail.
2. A stress run against a real uvicorn process: koppel members submit, edit and withdraw items while the
   police's system answers them, and a poller follows the feed throughout with small pages.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import select, text

from domain import agenda, feeds
from domain.identity import Role
from domain.scope import load_scope
from persistence.tables_casework import AgendaItemRow
from persistence.uow import SqlUnitOfWork
from tests.factories import Neighbourhoods, World, build_neighbourhoods, today
from tests.live_server import live_server

API = "/api/v1"
ITEM = AgendaItemRow.__table__
WAIT_SECONDS = 20


@pytest.fixture
def hoods(world: World, backend: str) -> Neighbourhoods:
    if backend != "postgresql":
        pytest.skip("concurrent writers: SQLite admits one writer at a time, so there is no interleaving to test")
    return build_neighbourhoods(world)


def submit(world: World, hoods: Neighbourhoods, title: str) -> str:
    body = {
        "wijkId": str(hoods.wijk_a.id),
        "title": title,
        "description": "Overlast in de avond.",
        "theme": "veiligheid",
        "addressee": {"kind": "politie"},
    }
    created = world.client.post(f"{API}/agenda-items", json=body, headers=world.headers(Role.wijkagent))
    assert created.status_code == 201, created.text
    moved = world.client.post(
        f"{API}/agenda-items/{created.json()['id']}/status-changes",
        json={"to": "geagendeerd"},
        headers={**world.headers(Role.wijkagent), "If-Match": '"1"'},
    )
    assert moved.status_code == 200, moved.text
    return str(created.json()["id"])


def apply(held: dict[UUID, tuple[int, str]], page: feeds.FeedPage[feeds.AgendaFeedEntry]) -> None:
    for entry in page.entries:
        if entry.change.kind.value in ("withdrawn", "deleted"):
            held.pop(entry.change.agenda_item_id, None)
        else:
            assert entry.item is not None
            held[entry.item.id] = (entry.item.version, entry.item.status.value)


async def truth(uow: SqlUnitOfWork) -> dict[UUID, tuple[int, str]]:
    """The police's agenda as it is: submitted, not withdrawn."""
    c = ITEM.c
    stmt = select(c.id, c.version, c.status).where(
        c.addressee_kind == "politie", c.submitted_at.is_not(None), c.status != "ingetrokken"
    )
    return {row.id: (row.version, row.status) for row in (await uow.session.execute(stmt)).all()}


def test_a_change_committed_later_is_never_read_before_an_earlier_numbered_one(world: World, hoods: Neighbourhoods) -> None:
    first, second = (UUID(submit(world, hoods, title)) for title in ("Eerste", "Tweede"))
    koppel = world.principals[Role.wijkagent]
    police = world.principals[Role.police_system]
    factory = world.app.state.session_factory

    async def scenario() -> None:
        async with factory() as setup:
            koppel_scope = await load_scope(SqlUnitOfWork(setup), koppel, today())
            police_scope = await load_scope(SqlUnitOfWork(setup), police, today())
        held: dict[UUID, tuple[int, str]] = {}
        async with factory() as reader:
            page = await feeds.read_agenda_feed(SqlUnitOfWork(reader), police_scope, None, 100)
            await reader.commit()
        apply(held, page)
        cursor = page.cursor
        assert set(held) == {first, second}

        # writer A: its change-log row is written (so it holds a number), its transaction stays open
        writer_a = SqlUnitOfWork(factory())
        async with writer_a.holding():
            await agenda.update_agenda_item(writer_a, koppel_scope, first, 2, {"title": "Eerste, aangevuld"}, datetime.now(UTC))

        async def writer_b() -> None:
            async with factory() as session:
                await agenda.update_agenda_item(
                    SqlUnitOfWork(session), koppel_scope, second, 2, {"title": "Tweede, aangevuld"}, datetime.now(UTC)
                )

        b = asyncio.create_task(writer_b())
        # B either waits for A (the log's turn) or, without that turn, commits right away
        async with factory() as probe:
            deadline = time.monotonic() + WAIT_SECONDS
            while not b.done():
                waiting = await probe.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"))
                await probe.commit()
                if waiting.scalar_one() > 0:
                    break
                assert time.monotonic() < deadline, "writer B neither finished nor waited"
                await asyncio.sleep(0.02)
        async with factory() as reader:
            page = await feeds.read_agenda_feed(SqlUnitOfWork(reader), police_scope, cursor, 100)
            await reader.commit()
        apply(held, page)
        cursor = page.cursor
        await writer_a.commit_held()
        await writer_a.session.close()
        await asyncio.wait_for(b, WAIT_SECONDS)
        async with factory() as reader:
            page = await feeds.read_agenda_feed(SqlUnitOfWork(reader), police_scope, cursor, 100)
            apply(held, page)
            assert held == await truth(SqlUnitOfWork(reader))
        assert held[first] == (3, "geagendeerd") and held[second] == (3, "geagendeerd")

    world.client.portal.call(scenario)  # type: ignore[union-attr]


def test_a_poller_reconstructs_exactly_the_true_agenda_while_writers_commit(world: World, hoods: Neighbourhoods, database_url: str) -> None:
    items = [submit(world, hoods, f"Thema {n}") for n in range(4)]
    concepts: list[str] = []
    koppel_headers = world.headers(Role.wijkagent)
    police_headers = world.headers(Role.police_system)
    rng = random.Random(6)  # noqa: S311 - a reproducible mix of writes, not security

    async def koppel_writer(client: httpx.AsyncClient, n: int) -> None:
        for round_ in range(6):
            body = {"wijkId": str(hoods.wijk_a.id), "title": f"Nieuw {n}-{round_}", "description": "Overlast",
                    "theme": "veiligheid", "addressee": {"kind": "politie"}}
            made = (await client.post(f"{API}/agenda-items", json=body, headers=koppel_headers)).json()
            if rng.random() < 0.2:
                concepts.append(made["id"])  # stays a concept: never in the feed
                continue
            url = f"{API}/agenda-items/{made['id']}"
            await client.post(f"{url}/status-changes", json={"to": "geagendeerd"}, headers={**koppel_headers, "If-Match": '"1"'})
            items.append(made["id"])
            for target in rng.sample(items, 2):
                current = await client.get(f"{API}/agenda-items/{target}", headers=koppel_headers)
                etag = current.headers.get("ETag", '"0"')  # a concurrent change makes it stale: a 412, fine
                if rng.random() < 0.3:
                    await client.post(f"{API}/agenda-items/{target}/status-changes", json={"to": "ingetrokken"},
                                      headers={**koppel_headers, "If-Match": etag})
                else:
                    await client.patch(f"{API}/agenda-items/{target}", json={"priority": rng.choice(["laag", "hoog"])},
                                       headers={**koppel_headers, "If-Match": etag})

    async def police_writer(client: httpx.AsyncClient) -> None:
        for _ in range(30):
            target = rng.choice(items)
            answer = rng.choice([{"status": "in_behandeling"}, {"status": "afgehandeld", "response": "Opgepakt."},
                                 {"addresseeReference": f"BVH-{rng.randint(1, 99)}"}])
            await client.post(f"{API}/agenda-items/{target}/answers", json=answer,
                              headers={**police_headers, "Idempotency-Key": str(uuid.uuid4())})

    async def poller(client: httpx.AsyncClient, writers_done: asyncio.Event) -> tuple[dict[str, Any], int]:
        held: dict[str, Any] = {}
        since: str | None = None
        last_sequence = 0
        polls = 0
        while True:
            finished = writers_done.is_set()
            params = {"limit": 3} | ({"since": since} if since else {})
            response = await client.get(f"{API}/feeds/agenda-items", params=params, headers=police_headers)
            assert response.status_code == 200, response.text
            page = response.json()
            polls += 1
            for entry in page["items"]:
                assert entry["sequence"] > last_sequence, "the feed went back in order"
                last_sequence = entry["sequence"]
                if entry["change"] in ("withdrawn", "deleted"):
                    held.pop(entry["agendaItemId"], None)
                else:
                    held[entry["agendaItemId"]] = (entry["item"]["version"], entry["item"]["status"])
            since = page["nextCursor"]
            if finished and not page["hasMore"]:
                return held, polls

    async def run(base_url: str) -> tuple[dict[str, Any], int]:
        limits = httpx.Limits(max_connections=50)
        async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
            done = asyncio.Event()
            watching = asyncio.create_task(poller(client, done))
            await asyncio.gather(*(koppel_writer(client, n) for n in range(4)), police_writer(client), police_writer(client))
            done.set()
            return await asyncio.wait_for(watching, 120)

    with live_server(database_url, db_pool_size="20") as base_url:
        held, polls = asyncio.run(run(base_url))
    expected = world.run(truth)
    assert {UUID(k): v for k, v in held.items()} == expected
    assert len(expected) >= 4 and polls > 1
    assert not set(concepts) & set(held)
