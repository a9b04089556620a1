"""Organisations, users, clients and tokens on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from api.schemas.common import ApiInput, ApiModel
from domain.identity import OrganisationKind, Role

Name = Field(min_length=1, max_length=200)
MunicipalityCode = Field(default=None, pattern=r"^GM\d{4}$", description="CBS municipality code, e.g. GM0363.")


class OrganisationCreate(ApiInput):
    name: str = Name
    kind: OrganisationKind
    municipality_code: str | None = MunicipalityCode


class OrganisationUpdate(ApiInput):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    municipality_code: str | None = MunicipalityCode
    active: bool | None = None


class OrganisationRead(ApiModel):
    id: UUID
    name: str
    kind: OrganisationKind
    municipality_code: str | None
    active: bool
    created_at: datetime
    updated_at: datetime


class UserCreate(ApiInput):
    username: str = Field(min_length=3, max_length=64)
    display_name: str = Name
    email: EmailStr | None = None
    password: str = Field(min_length=12, max_length=256)
    role: Role
    organisation_id: UUID


class UserUpdate(ApiInput):
    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    email: EmailStr | None = None
    password: str | None = Field(default=None, min_length=12, max_length=256)
    role: Role | None = None
    active: bool | None = None


class UserRead(ApiModel):
    id: UUID
    username: str
    display_name: str
    email: str | None
    role: Role
    organisation_id: UUID
    active: bool
    created_at: datetime
    updated_at: datetime


class ClientCreate(ApiInput):
    name: str = Name
    role: Role = Field(description="police_system or housing_system.")
    organisation_id: UUID


class ClientUpdate(ApiInput):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    active: bool | None = None


class ClientRead(ApiModel):
    id: UUID
    client_id: str
    name: str
    role: Role
    organisation_id: UUID
    active: bool
    created_at: datetime
    updated_at: datetime


class ClientWithSecret(ClientRead):
    client_secret: str = Field(description="Shown once; store it in the client system's secret store.")


class TokenRequest(BaseModel):
    """RFC 6749 form fields (snake_case by that standard)."""

    model_config = ConfigDict(extra="forbid")

    grant_type: Literal["password", "client_credentials"]
    username: str | None = Field(default=None, max_length=64)
    password: str | None = Field(default=None, max_length=256)
    client_id: str | None = Field(default=None, max_length=64)
    client_secret: str | None = Field(default=None, max_length=256)
    scope: str | None = Field(default=None, max_length=256, description="Accepted and ignored: roles decide.")


class TokenResponse(ApiModel):
    """RFC 6749 §5.1 field names, so standard OAuth2 client libraries work unchanged."""

    access_token: str = Field(serialization_alias="access_token")
    token_type: str = Field(default="Bearer", serialization_alias="token_type")
    expires_in: int = Field(serialization_alias="expires_in", description="Seconds until the token expires.")
