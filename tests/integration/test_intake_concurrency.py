"""A housing corporation's intake under 100 truly parallel requests, on PostgreSQL, against a real
uvicorn process (each request on its own database connection).

To prove the requests really overlap, the test holds the signals' change-log turn itself
(pg_advisory_lock on its key) while it fires them, waits until dozens of the service's connections
are waiting on locks at the same moment, and only then lets go.

1. 100 POSTs with the same Idempotency-Key: one signal is stored and every caller gets the same
   answer, byte for byte.
2. 100 POSTs with different keys but the same externalReference: one signal is stored; one caller
   gets 201, the others 200 with that same signal.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy import func, select

from domain.identity import Role
from persistence.change_logs import ChangeLog
from persistence.tables_casework import SignalRow
from persistence.tables_integrations import IdempotencyKeyRow
from tests.api.test_housing_intake import admin_patch_wijk, serve, signal
from tests.factories import World, build_neighbourhoods
from tests.live_server import libpq_dsn, live_server, waiting_on_locks

REQUESTS = 100
POOL = 40
WAIT_SECONDS = 30
SIGNAL = SignalRow.__table__
KEYS = IdempotencyKeyRow.__table__


@pytest.fixture
def server(world: World, backend: str, database_url: str) -> Iterator[tuple[str, str]]:
    """The service in its own process, a served wijk, and a plain DSN for the test's own connections."""
    if backend != "postgresql":
        pytest.skip("parallel writers need PostgreSQL (SQLite admits one writer at a time)")
    place = build_neighbourhoods(world)
    admin_patch_wijk(world, place.wijk_a.id, postcodeRanges=[{"fromPostcode": "9401", "toPostcode": "9401"}])
    serve(world, wijkId=str(place.wijk_a.id))
    dsn = libpq_dsn(database_url)
    # Every request inside the app at once (no admission gate): the races are between database sessions.
    settings = {"db_pool_size": str(POOL), "db_max_overflow": "0", "db_pool_timeout_seconds": "60", "max_active_requests": "0"}
    with live_server(database_url, **settings) as base_url:
        yield base_url, dsn


def fire_while_holding_the_turn(base_url: str, dsn: str, requests: list[dict[str, Any]]) -> tuple[list[httpx.Response], int]:
    """Send all requests at once while the test holds the signals' log turn; release it once many of
    them wait on locks together. Returns the responses and the most waiters seen at one moment."""

    async def go(holder: psycopg.Connection[Any]) -> tuple[list[httpx.Response], int]:
        limits = httpx.Limits(max_connections=len(requests), max_keepalive_connections=len(requests))
        async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as client:
            tasks = [asyncio.create_task(client.post("/api/v1/signals", **r)) for r in requests]
            most = 0
            deadline = time.monotonic() + WAIT_SECONDS
            while most < POOL * 3 // 4:
                assert time.monotonic() < deadline, f"only {most} requests ever waited together: not parallel"
                assert not any(t.done() for t in tasks), "a request finished while the turn was held"
                most = max(most, await asyncio.to_thread(waiting_on_locks, dsn))
                await asyncio.sleep(0.05)
            holder.execute("SELECT pg_advisory_unlock(%s)", (int(ChangeLog.signals),))
            return list(await asyncio.gather(*tasks)), most

    with psycopg.connect(dsn, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (int(ChangeLog.signals),))
        return asyncio.run(go(holder))


def count(world: World, table: Any, *where: Any) -> int:
    async def work(uow):  # type: ignore[no-untyped-def]
        return (await uow.session.execute(select(func.count()).select_from(table).where(*where))).scalar_one()

    return world.run(work)


def test_100_concurrent_posts_with_one_idempotency_key_store_one_signal(world: World, server: tuple[str, str]) -> None:
    base_url, dsn = server
    headers = {**world.headers(Role.housing_system), "Idempotency-Key": str(uuid.uuid4())}
    responses, most = fire_while_holding_the_turn(
        base_url, dsn, [{"json": signal("TA-PARALLEL"), "headers": headers} for _ in range(REQUESTS)]
    )
    assert most >= POOL * 3 // 4
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert len({r.headers["Location"] for r in responses}) == 1
    assert sum(1 for r in responses if r.headers.get("Idempotent-Replayed") == "true") == REQUESTS - 1
    assert count(world, SIGNAL, SIGNAL.c.external_reference == "TA-PARALLEL") == 1
    assert count(world, SIGNAL) == 1 and count(world, KEYS) == 1


def test_100_concurrent_posts_of_one_reference_store_one_signal(world: World, server: tuple[str, str]) -> None:
    base_url, dsn = server
    housing = world.headers(Role.housing_system)
    requests = [
        {"json": signal("TA-SAME"), "headers": {**housing, "Idempotency-Key": str(uuid.uuid4())}} for _ in range(REQUESTS)
    ]
    responses, most = fire_while_holding_the_turn(base_url, dsn, requests)
    assert most >= POOL * 3 // 4
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * (REQUESTS - 1) + [201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert count(world, SIGNAL) == 1 and count(world, KEYS) == REQUESTS
