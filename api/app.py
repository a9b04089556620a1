"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import Response

from api import heap, open311
from api.admission import AdmissionGate
from api.hot_reads import HotReads
from api.logs import configure_logging
from api.middleware import HttpEnvelope
from api.openapi import API_PREFIX, install_openapi
from api.passwords import Argon2SecretHasher
from api.problems import install_problem_handlers
from api.rate_limits import RateLimiter
from api.routers import (
    agenda_items,
    auth,
    clients,
    feeds,
    goals,
    health,
    interventions,
    koppels,
    offers,
    organisations,
    presence,
    signals,
    users,
    wijken,
)
from api.routers.audit import router as audit_router
from api.routers.consents import router as consents_router
from api.routers.contact_moments import router as contact_moments_router
from api.routers.needs import router as needs_router
from api.routers.referrals import follow_ups_router
from api.routers.referrals import router as referrals_router
from api.routers.resident_notes import router as resident_notes_router
from api.routers.residents import router as residents_router
from api.routers.service_areas import router as service_areas_router
from api.routers.statistics import router as statistics_router
from api.settings import API_VERSION, Settings
from api.statistics_cache import StatisticsCache
from api.tokens import TokenService
from persistence.db import (
    create_driver_pool,
    create_engine,
    create_read_session_factory,
    create_session_factory,
    is_sqlite,
)

# A read holds its driver connection until its answer is out, and the gate admits the next request
# when the answer starts: a few more connections than places, so the next need not wait for one.
DRIVER_POOL_SPARE = 4


def driver_pool_size(settings: Settings) -> int:
    """Connections of each worker's driver pool: one per request admitted at once, and a few spare;
    as many as SQLAlchemy's pool when the admission gate is off."""
    gate = settings.max_active_requests
    return gate + DRIVER_POOL_SPARE if gate else settings.db_pool_size

# Matched in this order, one route after another: after the health probes (polled by the platform),
# the reads made all day by front ends and systems (no two routers' paths overlap, so the order
# decides nothing but the time it takes to find a route).
ROUTERS = (
    health.router,
    residents_router,
    signals.router,
    contact_moments_router,
    feeds.router,
    statistics_router,
    signals.batch_router,
    resident_notes_router,
    consents_router,
    interventions.router,
    agenda_items.router,
    referrals_router,
    needs_router,
    follow_ups_router,
    goals.router,
    wijken.router,
    koppels.router,
    presence.router,
    offers.router,
    auth.router,
    organisations.router,
    service_areas_router,
    users.router,
    clients.router,
    audit_router,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service; the database engine is created on start-up and disposed on shutdown."""
    settings = settings or Settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.database)
        app.state.engine = engine
        app.state.session_factory = create_session_factory(engine)
        app.state.read_session_factory = create_read_session_factory(engine)
        driver_pool = (
            await create_driver_pool(settings.database, driver_pool_size(settings))
            if settings.hot_reads and not is_sqlite(settings.database_url)
            else None
        )
        app.state.driver_pool = driver_pool
        try:
            yield
        finally:
            if driver_pool is not None:
                await driver_pool.close()
            await engine.dispose()

    app = FastAPI(
        title="Koppelwerk API",
        version=API_VERSION,
        lifespan=lifespan,
        redirect_slashes=False,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.settings = settings
    app.state.tokens = TokenService(settings)
    app.state.hasher = Argon2SecretHasher(fast=settings.fast_password_hashing)
    app.state.statistics_cache = StatisticsCache(settings.statistics_cache_size)
    app.state.rate_limiter = RateLimiter(settings.token_rate_limit, settings.resident_search_rate_limit)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    # Open311 GeoReport v2 for corporations' systems that speak it; its own paths, outside /api/v1.
    app.include_router(open311.router)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    install_problem_handlers(app)
    install_openapi(app)
    # Innermost: a resident read it answers is still wrapped by CORS, the gate and the envelope.
    app.add_middleware(HotReads, state=app.state)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "If-Match", "If-None-Match", "Idempotency-Key", "X-Request-ID"],
        expose_headers=[
            "ETag", "Link", "Location", "API-Version", "X-Request-ID", "Retry-After", "Idempotent-Replayed"
        ],
        max_age=600,
    )
    # Inside the envelope: its request id, body limit and timings cover the wait at the gate.
    app.add_middleware(
        AdmissionGate, limit=settings.max_active_requests, timeout_seconds=settings.admission_timeout_seconds
    )
    app.add_middleware(HttpEnvelope, max_body_bytes=settings.max_body_bytes)
    return app


def create_served_app() -> FastAPI:
    """The app as `koppelwerk serve` runs it, built once in each worker process: the start-up heap is
    then frozen and the collector set for serving (api.heap)."""
    app = create_app()
    heap.settle()
    return app
