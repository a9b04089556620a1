"""Round trips per request, counted at the driver: a list costs the same number of statements for 2
rows as for 20 (no N+1), and a read stays within its documented budget.

Budgets (statements per request): token check 1 (the account is re-read so deactivation bites at
once; for a staff user it brings the koppel facts of its scope along), scope 0–1 (none more for koppel
roles, one query for gemeente and agency workers), then the work itself. BEGIN, COMMIT and ROLLBACK
are not counted; on PostgreSQL a GET sends none (persistence.db.create_read_session_factory).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from asyncpg import introspection
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.engine.interfaces import ExecuteStyle

from domain import offers
from domain.categories import NeedCategory
from domain.identity import Role
from tests.factories import World, admin_scope, build_neighbourhoods

API = "/api/v1"


@contextmanager
def counting(app: FastAPI) -> Iterator[list[str]]:
    """Every statement sent to the database while the block runs: those SQLAlchemy executes, and on
    PostgreSQL those sent straight to asyncpg (persistence.resident_reads) and those on the driver
    pool's connections (api.hot_reads), which only asyncpg's query logger sees. A statement both
    report (SQLAlchemy handing it to the driver) is counted once."""
    statements: list[str] = []
    through_sqlalchemy: Counter[str] = Counter()

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        # A true executemany is one statement per parameter set to the database (asyncpg pipelines
        # them, PostgreSQL still runs each one): counted as such, so rows written that way show up as a
        # count that grows with the page. A multi-row INSERT … VALUES (insertmanyvalues) is one.
        one_per_row = executemany and context.execute_style is ExecuteStyle.EXECUTEMANY
        statements.extend([statement] * (len(parameters) if one_per_row else 1))
        through_sqlalchemy[statement] += 1

    def logged(query: Any) -> None:
        if _introspection(query.query):
            return
        if through_sqlalchemy[query.query] > 0:
            through_sqlalchemy[query.query] -= 1
        else:
            statements.append(query.query)

    def checked_out(dbapi_connection, _record, _proxy):  # type: ignore[no-untyped-def]
        dbapi_connection.driver_connection.add_query_logger(logged)

    def checked_in(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        if dbapi_connection is not None:
            dbapi_connection.driver_connection.remove_query_logger(logged)

    engine = app.state.engine.sync_engine
    on_driver = engine.dialect.driver == "asyncpg"
    driver_pool = getattr(app.state, "driver_pool", None)
    event.listen(engine, "before_cursor_execute", record)
    if on_driver:
        event.listen(engine.pool, "checkout", checked_out)
        event.listen(engine.pool, "checkin", checked_in)
    if driver_pool is not None:
        app.state.driver_pool = _CountedPool(driver_pool, statements)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
        if on_driver:
            event.remove(engine.pool, "checkout", checked_out)
            event.remove(engine.pool, "checkin", checked_in)
        if driver_pool is not None:
            app.state.driver_pool = driver_pool


def _introspection(statement: str) -> bool:
    """asyncpg's own look-up of a type a connection meets for the first time (with JIT switched off
    around it): three statements on that connection once, like the first use's ping, not the request's."""
    return statement in (introspection.INTRO_LOOKUP_TYPES, introspection.INTRO_LOOKUP_TYPES_13,
                         introspection.TYPE_BY_NAME) or "set_config('jit'" in statement


class _CountedPool:
    """The app's driver pool (api.hot_reads), each statement sent on its connections counted as it is
    sent (asyncpg's query loggers run later, from the event loop, and could miss the block's end)."""

    def __init__(self, pool: Any, statements: list[str]) -> None:
        self.pool = pool
        self.statements = statements

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[Any]:
        async with self.pool.acquire() as connection:
            yield _CountedConnection(connection, self.statements)

    async def take(self) -> Any:
        return _CountedConnection(await self.pool.take(), self.statements)

    async def give_back(self, counted: Any) -> None:
        await self.pool.give_back(counted.connection)


class _CountedConnection:
    def __init__(self, connection: Any, statements: list[str]) -> None:
        self.connection = connection
        self.statements = statements

    async def fetch(self, query: str, *arguments: Any) -> Any:
        self.statements.append(query)
        return await self.connection.fetch(query, *arguments)

    async def fetchrow(self, query: str, *arguments: Any) -> Any:
        self.statements.append(query)
        return await self.connection.fetchrow(query, *arguments)


def statements_for(world: World, app: FastAPI, url: str, role: Role) -> int:
    headers = world.headers(role)
    world.client.get(url, headers=headers)  # warm: first-use statements (e.g. pool pre-ping) excluded
    with counting(app) as statements:
        response = world.client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return len([s for s in statements if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT", "ROLLBACK"))])


@pytest.fixture
def many_offers(world: World) -> None:
    place = build_neighbourhoods(world)
    provider = world.organisations["instantie"].id

    async def work(uow):  # type: ignore[no-untyped-def]
        now = datetime.now(UTC)
        for n in range(21):
            await offers.create_offer(
                uow,
                admin_scope(world),
                offers.NewOffer(
                    provider,
                    f"Aanbod {n:02d}",
                    "Hulp bij de administratie",
                    frozenset({NeedCategory.schulden, NeedCategory.financien}),
                    "bel het spreekuur",
                    wijk_ids=frozenset({place.wijk_a.id}),
                    capacity=5,
                ),
                now,
            )

    world.run(work)


@pytest.mark.parametrize("role", [Role.admin, Role.opbouwwerker, Role.agency_worker])
def test_offer_list_costs_the_same_for_2_and_20_rows(world: World, app: FastAPI, many_offers: None, role: Role) -> None:
    small = statements_for(world, app, f"{API}/offers?limit=2", role)
    large = statements_for(world, app, f"{API}/offers?limit=20", role)
    assert small == large
    assert large <= 5


def test_organisation_and_user_lists_do_not_grow_with_page_size(world: World, app: FastAPI) -> None:
    for path in ("organisations", "users"):
        small = statements_for(world, app, f"{API}/{path}?limit=2", Role.admin)
        large = statements_for(world, app, f"{API}/{path}?limit=20", Role.admin)
        assert small == large <= 3, path


def test_wijk_and_koppel_lists_do_not_grow_with_page_size(world: World, app: FastAPI) -> None:
    build_neighbourhoods(world)
    for path in ("wijken", "koppels"):
        small = statements_for(world, app, f"{API}/{path}?limit=1", Role.admin)
        large = statements_for(world, app, f"{API}/{path}?limit=20", Role.admin)
        assert small == large, path


def test_reading_one_organisation_takes_two_round_trips(world: World, app: FastAPI) -> None:
    organisation = world.organisations["politie"]
    assert statements_for(world, app, f"{API}/organisations/{organisation.id}", Role.admin) == 2
