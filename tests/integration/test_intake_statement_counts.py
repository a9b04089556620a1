"""A housing batch costs the same statements for 5 signals as for 100: the references are looked up in
one query and the signals, their first history lines and their change-log rows are each stored with
one multi-row insert, whatever the batch holds. Budget (statements, SAVEPOINT/BEGIN/COMMIT excluded):
token 1, scope 1, Idempotency-Key claim 1 and its response 1, the organisation's wijken 1, references
1, links of signals already known 0–2, the three inserts, and on PostgreSQL the change log's turn 1."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import FastAPI

from domain.identity import Role
from tests.api.test_housing_intake import hoods, signal  # noqa: F401 - the fixture is used by name
from tests.factories import Neighbourhoods, World
from tests.integration.test_statement_counts import counting

API = "/api/v1"
BUDGET = 12


def batch_statements(world: World, app: FastAPI, items: list[dict[str, Any]]) -> int:
    headers = {**world.headers(Role.housing_system), "Idempotency-Key": str(uuid.uuid4())}
    with counting(app) as statements:
        response = world.client.post(f"{API}/signal-batches", json={"signals": items}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["created"] == len(items)
    work = [s for s in statements if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT", "ROLLBACK"))]
    return len(work)


def test_a_batch_costs_the_same_for_5_and_100_signals(world: World, app: FastAPI, hoods: Neighbourhoods) -> None:  # noqa: F811
    world.client.get(f"{API}/feeds/signals", headers=world.headers(Role.housing_system))  # warm the pool
    small = batch_statements(world, app, [signal(f"S-{n}") for n in range(5)])
    large = batch_statements(world, app, [signal(f"L-{n}") for n in range(100)])
    assert small == large
    assert large <= BUDGET


def test_signals_sent_before_cost_no_statement_each(world: World, app: FastAPI, hoods: Neighbourhoods) -> None:  # noqa: F811
    world.client.get(f"{API}/feeds/signals", headers=world.headers(Role.housing_system))
    first = [signal(f"R-{n}") for n in range(50)]
    batch_statements(world, app, first)
    headers = {**world.headers(Role.housing_system), "Idempotency-Key": str(uuid.uuid4())}
    with counting(app) as statements:
        again = world.client.post(f"{API}/signal-batches", json={"signals": first}, headers=headers)
    assert again.status_code == 200 and again.json()["existing"] == 50
    work = [s for s in statements if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT", "ROLLBACK"))]
    assert len(work) <= BUDGET
