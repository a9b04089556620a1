"""What the domain needs from the outside world, as protocols: repositories, unit of work, hashing.

persistence/ implements the repositories and the unit of work; tests may use fakes.
Repositories never commit: a use case commits once through its unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from domain.identity import Client, Organisation, OrganisationKind, Role, User
from domain.pagination import Page, PageRequest


@dataclass(frozen=True)
class ThrottleState:
    failed_count: int
    locked_until: datetime | None


class OrganisationRepository(Protocol):
    async def add(self, organisation: Organisation) -> None: ...
    async def get(self, organisation_id: UUID) -> Organisation | None: ...
    async def list(
        self, page: PageRequest, *, kind: OrganisationKind | None, active: bool | None
    ) -> Page[Organisation]: ...
    async def update(
        self, organisation_id: UUID, expected_version: int, changes: dict[str, Any], now: datetime
    ) -> Organisation: ...


class UserRepository(Protocol):
    async def add(self, user: User) -> None: ...
    async def get(self, user_id: UUID) -> User | None: ...
    async def get_by_username(self, username: str) -> User | None: ...
    async def list(
        self, page: PageRequest, *, organisation_id: UUID | None, role: Role | None, active: bool | None
    ) -> Page[User]: ...
    async def update(
        self, user_id: UUID, expected_version: int, changes: dict[str, Any], now: datetime
    ) -> User: ...


class ClientRepository(Protocol):
    async def add(self, client: Client) -> None: ...
    async def get(self, client_uuid: UUID) -> Client | None: ...
    async def get_by_client_id(self, client_id: str) -> Client | None: ...
    async def list(
        self, page: PageRequest, *, organisation_id: UUID | None, active: bool | None
    ) -> Page[Client]: ...
    async def update(
        self, client_uuid: UUID, expected_version: int, changes: dict[str, Any], now: datetime
    ) -> Client: ...


class LoginThrottleRepository(Protocol):
    async def get(self, login_name: str) -> ThrottleState: ...
    async def record_failure(self, login_name: str, now: datetime, locked_until: datetime | None) -> int: ...
    async def reset(self, login_name: str) -> None: ...


class UnitOfWork(Protocol):
    organisations: OrganisationRepository
    users: UserRepository
    clients: ClientRepository
    login_throttle: LoginThrottleRepository

    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


class SecretHasher(Protocol):
    """Hashes passwords and client secrets; slow on purpose, so implementations run off the event loop."""

    async def hash(self, secret: str) -> str: ...
    async def verify(self, secret: str, hashed: str | None) -> bool: ...
