"""Use cases for organisations, staff users and system clients, and for authentication."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from domain.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound, TooManyAttempts
from domain.identity import (
    USERNAME,
    Client,
    Organisation,
    OrganisationKind,
    Principal,
    PrincipalKind,
    Role,
    User,
    check_municipality_code,
    check_new_password,
    check_role_fits_organisation,
)
from domain.pagination import Page, PageRequest
from domain.ports import SecretHasher, UnitOfWork

# Throttling of failed logins: after this many consecutive failures for one login name the
# name is locked, first for LOCK_BASE, doubling per further failure up to LOCK_MAX.
MAX_FAILED_LOGINS = 5
LOCK_BASE = timedelta(seconds=30)
LOCK_MAX = timedelta(minutes=15)

GENERIC_LOGIN_FAILURE = "invalid credentials"


@dataclass(frozen=True)
class NewOrganisation:
    name: str
    kind: OrganisationKind
    municipality_code: str | None = None


@dataclass(frozen=True)
class NewUser:
    username: str
    display_name: str
    password: str
    role: Role
    organisation_id: UUID
    email: str | None = None


@dataclass(frozen=True)
class NewClient:
    name: str
    role: Role
    organisation_id: UUID
    # Only for seeding fixed demo credentials; normally both are generated.
    client_id: str | None = None
    client_secret: str | None = None


@dataclass(frozen=True)
class IssuedClient:
    """A freshly created client with its secret; the secret is shown once and never stored in clear."""

    client: Client
    client_secret: str


async def _organisation(uow: UnitOfWork, organisation_id: UUID, field: str) -> Organisation:
    organisation = await uow.organisations.get(organisation_id)
    if organisation is None:
        raise InvalidInput.field(field, "no such organisation", code="unknown_reference")
    if not organisation.active:
        raise InvalidInput.field(field, "the organisation is deactivated", code="inactive_reference")
    return organisation


# --- organisations -------------------------------------------------------------------------


async def create_organisation(uow: UnitOfWork, data: NewOrganisation, now: datetime) -> Organisation:
    """Register an organisation behind the koppel (police, welfare, corporation, gemeente, agency)."""
    check_municipality_code(data.municipality_code, data.kind)
    organisation = Organisation(
        id=uuid4(),
        name=data.name.strip(),
        kind=data.kind,
        municipality_code=data.municipality_code,
        active=True,
        version=1,
        created_at=now,
        updated_at=now,
    )
    await uow.organisations.add(organisation)
    await uow.commit()
    return organisation


async def get_organisation(uow: UnitOfWork, organisation_id: UUID) -> Organisation:
    """Read one organisation."""
    organisation = await uow.organisations.get(organisation_id)
    if organisation is None:
        raise NotFound("organisation not found")
    return organisation


async def update_organisation(
    uow: UnitOfWork, organisation_id: UUID, expected_version: int, changes: dict[str, Any], now: datetime
) -> Organisation:
    """Change name, municipality code or active flag; the kind is fixed because roles depend on it."""
    current = await get_organisation(uow, organisation_id)
    check_municipality_code(changes.get("municipality_code", current.municipality_code), current.kind)
    updated = await uow.organisations.update(organisation_id, expected_version, changes, now)
    await uow.commit()
    return updated


async def list_organisations(
    uow: UnitOfWork, page: PageRequest, kind: OrganisationKind | None, active: bool | None
) -> Page[Organisation]:
    """List organisations, filtered by kind and active status."""
    return await uow.organisations.list(page, kind=kind, active=active)


# --- users ---------------------------------------------------------------------------------


async def create_user(uow: UnitOfWork, hasher: SecretHasher, data: NewUser, now: datetime) -> User:
    """Create a staff account; the role must fit the organisation's kind."""
    username = data.username.strip().lower()
    if not USERNAME.match(username):
        raise InvalidInput.field(
            "username", "3-64 characters: lower-case letters, digits, '.', '_', '@', '-'", code="pattern"
        )
    check_new_password(data.password)
    organisation = await _organisation(uow, data.organisation_id, "organisationId")
    check_role_fits_organisation(data.role, organisation.kind)
    if await uow.users.get_by_username(username) is not None:
        raise Conflict("a user with this username already exists")
    user = User(
        id=uuid4(),
        username=username,
        display_name=data.display_name.strip(),
        email=data.email,
        role=data.role,
        organisation_id=organisation.id,
        active=True,
        version=1,
        created_at=now,
        updated_at=now,
        password_hash=await hasher.hash(data.password),
    )
    await uow.users.add(user)
    await uow.commit()
    return user


async def get_user(uow: UnitOfWork, user_id: UUID) -> User:
    """Read one staff account."""
    user = await uow.users.get(user_id)
    if user is None:
        raise NotFound("user not found")
    return user


async def update_user(
    uow: UnitOfWork,
    hasher: SecretHasher,
    user_id: UUID,
    expected_version: int,
    changes: dict[str, Any],
    now: datetime,
) -> User:
    """Change a staff account; a new role must still fit the organisation, a new password is hashed."""
    current = await get_user(uow, user_id)
    changes = dict(changes)
    if "role" in changes:
        organisation = await _organisation(uow, current.organisation_id, "role")
        check_role_fits_organisation(changes["role"], organisation.kind)
    if "password" in changes:
        password = changes.pop("password")
        check_new_password(password)
        changes["password_hash"] = await hasher.hash(password)
    updated = await uow.users.update(user_id, expected_version, changes, now)
    await uow.commit()
    return updated


async def list_users(
    uow: UnitOfWork, page: PageRequest, organisation_id: UUID | None, role: Role | None, active: bool | None
) -> Page[User]:
    """List staff accounts."""
    return await uow.users.list(page, organisation_id=organisation_id, role=role, active=active)


# --- clients -------------------------------------------------------------------------------

SYSTEM_CLIENT_ROLES = frozenset({Role.police_system, Role.housing_system})


async def create_client(
    uow: UnitOfWork, hasher: SecretHasher, data: NewClient, now: datetime
) -> IssuedClient:
    """Register a police or housing back-end; returns the generated secret exactly once."""
    if data.role not in SYSTEM_CLIENT_ROLES:
        raise InvalidInput.field("role", "a client is a police_system or housing_system", code="enum")
    organisation = await _organisation(uow, data.organisation_id, "organisationId")
    check_role_fits_organisation(data.role, organisation.kind)
    secret = data.client_secret or secrets.token_urlsafe(32)
    client_id = data.client_id or f"kw-{secrets.token_hex(8)}"
    if await uow.clients.get_by_client_id(client_id) is not None:
        raise Conflict("a client with this client_id already exists")
    client = Client(
        id=uuid4(),
        client_id=client_id,
        name=data.name.strip(),
        role=data.role,
        organisation_id=organisation.id,
        active=True,
        version=1,
        created_at=now,
        updated_at=now,
        secret_hash=await hasher.hash(secret),
    )
    await uow.clients.add(client)
    await uow.commit()
    return IssuedClient(client=client, client_secret=secret)


async def get_client(uow: UnitOfWork, client_uuid: UUID) -> Client:
    """Read one system client."""
    client = await uow.clients.get(client_uuid)
    if client is None:
        raise NotFound("client not found")
    return client


async def update_client(
    uow: UnitOfWork, client_uuid: UUID, expected_version: int, changes: dict[str, Any], now: datetime
) -> Client:
    """Rename, deactivate or reactivate a client."""
    await get_client(uow, client_uuid)
    updated = await uow.clients.update(client_uuid, expected_version, changes, now)
    await uow.commit()
    return updated


async def rotate_client_secret(
    uow: UnitOfWork, hasher: SecretHasher, client_uuid: UUID, expected_version: int, now: datetime
) -> IssuedClient:
    """Issue a new secret for a client; the old one stops working at once."""
    await get_client(uow, client_uuid)
    secret = secrets.token_urlsafe(32)
    updated = await uow.clients.update(
        client_uuid, expected_version, {"secret_hash": await hasher.hash(secret)}, now
    )
    await uow.commit()
    return IssuedClient(client=replace(updated, secret_hash=""), client_secret=secret)


async def list_clients(
    uow: UnitOfWork, page: PageRequest, organisation_id: UUID | None, active: bool | None
) -> Page[Client]:
    """List system clients."""
    return await uow.clients.list(page, organisation_id=organisation_id, active=active)


# --- authentication ------------------------------------------------------------------------


def _lock_duration(failed_count: int) -> timedelta | None:
    if failed_count < MAX_FAILED_LOGINS:
        return None
    return min(LOCK_MAX, LOCK_BASE * 2 ** (failed_count - MAX_FAILED_LOGINS))


async def _guard_throttle(uow: UnitOfWork, login_name: str, now: datetime) -> None:
    state = await uow.login_throttle.get(login_name)
    if state.locked_until is not None and state.locked_until > now:
        wait = int((state.locked_until - now).total_seconds()) + 1
        raise TooManyAttempts("too many failed attempts; try again later", retry_after_seconds=wait)


async def _fail(uow: UnitOfWork, login_name: str, now: datetime) -> AuthenticationFailed:
    state = await uow.login_throttle.get(login_name)
    lock = _lock_duration(state.failed_count + 1)
    await uow.login_throttle.record_failure(login_name, now, now + lock if lock else None)
    await uow.commit()
    return AuthenticationFailed(GENERIC_LOGIN_FAILURE)


async def authenticate_user(
    uow: UnitOfWork, hasher: SecretHasher, username: str, password: str, now: datetime
) -> Principal:
    """Password grant: check the throttle, then the password; unknown and inactive look alike."""
    login_name = f"user:{username.strip().lower()}"
    await _guard_throttle(uow, login_name, now)
    user = await uow.users.get_by_username(username.strip().lower())
    # Always verify, also for unknown users, so timing does not reveal which usernames exist.
    valid = await hasher.verify(password, user.password_hash if user else None)
    if user is None or not valid or not user.active:
        raise await _fail(uow, login_name, now)
    await uow.login_throttle.reset(login_name)
    await uow.commit()
    return Principal(PrincipalKind.user, user.id, user.role, user.organisation_id)


async def authenticate_client(
    uow: UnitOfWork, hasher: SecretHasher, client_id: str, client_secret: str, now: datetime
) -> Principal:
    """Client-credentials grant for police and housing systems."""
    login_name = f"client:{client_id}"
    await _guard_throttle(uow, login_name, now)
    client = await uow.clients.get_by_client_id(client_id)
    valid = await hasher.verify(client_secret, client.secret_hash if client else None)
    if client is None or not valid or not client.active:
        raise await _fail(uow, login_name, now)
    await uow.login_throttle.reset(login_name)
    await uow.commit()
    return Principal(PrincipalKind.client, client.id, client.role, client.organisation_id)


UNKNOWN_ACCOUNT = "the account behind this token is unknown or deactivated"
NOT_VOUCHED = "the token's issuer may not vouch for this account"


async def resolve_principal(uow: UnitOfWork, kind: PrincipalKind, principal_id: UUID) -> Principal:
    """Turn a verified token subject into a principal; a deactivated account is refused at once."""
    account: User | Client | None
    account = await (uow.users.get_signed_in(principal_id) if kind is PrincipalKind.user else uow.clients.get(principal_id))
    if account is None or not account.active:
        raise AuthenticationFailed(UNKNOWN_ACCOUNT)
    return Principal(kind, account.id, account.role, account.organisation_id)
