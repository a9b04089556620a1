"""A transaction PostgreSQL gives up for a concurrent one (a deadlock among row locks, a serialization
failure) is a 409 problem detail — send it again — never a 500: a real deadlock between two of the
service's own connections, raised as SQLAlchemy raises it and as the driver pool raises it bare."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.requests import Request

from api.problems import _database
from persistence.db import transaction_conflict
from tests.factories import Neighbourhoods, World, build_neighbourhoods
from tests.live_server import libpq_dsn

TOUCH = "UPDATE wijk SET name = name WHERE id = :id"


async def _deadlocked(first: Any, second: Any, touch: Any, a: Any, b: Any) -> BaseException:
    """Two transactions each lock one wijk row, then the other's: PostgreSQL gives one of them up."""
    await touch(first, a)
    await touch(second, b)
    results = await asyncio.gather(touch(first, b), touch(second, a), return_exceptions=True)
    given_up = [r for r in results if isinstance(r, BaseException)]
    assert len(given_up) == 1, results
    return given_up[0]


def _answer(error: BaseException) -> tuple[int, dict[str, Any]]:
    request = Request({"type": "http", "method": "POST", "path": "/api/v1/signals", "headers": [], "query_string": b""})
    response = asyncio.run(_database(request, error))  # type: ignore[arg-type]
    return response.status_code, json.loads(bytes(response.body))


@pytest.fixture
def hoods(world: World, backend: str) -> Neighbourhoods:
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time: no transaction is given up for another")
    return build_neighbourhoods(world)


def test_a_deadlock_through_sqlalchemy_is_a_409(world: World, hoods: Neighbourhoods, database_url: str) -> None:
    async def run() -> BaseException:
        engine = create_async_engine(database_url)
        try:
            async with engine.connect() as first, engine.connect() as second:
                async def touch(connection: Any, wijk: Any) -> None:
                    await connection.execute(text(TOUCH), {"id": wijk})

                return await _deadlocked(first, second, touch, hoods.wijk_a.id, hoods.wijk_b.id)
        finally:
            await engine.dispose()

    error = asyncio.run(run())
    assert transaction_conflict(error), repr(error)
    status, body = _answer(error)
    assert (status, body["type"]) == (409, "urn:koppelwerk:problem:concurrent_change"), body


def test_a_deadlock_on_a_bare_driver_connection_is_a_409(world: World, hoods: Neighbourhoods, database_url: str) -> None:
    async def run() -> BaseException:
        first, second = [await asyncpg.connect(libpq_dsn(database_url)) for _ in range(2)]
        try:
            for connection in (first, second):
                await connection.execute("BEGIN")

            async def touch(connection: Any, wijk: Any) -> None:
                await connection.execute("UPDATE wijk SET name = name WHERE id = $1", wijk)

            return await _deadlocked(first, second, touch, hoods.wijk_a.id, hoods.wijk_b.id)
        finally:
            await asyncio.gather(first.close(), second.close())

    error = asyncio.run(run())
    assert isinstance(error, asyncpg.DeadlockDetectedError) and transaction_conflict(error)
    status, body = _answer(error)
    assert (status, body["type"]) == (409, "urn:koppelwerk:problem:concurrent_change"), body


def test_other_refusals_are_not_conflicts() -> None:
    assert not transaction_conflict(asyncpg.UniqueViolationError("duplicate key"))
    assert not transaction_conflict(ValueError("no database error at all"))
