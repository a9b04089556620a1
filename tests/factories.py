"""Test data through the domain's own use cases, run on the app's event loop."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

from fastapi import FastAPI
from fastapi.testclient import TestClient

from domain import accounts
from domain.identity import Organisation, OrganisationKind, Principal, PrincipalKind, Role
from persistence.uow import SqlUnitOfWork

T = TypeVar("T")
PASSWORD = "correct-horse-battery"
MUNICIPALITY = "GM0106"

ORGANISATION_FOR_ROLE = {
    Role.admin: "welzijn",
    Role.opbouwwerker: "welzijn",
    Role.wijkagent: "politie",
    Role.wijkbeheerder: "woningcorporatie",
    Role.agency_worker: "instantie",
    Role.gemeente: "gemeente",
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

    def run(self, work: Callable[[SqlUnitOfWork], Awaitable[T]]) -> T:
        return run(self.client, self.app, work)

    def add_user(self, role: Role, organisation: str | None = None, username: str | None = None) -> Principal:
        """Another staff account (e.g. a second wijkagent for out-of-scope checks)."""
        organisation_id: UUID = self.organisations[organisation or ORGANISATION_FOR_ROLE[role]].id
        name = username or f"{role.value.replace('_', '.')}.{len(self.principals) + len(self.usernames)}"

        async def work(uow: SqlUnitOfWork) -> Any:
            return await accounts.create_user(
                uow,
                self.app.state.hasher,
                accounts.NewUser(name, name, PASSWORD, role, organisation_id),
                datetime.now(UTC),
            )

        user = self.run(work)
        return Principal(PrincipalKind.user, user.id, role, organisation_id)
