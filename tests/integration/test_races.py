"""Races on PostgreSQL against a real uvicorn process: every request on its own connection, truly in
parallel, and proven to overlap.

The proof: before firing, the test's own connection takes the lock every request must pass through
(the row they all update, or the signals' change-log turn) and keeps it until every request of the
race waits on a lock at the same moment (pg_stat_activity); only then it lets go. So all of them read
the same state before any of them writes.

1. 30 PATCHes of one resident with the same If-Match: one 200, 29 412 problem details; the version
   goes up by exactly one and the winner's change is the one stored (no lost update).
2. Several agency workers take up the same referral with the same If-Match: one wins, the others get
   412; the history holds one acceptance.
3. Koppel members send 20 referrals in parallel to an offer with 3 places: exactly 3 are sent, 17 get
   the 409 "no places left", and the offer ends at 0 free places, never below.
4. Colleagues send the same referral together to an offer with one place: the first takes it, the
   others sent a version that is gone and get 412, not "no places left".
5. Housing systems send batches of signals in parallel under different Idempotency-Keys, their
   references overlapping: every reference is stored exactly once and every item is answered
   created or existing, with the one stored signal.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy import func, select

from domain.identity import Role
from persistence.change_logs import ChangeLog
from persistence.tables_casework import SignalRow
from persistence.tables_referrals import ReferralRow, ReferralStatusChangeRow
from persistence.tables_residents import ResidentRow
from tests.api.test_housing_intake import admin_patch_wijk, serve, signal
from tests.api.test_referrals import Story
from tests.factories import Neighbourhoods, World, build_neighbourhoods
from tests.live_server import libpq_dsn, live_server, waiting_on_locks
from tests.resident_support import AuditedApi, audit_events, create_resident

API = "/api/v1"
POOL = 40
WAIT_SECONDS = 30
PROBLEM = "application/problem+json"
SIGNAL = SignalRow.__table__
RESIDENT = ResidentRow.__table__
REFERRAL = ReferralRow.__table__
REFERRAL_HISTORY = ReferralStatusChangeRow.__table__


@dataclass(frozen=True)
class Server:
    base_url: str
    dsn: str  # a plain libpq DSN for the test's own connections


@pytest.fixture(scope="module")
def server(backend: str, database_url: str) -> Iterator[Server]:
    """The service in its own process (one for the module: the tests wipe the data, not the schema),
    with more connections than any race has requests."""
    if backend != "postgresql":
        pytest.skip("parallel writers need PostgreSQL (SQLite admits one writer at a time)")
    dsn = libpq_dsn(database_url)
    # Every request inside the app at once (no admission gate): the races are between database sessions.
    settings = {"db_pool_size": str(POOL), "db_max_overflow": "0", "db_pool_timeout_seconds": "60", "max_active_requests": "0"}
    with live_server(database_url, **settings) as base_url:
        yield Server(base_url, dsn)


@pytest.fixture
def hoods(world: World, server: Server) -> Neighbourhoods:
    return build_neighbourhoods(world)


def race(server: Server, hold: str, params: tuple[Any, ...], requests: list[dict[str, Any]]) -> list[httpx.Response]:
    """Send `requests` (httpx.request keyword arguments) all at once while the test's own transaction
    holds the lock `hold` takes; let go only when every one of them waits on a lock together."""

    async def go(holder: psycopg.Connection[Any]) -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=len(requests), max_keepalive_connections=len(requests))
        async with httpx.AsyncClient(base_url=server.base_url, timeout=120, limits=limits) as client:
            tasks = [asyncio.create_task(client.request(**r)) for r in requests]
            most = 0
            deadline = time.monotonic() + WAIT_SECONDS
            while most < len(requests):
                finished = [t for t in tasks if t.done()]
                assert not finished, f"a request finished while the lock was held: {finished[0].result().text}"
                assert time.monotonic() < deadline, f"only {most} of {len(requests)} requests ever waited together"
                most = max(most, await asyncio.to_thread(waiting_on_locks, server.dsn))
                await asyncio.sleep(0.05)
            holder.rollback()  # lets go of the lock; the test changed nothing
            return list(await asyncio.gather(*tasks))

    with psycopg.connect(server.dsn) as holder:
        holder.execute(hold, params)
        return asyncio.run(go(holder))


def scalar(world: World, statement: Any) -> Any:
    async def work(uow):  # type: ignore[no-untyped-def]
        return (await uow.session.execute(statement)).scalar_one()

    return world.run(work)


def assert_problems(responses: list[httpx.Response], status: int) -> None:
    for response in responses:
        assert response.status_code == status
        assert response.headers["Content-Type"].startswith(PROBLEM)
        body = response.json()
        assert body["status"] == status and body["title"] and body["type"]


def test_30_parallel_patches_of_one_resident_with_one_if_match(world: World, hoods: Neighbourhoods, server: Server) -> None:
    members = [world.headers(role) for role in (Role.opbouwwerker, Role.wijkagent, Role.wijkbeheerder)]
    resident = create_resident(AuditedApi(world), members[0], hoods.wijk_a.id)
    url = f"{API}/residents/{resident['id']}"
    etag = world.client.get(url, headers=members[0]).headers["ETag"]
    assert etag == '"1"'
    # Each writer changes the phone number to its own value, so the stored one names the winner.
    phones = [f"06 1000 {n:04d}" for n in range(30)]
    requests = [
        {"method": "PATCH", "url": url, "json": {"phone": phone}, "headers": {**members[n % 3], "If-Match": etag}}
        for n, phone in enumerate(phones)
    ]
    responses = race(server, "SELECT 1 FROM resident WHERE id = %s FOR UPDATE", (uuid.UUID(resident["id"]),), requests)

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 1, 412: 29}
    winner = next(r for r in responses if r.status_code == 200)
    assert winner.headers["ETag"] == '"2"'
    assert_problems([r for r in responses if r.status_code != 200], 412)
    stored = world.client.get(url, headers=members[0])
    assert stored.headers["ETag"] == '"2"'
    assert stored.json()["phone"] == winner.json()["phone"] == phones[responses.index(winner)]
    assert scalar(world, select(RESIDENT.c.version).where(RESIDENT.c.id == uuid.UUID(resident["id"]))) == 2
    updates = audit_events(world, resident_id=resident["id"], action="update")
    assert [e.request_id for e in updates] == [winner.headers["X-Request-ID"]], "only the winner's change is audited"


def test_agency_workers_taking_up_one_referral_together_one_wins(world: World, hoods: Neighbourhoods, server: Server) -> None:
    story = Story(world, hoods)
    story.consent()
    referral = story.propose()
    assert story.move(referral, story.koppel, 1, to="aangemeld").status_code == 200
    workers = [world.headers(Role.agency_worker)] + [
        world.headers_for(world.add_user(Role.agency_worker)) for _ in range(7)
    ]
    url = f"{API}/referrals/{referral['id']}"
    requests = [
        {"method": "POST", "url": f"{url}/status-changes", "json": {"to": "in_behandeling"}, "headers": {**w, "If-Match": '"2"'}}
        for w in workers
    ]
    responses = race(server, "SELECT 1 FROM referral WHERE id = %s FOR UPDATE", (uuid.UUID(referral["id"]),), requests)

    assert Counter(r.status_code for r in responses) == {200: 1, 412: len(workers) - 1}
    assert_problems([r for r in responses if r.status_code != 200], 412)
    winner = next(r for r in responses if r.status_code == 200)
    assert (winner.json()["status"], winner.headers["ETag"]) == ("in_behandeling", '"3"')
    history = world.client.get(f"{url}/status-changes", headers=story.koppel).json()["items"]
    assert [(h["fromStatus"], h["toStatus"]) for h in history] == [
        (None, "voorgesteld"), ("voorgesteld", "aangemeld"), ("aangemeld", "in_behandeling"),
    ]
    assert story.places() == 1, "taking a referral up neither takes nor gives back a place"


def test_parallel_referrals_never_take_more_places_than_an_offer_has(
    world: World, hoods: Neighbourhoods, server: Server
) -> None:
    places, referrals = 3, 20
    story = Story(world, hoods, capacity=places)
    story.consent()
    members = [world.headers(role) for role in (Role.opbouwwerker, Role.wijkagent, Role.wijkbeheerder)]
    requests = []
    for n in range(referrals):
        need = story.post(f"{API}/needs", {
            "wijkId": str(hoods.wijk_a.id), "koppelId": str(hoods.koppel_a.id), "residentId": story.resident["id"],
            "category": "schulden", "description": f"Aanmaning nummer {n + 1} van de energieleverancier.",
        }, members[n % 3])
        proposed = story.post(f"{API}/referrals", {"needId": need["id"], "offerId": story.offer["id"]}, members[n % 3])
        requests.append({
            "method": "POST", "url": f"{API}/referrals/{proposed['id']}/status-changes", "json": {"to": "aangemeld"},
            "headers": {**members[n % 3], "If-Match": '"1"'},
        })
    offer_id = uuid.UUID(story.offer["id"])
    responses = race(server, "SELECT 1 FROM offer WHERE id = %s FOR UPDATE", (offer_id,), requests)

    assert Counter(r.status_code for r in responses) == {200: places, 409: referrals - places}
    refused = [r for r in responses if r.status_code == 409]
    assert_problems(refused, 409)
    assert all("no places left" in r.json()["detail"] for r in refused)
    assert all(r.json()["holdsPlace"] for r in responses if r.status_code == 200)
    assert story.places() == 0
    sent = REFERRAL.c.status == "aangemeld"
    assert scalar(world, select(func.count()).select_from(REFERRAL).where(sent, REFERRAL.c.holds_place)) == places
    assert scalar(world, select(func.count()).select_from(REFERRAL).where(REFERRAL.c.status == "voorgesteld")) == (
        referrals - places
    )
    moves = select(func.count()).select_from(REFERRAL_HISTORY).where(REFERRAL_HISTORY.c.to_status == "aangemeld")
    assert scalar(world, moves) == places, "a refused send leaves no history"


def test_parallel_batches_with_overlapping_references_store_each_once(
    world: World, hoods: Neighbourhoods, server: Server
) -> None:
    admin_patch_wijk(world, hoods.wijk_a.id, postcodeRanges=[{"fromPostcode": "9401", "toPostcode": "9401"}])
    serve(world, wijkId=str(hoods.wijk_a.id))
    housing = world.headers(Role.housing_system)
    # 12 batches of 40 over 100 references: batch n sends TA-(8n) … TA-(8n+39), so neighbours share 32.
    batches = [[f"TA-{(8 * n + i) % 100:03d}" for i in range(40)] for n in range(12)]
    requests = [
        {
            "method": "POST", "url": f"{API}/signal-batches",
            "json": {"signals": [signal(reference) for reference in references]},
            "headers": {**housing, "Idempotency-Key": str(uuid.uuid4())},
        }
        for references in batches
    ]
    responses = race(server, "SELECT pg_advisory_xact_lock(%s)", (int(ChangeLog.signals),), requests)

    assert {r.status_code for r in responses} == {200}, [r.text for r in responses if r.status_code != 200]
    signal_of: dict[str, set[str]] = {}
    created = Counter[str]()
    for references, response in zip(batches, responses, strict=True):
        body = response.json()
        assert [item["index"] for item in body["results"]] == list(range(len(references)))
        assert {item["outcome"] for item in body["results"]} <= {"created", "existing"}
        assert body["rejected"] == 0 and body["created"] + body["existing"] == len(references)
        for reference, item in zip(references, body["results"], strict=True):
            assert item["signal"]["externalReference"] == reference
            signal_of.setdefault(reference, set()).add(item["signal"]["id"])
            if item["outcome"] == "created":
                created[reference] += 1
    distinct = {reference for references in batches for reference in references}
    assert set(created) == distinct and set(created.values()) == {1}, "each reference created exactly once"
    assert all(len(ids) == 1 for ids in signal_of.values()), "every batch names the one stored signal"
    assert scalar(world, select(func.count()).select_from(SIGNAL)) == len(distinct)
    per_reference = (
        select(func.count()).select_from(
            select(SIGNAL.c.external_reference).group_by(SIGNAL.c.external_reference)
            .having(func.count() > 1).subquery()
        )
    )
    assert scalar(world, per_reference) == 0


def test_colleagues_sending_one_referral_together_the_late_ones_hear_it_changed(
    world: World, hoods: Neighbourhoods, server: Server
) -> None:
    """The offer's last place goes with the first send; the others sent a version that is gone, which
    is a 412 (fetch it again), not 'no places left' — the referral did get its place."""
    story = Story(world, hoods, capacity=1)
    story.consent()
    referral = story.propose()
    members = [world.headers(role) for role in (Role.opbouwwerker, Role.wijkagent, Role.wijkbeheerder)]
    requests = [
        {
            "method": "POST", "url": f"{API}/referrals/{referral['id']}/status-changes", "json": {"to": "aangemeld"},
            "headers": {**members[n % 3], "If-Match": '"1"'},
        }
        for n in range(10)
    ]
    responses = race(server, "SELECT 1 FROM offer WHERE id = %s FOR UPDATE", (uuid.UUID(story.offer["id"]),), requests)

    assert Counter(r.status_code for r in responses) == {200: 1, 412: 9}
    assert_problems([r for r in responses if r.status_code != 200], 412)
    assert story.places() == 0
    history = world.client.get(f"{API}/referrals/{referral['id']}/status-changes", headers=story.koppel).json()["items"]
    assert [h["toStatus"] for h in history] == ["voorgesteld", "aangemeld"]
