"""All configuration, from KOPPELWERK_* environment variables (or a .env file)."""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property

from limits import parse
from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.identity import Role
from persistence.db import DatabaseOptions
from persistence.migrate import DEFAULT_DATABASE_URL

API_VERSION = "0.1.0"
DEVELOPMENT_SECRET = "development-only-secret-change-me-please-0000"
MIN_SECRET_LENGTH = 32


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class ExternalIssuer(BaseModel):
    """An outside identity provider whose tokens we accept, e.g. the police's own IdP.

    Its key is a PEM public key (never DER) and its algorithm one asymmetric family.
    """

    kid: str
    issuer: str
    algorithm: str = Field(pattern=r"^(RS|PS|ES)(256|384|512)$")
    public_key_pem: str
    # An outside issuer vouches only for system clients unless configured otherwise: a police IdP
    # must not be able to mint a token for one of our admins.
    roles: list[Role] = [Role.police_system, Role.housing_system]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KOPPELWERK_", env_file=".env", extra="ignore")

    environment: Environment = Environment.development
    database_url: str = DEFAULT_DATABASE_URL
    # Per worker process. Sized for one worker's share of a busy front end and its systems: 64 client
    # connections over 2 workers arrive unevenly (30/34 measured), and a request waiting for a pooled
    # connection can be overtaken again and again until its pool timeout (asyncio's queue lets a
    # newcomer take a returned connection before the waiter that was woken for it). Connections beyond
    # the pool would be opened and closed per request, which costs more than waiting for a pooled one.
    # Each worker also keeps max_active_requests + 4 connections of its own for reads sent straight to
    # the driver (api.app.driver_pool_size). Keep workers × (pool size + overflow + those) under
    # PostgreSQL's max_connections (100 by default): 2 × (32 + 12) = 88.
    db_pool_size: int = Field(default=32, ge=1, le=100)
    db_max_overflow: int = Field(default=0, ge=0, le=100)
    db_pool_timeout_seconds: float = Field(default=5.0, gt=0)
    db_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    db_statement_timeout_seconds: float = Field(default=15.0, gt=0)

    jwt_secret: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    jwt_key_id: str = "koppelwerk-1"
    jwt_issuer: str = "koppelwerk"
    jwt_audience: str = "koppelwerk-api"
    access_token_minutes: int = Field(default=15, ge=1, le=60)
    # Tokens (ours or an external issuer's) living longer than this from iat to exp are refused.
    max_token_lifetime_minutes: int = Field(default=60, ge=1, le=24 * 60)
    external_issuers: list[ExternalIssuer] = []

    # Moving-window limits (see the `limits` library's notation, e.g. "30/minute"); per process.
    token_rate_limit: str = "30/minute"
    resident_search_rate_limit: str = "120/minute"

    cors_origins: list[str] = []
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Requests a worker serves at once; the others wait in arrival order (api.admission). 0: no limit.
    max_active_requests: int = Field(default=8, ge=0, le=10_000)
    # How long a request waits for its turn before it is answered 503 with Retry-After.
    admission_timeout_seconds: float = Field(default=10.0, gt=0)
    # GET /residents/{id} for a koppel member and GET /signals answered before FastAPI's routing on
    # PostgreSQL (api.hot_reads). false: every request takes its route.
    hot_reads: bool = True
    log_level: str = "INFO"
    demo_data: bool = False
    # Residents without activity for this many months are anonymised by a retention run.
    retention_months: int = Field(default=24, ge=1, le=240)
    # Statistics report counts below this as "<N", so that no person can be singled out.
    statistics_min_count: int = Field(default=5, ge=1, le=1000)
    # Statistics answers each worker keeps, checked against the wijk's version on every use
    # (api.statistics_cache); 0 counts every request afresh.
    statistics_cache_size: int = Field(default=256, ge=0, le=100_000)
    # How long a stored Idempotency-Key (and the response it replays) is kept.
    idempotency_key_hours: int = Field(default=24, ge=1, le=24 * 30)
    # Cheap Argon2 parameters so a test suite can create hundreds of accounts; refused outside tests.
    fast_password_hashing: bool = False

    @field_validator("token_rate_limit", "resident_search_rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        parse(value)  # raises ValueError on anything the limiter cannot read
        return value

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.fast_password_hashing and self.environment is not Environment.test:
            raise ValueError("KOPPELWERK_FAST_PASSWORD_HASHING is only allowed when KOPPELWERK_ENVIRONMENT=test")
        if self.environment is Environment.development:
            return self
        secret = self.jwt_secret.get_secret_value()
        if secret == DEVELOPMENT_SECRET or len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"KOPPELWERK_JWT_SECRET must be set to a random value of at least {MIN_SECRET_LENGTH} "
                f"characters when KOPPELWERK_ENVIRONMENT is {self.environment.value}"
            )
        return self

    @cached_property
    def database(self) -> DatabaseOptions:
        return DatabaseOptions(
            url=self.database_url,
            pool_size=self.db_pool_size,
            max_overflow=self.db_max_overflow,
            pool_timeout_seconds=self.db_pool_timeout_seconds,
            connect_timeout_seconds=self.db_connect_timeout_seconds,
            statement_timeout_seconds=self.db_statement_timeout_seconds,
        )
