"""Statements sent straight to asyncpg (persistence.db.DriverStatement) fail as SQLAlchemy's own do: the
driver's error arrives as SQLAlchemy's DBAPIError class for it, the connection stays usable after a
statement the server refused, and the literals SQLAlchemy binds travel with the statement."""

from __future__ import annotations

import pytest
from sqlalchemy import Integer, bindparam, column, exc, literal, select, text

from persistence.db import DriverStatement, database_unavailable
from persistence.uow import SqlUnitOfWork
from tests.factories import World


@pytest.fixture
def on_postgresql(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("statements go straight to the driver on PostgreSQL only")


@pytest.mark.usefixtures("on_postgresql")
def test_a_refused_statement_raises_sqlalchemys_error_and_the_session_goes_on(world: World) -> None:
    dividing = DriverStatement.of(select((literal(1, Integer) / bindparam("divisor", type_=Integer)).label("q")))

    async def work(uow: SqlUnitOfWork) -> list[int]:
        with pytest.raises(exc.DBAPIError) as raised:
            await dividing.fetch(uow.session, {"divisor": 0})
        assert "division by zero" in str(raised.value.orig)
        assert not database_unavailable(raised.value)  # the server refused it: not a 503
        answers = [row["q"] for row in await dividing.fetch(uow.session, {"divisor": 1})]
        answers += (await uow.session.execute(text("SELECT 2"))).scalars().all()
        return answers

    assert world.run(work) == [1, 2]


@pytest.mark.usefixtures("on_postgresql")
def test_literals_travel_with_the_statement_and_values_are_named(world: World) -> None:
    statement = DriverStatement.of(
        select((column("n", Integer) + 40).label("answer")).select_from(
            select(bindparam("n", type_=Integer).label("n")).subquery()
        )
    )
    assert statement.names.count("n") == 1 and len(statement.names) == 2  # the 40 is bound by SQLAlchemy

    async def work(uow: SqlUnitOfWork) -> int:
        rows = await statement.fetch(uow.session, {"n": 2})
        return int(rows[0]["answer"])

    assert world.run(work) == 42
