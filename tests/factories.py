"""Test data through the domain's own use cases, run on the app's event loop."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from fastapi import FastAPI
from fastapi.testclient import TestClient

from domain import accounts, koppels, wijken
from domain.dates import local_today
from domain.identity import Organisation, OrganisationKind, Principal, PrincipalKind, Role
from domain.koppels import KoppelRole, KoppelStatus, NewAssignment, NewKoppel, NewMember
from domain.scope import Scope, ScopeFacts, compute_scope
from domain.wijken import NewWijk, ProblemIndicator, Wijk
from persistence.uow import SqlUnitOfWork

T = TypeVar("T")
PASSWORD = "correct-horse-battery"
MUNICIPALITY = "GM0106"
WIJK_A = "WK010601"
WIJK_B = "WK010602"

ORGANISATION_FOR_ROLE = {
    Role.admin: "welzijn",
    Role.opbouwwerker: "welzijn",
    Role.wijkagent: "politie",
    Role.wijkbeheerder: "woningcorporatie",
    Role.agency_worker: "instantie",
    Role.gemeente: "gemeente",
    Role.privacy_officer: "welzijn",
    Role.police_system: "politie",
    Role.housing_system: "woningcorporatie",
}


def run(client: TestClient, app: FastAPI, work: Callable[[SqlUnitOfWork], Awaitable[T]]) -> T:
    """Run `work` with a fresh unit of work on the app's loop and engine."""

    async def go() -> T:
        async with app.state.session_factory() as session:
            return await work(SqlUnitOfWork(session))

    assert client.portal is not None
    return client.portal.call(go)


@dataclass
class World:
    client: TestClient
    app: FastAPI
    organisations: dict[str, Organisation] = field(default_factory=dict)
    principals: dict[Role, Principal] = field(default_factory=dict)
    usernames: dict[Role, str] = field(default_factory=dict)
    client_ids: dict[Role, str] = field(default_factory=dict)
    client_secrets: dict[Role, str] = field(default_factory=dict)
    extra_users: int = 0

    @classmethod
    def build(cls, client: TestClient, app: FastAPI) -> World:
        world = cls(client, app)
        now = datetime.now(UTC)
        hasher = app.state.hasher

        async def seed(uow: SqlUnitOfWork) -> None:
            for kind in OrganisationKind:
                code = MUNICIPALITY if kind is OrganisationKind.gemeente else None
                world.organisations[kind.value] = await accounts.create_organisation(
                    uow, accounts.NewOrganisation(f"Test {kind.value}", kind, code), now
                )
            for role, org in ORGANISATION_FOR_ROLE.items():
                organisation_id = world.organisations[org].id
                if role in (Role.police_system, Role.housing_system):
                    issued = await accounts.create_client(
                        uow, hasher, accounts.NewClient(f"{role.value} client", role, organisation_id), now
                    )
                    world.client_ids[role] = issued.client.client_id
                    world.client_secrets[role] = issued.client_secret
                    world.principals[role] = Principal(PrincipalKind.client, issued.client.id, role, organisation_id)
                else:
                    username = f"{role.value.replace('_', '.')}.user"
                    user = await accounts.create_user(
                        uow, hasher, accounts.NewUser(username, role.value, PASSWORD, role, organisation_id), now
                    )
                    world.usernames[role] = username
                    world.principals[role] = Principal(PrincipalKind.user, user.id, role, organisation_id)

        run(client, app, seed)
        return world

    def token(self, principal: Principal) -> str:
        return str(self.app.state.tokens.issue(principal).access_token)

    def headers(self, role: Role, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(self.principals[role])}", **extra}

    def headers_for(self, principal: Principal, **extra: str) -> dict[str, str]:
        """Authorization for any principal, e.g. one made with `add_user`."""
        return {"Authorization": f"Bearer {self.token(principal)}", **extra}

    def run(self, work: Callable[[SqlUnitOfWork], Awaitable[T]]) -> T:
        return run(self.client, self.app, work)

    def add_user(self, role: Role, organisation: str | None = None, username: str | None = None) -> Principal:
        """Another staff account (e.g. a second wijkagent for out-of-scope checks)."""
        organisation_id: UUID = self.organisations[organisation or ORGANISATION_FOR_ROLE[role]].id
        self.extra_users += 1
        name = username or f"{role.value.replace('_', '.')}.{len(self.principals) + len(self.usernames) + self.extra_users}"

        async def work(uow: SqlUnitOfWork) -> Any:
            return await accounts.create_user(
                uow,
                self.app.state.hasher,
                accounts.NewUser(name, name, PASSWORD, role, organisation_id),
                datetime.now(UTC),
            )

        user = self.run(work)
        return Principal(PrincipalKind.user, user.id, role, organisation_id)


def today() -> date:
    """The day the service considers today (Europe/Amsterdam)."""
    return local_today(datetime.now(UTC))


@dataclass(frozen=True)
class KoppelFixture:
    id: UUID
    name: str
    members: dict[Role, Principal]
    memberships: dict[Role, UUID]


@dataclass(frozen=True)
class Neighbourhoods:
    """Two wijken of GM0106, each with an active koppel.

    Koppel A works wijk A with the world's own wijkagent, opbouwwerker and wijkbeheerder (so
    `world.headers(Role.wijkagent)` is a member of A); koppel B works wijk B with two extra users.
    Everyone joined 30 days ago.
    """

    wijk_a: Wijk
    wijk_b: Wijk
    koppel_a: KoppelFixture
    koppel_b: KoppelFixture
    joined_on: date


def admin_scope(world: World) -> Scope:
    return compute_scope(world.principals[Role.admin], ScopeFacts(), today())


def _wijk(world: World, code: str, name: str, indicators: frozenset[ProblemIndicator]) -> Wijk:
    async def work(uow: SqlUnitOfWork) -> Wijk:
        return await wijken.create_wijk(
            uow, admin_scope(world), NewWijk(code, name, MUNICIPALITY, indicators=indicators), datetime.now(UTC)
        )

    return world.run(work)


def make_koppel(
    world: World,
    name: str,
    members: dict[Role, Principal],
    wijk_ids: list[UUID],
    *,
    joined_on: date | None = None,
    activate: bool = True,
) -> KoppelFixture:
    """A koppel with these members (koppel role = their own role) in these wijken, activated."""
    joined = joined_on or today() - timedelta(days=30)
    scope = admin_scope(world)

    async def work(uow: SqlUnitOfWork) -> KoppelFixture:
        now = datetime.now(UTC)
        details = await koppels.create_koppel(uow, scope, NewKoppel(name, joined), now)
        koppel_id = details.koppel.id
        memberships = {}
        for role, principal in members.items():
            membership = await koppels.add_member(
                uow, scope, koppel_id, NewMember(principal.id, KoppelRole(role.value), joined), now
            )
            memberships[role] = membership.id
        for wijk_id in wijk_ids:
            await koppels.add_assignment(uow, scope, koppel_id, NewAssignment(wijk_id, joined), now)
        if activate:
            current = await koppels.get_koppel(uow, scope, koppel_id)
            await koppels.update_koppel(
                uow, scope, koppel_id, current.koppel.version, {"status": KoppelStatus.actief}, now
            )
        return KoppelFixture(koppel_id, name, dict(members), memberships)

    return world.run(work)


def build_neighbourhoods(world: World) -> Neighbourhoods:
    """Wijk A + koppel A (the world's koppel users) and wijk B + koppel B (extra users)."""
    wijk_a = _wijk(world, WIJK_A, "Assen-Oost", frozenset({ProblemIndicator.criminaliteit}))
    wijk_b = _wijk(world, WIJK_B, "Pittelo", frozenset({ProblemIndicator.wantrouwen}))
    koppel_a = make_koppel(
        world, "Koppel Oost", {r: world.principals[r] for r in (Role.wijkagent, Role.opbouwwerker, Role.wijkbeheerder)},
        [wijk_a.id],
    )
    koppel_b = make_koppel(
        world,
        "Koppel Pittelo",
        {
            Role.wijkagent: world.add_user(Role.wijkagent, username="agent.pittelo"),
            Role.opbouwwerker: world.add_user(Role.opbouwwerker, username="opbouw.pittelo"),
        },
        [wijk_b.id],
    )
    return Neighbourhoods(wijk_a, wijk_b, koppel_a, koppel_b, today() - timedelta(days=30))
