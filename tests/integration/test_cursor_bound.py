"""A page after a cursor starts its index walk at the cursor (persistence.pagination.after): the
keyset condition carries a bound on the first sort column that the database uses to position the
index scan, so a deep page reads what the first page reads. Checked on the plans of both databases,
with sequential scans ruled out (the test tables are too small for the planner to want an index)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from sqlalchemy import text

from persistence.contact_moments import _ORDER, _page_statement
from persistence.pagination import PageShape, after
from persistence.tables_referrals import ContactMomentRow
from persistence.uow import SqlUnitOfWork
from tests.factories import World

MOMENT = ContactMomentRow.__table__  # type: ignore[attr-defined]


def test_a_page_after_a_cursor_seeks_to_it_in_the_index(world: World, backend: str) -> None:
    values = {
        "kind": "huisbezoek",
        "partition_key": uuid4(),
        "page_limit": 51,
        "after_0": datetime(2026, 1, 1, tzinfo=UTC),
        "after_1": uuid4(),
    }

    async def plan(uow: SqlUnitOfWork) -> str:
        session = uow.session
        if backend == "postgresql":  # the driver pool's statement, planned as that pool plans it
            statement = _page_statement(PageShape(("kind",), many_partitions=False, after_cursor=True))
            for setting in ("enable_seqscan = off", "enable_bitmapscan = off", "plan_cache_mode = force_generic_plan"):
                await session.execute(text(f"SET LOCAL {setting}"))
            driver = (await (await session.connection()).get_raw_connection()).driver_connection
            assert driver is not None
            explained = await driver.fetch(f"EXPLAIN {statement.sql}", *[values.get(name) for name in statement.names])
            return "\n".join(r[0] for r in explained)
        stmt = (
            MOMENT.select()
            .where(MOMENT.c.wijk_id == values["partition_key"], MOMENT.c.kind == values["kind"])
            .where(after(_ORDER, [values["after_0"], values["after_1"]]))
            .order_by(*_ORDER)
            .limit(51)
        )
        compiled = stmt.compile()
        # Only the plan is asked for: the values' types do not change it, so they travel as text.
        params = {name: str(bind.effective_value) for name, bind in compiled.binds.items()}
        rows = (await session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"), params)).all()
        return "\n".join(str(r[-1]) for r in rows)

    explained = world.run(plan)
    assert _seeks_to_the_cursor(explained, backend), explained


def _seeks_to_the_cursor(plan: str, backend: str) -> bool:
    if backend == "postgresql":
        conditions = [line for line in plan.splitlines() if "Index Cond" in line]
        return any("occurred_at >=" in line for line in conditions)
    # SQLite names the columns that position its index search: "USING INDEX … (wijk_id=? AND occurred_at>?)"
    return any("occurred_at>" in line for line in plan.splitlines() if "USING INDEX" in line)
