"""Organisations, staff users, system clients, roles and the authenticated principal."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.errors import InvalidInput


class OrganisationKind(StrEnum):
    politie = "politie"
    welzijn = "welzijn"
    woningcorporatie = "woningcorporatie"
    gemeente = "gemeente"
    instantie = "instantie"


class Role(StrEnum):
    admin = "admin"
    opbouwwerker = "opbouwwerker"
    wijkagent = "wijkagent"
    wijkbeheerder = "wijkbeheerder"
    agency_worker = "agency_worker"
    gemeente = "gemeente"
    privacy_officer = "privacy_officer"
    police_system = "police_system"
    housing_system = "housing_system"


class PrincipalKind(StrEnum):
    user = "user"
    client = "client"


KOPPEL_ROLES = frozenset({Role.opbouwwerker, Role.wijkagent, Role.wijkbeheerder})
STAFF_ROLES = frozenset({Role.admin, *KOPPEL_ROLES, Role.agency_worker, Role.gemeente, Role.privacy_officer})
SYSTEM_ROLES = frozenset({Role.police_system, Role.housing_system})
ALL_ROLES = frozenset(Role)

# Which organisations a role can belong to. A wijkagent is police staff, an opbouwwerker
# works for the welfare organisation, a wijkbeheerder for a housing corporation; an agency
# worker for an agency (or a welfare organisation that offers help itself). An admin is a
# functional administrator and may sit in any organisation, and so may the privacy officer (the
# partnership's privacy desk, which answers residents' requests and audits access).
ROLE_ORGANISATION_KINDS: dict[Role, frozenset[OrganisationKind]] = {
    Role.admin: frozenset(OrganisationKind),
    Role.wijkagent: frozenset({OrganisationKind.politie}),
    Role.opbouwwerker: frozenset({OrganisationKind.welzijn}),
    Role.wijkbeheerder: frozenset({OrganisationKind.woningcorporatie}),
    Role.agency_worker: frozenset({OrganisationKind.instantie, OrganisationKind.welzijn}),
    Role.gemeente: frozenset({OrganisationKind.gemeente}),
    Role.privacy_officer: frozenset(OrganisationKind),
    Role.police_system: frozenset({OrganisationKind.politie}),
    Role.housing_system: frozenset({OrganisationKind.woningcorporatie}),
}

MUNICIPALITY_CODE = re.compile(r"^GM\d{4}$")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")
MIN_PASSWORD_LENGTH = 12


@dataclass(frozen=True)
class Organisation:
    id: UUID
    name: str
    kind: OrganisationKind
    municipality_code: str | None
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class User:
    id: UUID
    username: str
    display_name: str
    email: str | None
    role: Role
    organisation_id: UUID
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime
    password_hash: str = ""


@dataclass(frozen=True)
class Client:
    id: UUID
    client_id: str
    name: str
    role: Role
    organisation_id: UUID
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime
    secret_hash: str = ""


@dataclass(frozen=True)
class Principal:
    """Who is calling: a staff user or a system client, as established from a valid token."""

    kind: PrincipalKind
    id: UUID
    role: Role
    organisation_id: UUID

    @property
    def subject(self) -> str:
        """The JWT `sub` for this principal, e.g. `user:<uuid>`."""
        return f"{self.kind.value}:{self.id}"

    @property
    def is_system(self) -> bool:
        """True for police and housing back-end clients."""
        return self.role in SYSTEM_ROLES


def parse_subject(subject: str) -> tuple[PrincipalKind, UUID]:
    """Split a token subject `user:<uuid>` / `client:<uuid>`; ValueError when malformed."""
    kind, _, raw_id = subject.partition(":")
    return PrincipalKind(kind), UUID(raw_id)


def check_role_fits_organisation(role: Role, kind: OrganisationKind, *, field: str = "role") -> None:
    """Refuse a role in an organisation that cannot hold it (a wijkagent is police staff)."""
    if kind not in ROLE_ORGANISATION_KINDS[role]:
        allowed = ", ".join(sorted(ROLE_ORGANISATION_KINDS[role]))
        raise InvalidInput.field(
            field,
            f"role '{role}' requires an organisation of kind {allowed}, not '{kind}'",
            code="role_organisation_mismatch",
        )


def check_municipality_code(code: str | None, kind: OrganisationKind) -> None:
    """A gemeente must carry its CBS municipality code (GM + 4 digits); others may."""
    if code is None:
        if kind is OrganisationKind.gemeente:
            raise InvalidInput.field(
                "municipalityCode", "a gemeente needs its municipality code", code="required"
            )
        return
    if not MUNICIPALITY_CODE.match(code):
        raise InvalidInput.field(
            "municipalityCode", "must be 'GM' followed by 4 digits, e.g. GM0363", code="pattern"
        )


def check_new_password(password: str, *, field: str = "password") -> None:
    """Passwords are long rather than complex (NCSC guidance): at least 12 characters."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput.field(
            field, f"must be at least {MIN_PASSWORD_LENGTH} characters", code="too_short"
        )


@dataclass(frozen=True)
class Caller:
    """A verified token's subject whose account is not read yet: for a route that reads the account
    in the same round trip as its work (see domain.residents.read_resident). `roles` are the roles the
    route admits; `vouched_roles` those the token's issuer may vouch for (None: any)."""

    kind: PrincipalKind
    id: UUID
    roles: frozenset[Role]
    vouched_roles: frozenset[str] | None
