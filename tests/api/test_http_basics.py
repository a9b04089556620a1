"""HTTP basics every endpoint shares: problem details, standard headers, request ids, CORS,
metrics, health and readiness, the body limit, the access log and settings that refuse to start."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.app import create_app
from api.logs import JsonFormatter
from api.settings import DEVELOPMENT_SECRET, Settings
from domain.identity import Principal, PrincipalKind, Role
from tests.conftest import TEST_SECRET, make_settings
from tests.factories import World

API = "/api/v1"
ALLOWED_ORIGIN = "https://app.koppelwerk.example"
UNREACHABLE_DATABASE = "postgresql+asyncpg://postgres@127.0.0.1:1/none"
CRASH_PATH = f"{API}/test-only/crash"
SECRET_IN_CRASH = "s3cr3t-internal-detail-in-exception"


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert isinstance(body["type"], str) and body["type"]
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def assert_standard_headers(response: Any) -> None:
    headers = response.headers
    assert headers["API-Version"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Request-ID"]


# --- separately built apps (never routes on the real one) ------------------------------------------


@pytest.fixture(scope="module")
def crash_client(database_url: str) -> Iterator[TestClient]:
    """An app with one extra, test-only route that fails unexpectedly."""
    app = create_app(make_settings(database_url))

    @app.get(CRASH_PATH, include_in_schema=False)
    async def crash() -> None:
        raise RuntimeError(f"{SECRET_IN_CRASH} password=hunter2 at /srv/koppelwerk/secret.py")

    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module")
def unreachable_client() -> Iterator[TestClient]:
    """An app whose PostgreSQL cannot be reached (nothing listens on port 1)."""
    app = create_app(
        make_settings(UNREACHABLE_DATABASE, db_connect_timeout_seconds=1, db_pool_timeout_seconds=1)
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module")
def small_body_client(database_url: str) -> Iterator[TestClient]:
    with TestClient(
        create_app(make_settings(database_url, max_body_bytes=2048)), raise_server_exceptions=False
    ) as c:
        yield c


# --- problem details -------------------------------------------------------------------------------


def test_an_unknown_route_is_a_404_problem(client: TestClient) -> None:
    for path in (f"{API}/does-not-exist", "/nowhere", f"{API}/users/{uuid.uuid4()}/nothing"):
        response = client.get(path)
        body = assert_problem(response, 404)
        assert body["instance"] == path
        assert_standard_headers(response)


def test_a_wrong_method_is_a_405_problem_with_allow(client: TestClient) -> None:
    response = client.delete(f"{API}/health/live")
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]
    assert_standard_headers(response)


@pytest.mark.parametrize(
    "payload",
    [b'{"name": ', b"{'name': 'single quotes'}", b"not json", b'{"name": "x",}', b"\xff\xfe"],
)
def test_malformed_json_is_a_400_naming_the_body(world: World, payload: bytes) -> None:
    response = world.client.post(
        f"{API}/organisations",
        content=payload,
        headers={**world.headers(Role.admin), "Content-Type": "application/json"},
    )
    body = assert_problem(response, 400)
    assert [p["name"] for p in body["invalidParams"]] == ["body"]
    assert_standard_headers(response)


def test_a_json_body_that_is_not_an_object_is_a_400_naming_the_body(world: World) -> None:
    response = world.client.post(
        f"{API}/organisations", json=["a", "list"], headers=world.headers(Role.admin)
    )
    body = assert_problem(response, 400)
    assert [p["name"] for p in body["invalidParams"]] == ["body"]


def test_a_validation_error_is_a_400_naming_each_bad_field(world: World) -> None:
    response = world.client.post(
        f"{API}/users",
        json={
            "username": "x",  # too short
            "displayName": "",  # too short
            "email": "not-an-email",
            "password": "short",  # too short
            "role": "emperor",  # not a role
            "organisationId": "not-a-uuid",
            "isAdmin": True,  # unknown field
        },
        headers=world.headers(Role.admin),
    )
    body = assert_problem(response, 400)
    names = {p["name"] for p in body["invalidParams"]}
    assert names == {"username", "displayName", "email", "password", "role", "organisationId", "isAdmin"}
    for param in body["invalidParams"]:
        assert param["code"] and param["reason"]
    assert response.status_code != 422


def test_missing_fields_and_bad_query_parameters_are_named(world: World) -> None:
    missing = world.client.post(f"{API}/organisations", json={}, headers=world.headers(Role.admin))
    body = assert_problem(missing, 400)
    assert {p["name"] for p in body["invalidParams"]} == {"name", "kind"}
    assert {p["code"] for p in body["invalidParams"]} == {"missing"}

    bad_limit = world.client.get(f"{API}/users?limit=0", headers=world.headers(Role.admin))
    body = assert_problem(bad_limit, 400)
    assert [p["name"] for p in body["invalidParams"]] == ["limit"]


def test_an_unexpected_error_is_a_500_problem_without_internals(
    crash_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.setFormatter(JsonFormatter())
    with caplog.at_level(logging.ERROR, logger="koppelwerk.errors"):
        response = crash_client.get(CRASH_PATH, headers={"X-Request-ID": "crash-trace-1"})
    body = assert_problem(response, 500)
    for leak in (SECRET_IN_CRASH, "hunter2", "RuntimeError", "Traceback", "/srv/", ".py"):
        assert leak not in response.text
    assert body["instance"] == CRASH_PATH
    assert_standard_headers(response)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Request-ID"] == "crash-trace-1"
    # the details go to the log instead, under the request id the client saw
    errors = [orjson.loads(x) for x in caplog.text.splitlines() if '"koppelwerk.errors"' in x]
    assert len(errors) == 1, caplog.text
    assert errors[0]["requestId"] == "crash-trace-1"
    assert SECRET_IN_CRASH in errors[0]["exc"]


def test_the_crash_route_is_not_on_the_real_app(client: TestClient) -> None:
    assert_problem(client.get(CRASH_PATH), 404)


# --- standard headers ------------------------------------------------------------------------------


def test_every_response_carries_api_version_and_security_headers(world: World) -> None:
    from api.settings import API_VERSION

    admin = world.headers(Role.admin)
    responses = [
        world.client.get(f"{API}/health/live"),
        world.client.get(f"{API}/users", headers=admin),
        world.client.get(f"{API}/users"),  # 401
        world.client.get(f"{API}/users", headers=world.headers(Role.wijkagent)),  # 403
        world.client.get(f"{API}/organisations/{uuid.uuid4()}", headers=admin),  # 404
        world.client.post(f"{API}/organisations", json={}, headers=admin),  # 400
        world.client.put(f"{API}/health/live"),  # 405
        world.client.get(f"{API}/openapi.json"),
        world.client.get("/metrics"),
    ]
    for response in responses:
        assert response.headers["API-Version"] == API_VERSION, response.request.url
        assert_standard_headers(response)


def test_cache_control_defaults_to_no_store(world: World) -> None:
    admin = world.headers(Role.admin)
    for response in (
        world.client.get(f"{API}/users", headers=admin),
        world.client.get(f"{API}/users/{world.principals[Role.wijkagent].id}", headers=admin),
        world.client.get(f"{API}/health/live"),
        world.client.get(f"{API}/users"),
        world.client.get(f"{API}/nowhere"),
    ):
        assert response.headers["Cache-Control"] == "no-store", response.request.url


def test_a_trailing_slash_is_not_redirected(world: World) -> None:
    for path in (f"{API}/users/", f"{API}/health/live/", f"{API}/organisations/"):
        response = world.client.get(path, headers=world.headers(Role.admin), follow_redirects=False)
        assert_problem(response, 404)
        assert "Location" not in response.headers


# --- request ids -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_id", ["abc-123", "0f8e2c1a-7b9d-4e3f-a1b2-c3d4e5f60718", "trace:span.1_2", "x" * 128]
)
def test_a_safe_request_id_is_echoed(client: TestClient, request_id: str) -> None:
    response = client.get(f"{API}/health/live", headers={"X-Request-ID": request_id})
    assert response.headers["X-Request-ID"] == request_id
    # also on an error
    assert (
        client.get(f"{API}/nowhere", headers={"X-Request-ID": request_id}).headers["X-Request-ID"]
        == request_id
    )


@pytest.mark.parametrize(
    "request_id",
    [
        "has spaces in it",
        "x" * 129,
        "y" * 200,
        "<script>alert(1)</script>",
        "evil\tid",
        "id;drop table",
        "ümlaut".encode(),  # raw UTF-8 bytes in the header
        "",
    ],
)
def test_an_unsafe_request_id_is_replaced(client: TestClient, request_id: str | bytes) -> None:
    response = client.get(f"{API}/health/live", headers={"X-Request-ID": request_id})
    echoed = response.headers["X-Request-ID"]
    assert echoed != (request_id.decode("latin-1") if isinstance(request_id, bytes) else request_id)
    assert 1 <= len(echoed) <= 128
    assert echoed.replace("-", "").isalnum()


def test_a_request_id_is_generated_when_absent_and_unique(client: TestClient) -> None:
    ids = {client.get(f"{API}/health/live").headers["X-Request-ID"] for _ in range(5)}
    assert len(ids) == 5
    assert all(i for i in ids)


# --- CORS ------------------------------------------------------------------------------------------


def preflight(client: TestClient, origin: str, method: str = "GET") -> Any:
    return client.options(
        f"{API}/users",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "Authorization, If-Match",
        },
    )


def test_cors_preflight_is_allowed_for_the_configured_origin(client: TestClient) -> None:
    response = preflight(client, ALLOWED_ORIGIN, "PATCH")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert "PATCH" in response.headers["Access-Control-Allow-Methods"]
    allowed_headers = response.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed_headers and "if-match" in allowed_headers
    assert response.headers["API-Version"]

    simple = client.get(f"{API}/health/live", headers={"Origin": ALLOWED_ORIGIN})
    assert simple.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert "X-Request-ID" in simple.headers["Access-Control-Expose-Headers"]


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "http://app.koppelwerk.example",  # other scheme
        "https://app.koppelwerk.example.evil.example",  # suffix trick
        "https://evil-app.koppelwerk.example",
        "null",
    ],
)
def test_cors_is_not_allowed_for_another_origin(client: TestClient, origin: str) -> None:
    response = preflight(client, origin)
    assert response.status_code >= 400
    assert "Access-Control-Allow-Origin" not in response.headers
    simple = client.get(f"{API}/health/live", headers={"Origin": origin})
    assert "Access-Control-Allow-Origin" not in simple.headers


# --- metrics and health ----------------------------------------------------------------------------


def test_metrics_are_served_as_prometheus_text(client: TestClient) -> None:
    client.get(f"{API}/health/live")
    client.get(f"{API}/nowhere-{uuid.uuid4().hex}")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "# TYPE koppelwerk_http_requests_total counter" in text
    assert 'koppelwerk_http_requests_total{method="GET",route="/api/v1/health/live",status="200"}' in text
    assert "koppelwerk_http_request_duration_seconds_bucket" in text
    # unknown paths are folded into one label, so scanners cannot blow up the series count
    assert "nowhere-" not in text
    assert 'route="unmatched"' in text


def test_liveness_and_readiness(client: TestClient) -> None:
    live = client.get(f"{API}/health/live")
    assert live.status_code == 200
    assert live.json() == {"status": "ok"}
    ready = client.get(f"{API}/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok"}


def test_readiness_is_a_503_problem_when_the_database_is_unreachable(unreachable_client: TestClient) -> None:
    assert unreachable_client.get(f"{API}/health/live").status_code == 200
    response = unreachable_client.get(f"{API}/health/ready")
    body = assert_problem(response, 503)
    assert body["type"] == "urn:koppelwerk:problem:database_unavailable"
    assert int(response.headers["Retry-After"]) > 0
    assert "127.0.0.1" not in response.text and "postgres" not in response.text.lower()
    assert_standard_headers(response)


def test_a_protected_route_is_a_503_not_a_500_when_the_database_is_unreachable(
    unreachable_client: TestClient,
) -> None:
    app = unreachable_client.app
    principal = Principal(PrincipalKind.user, uuid.uuid4(), Role.admin, uuid.uuid4())
    token = app.state.tokens.issue(principal).access_token  # type: ignore[attr-defined]
    response = unreachable_client.get(f"{API}/users", headers={"Authorization": f"Bearer {token}"})
    body = assert_problem(response, 503)
    assert body["type"] == "urn:koppelwerk:problem:database_unavailable"
    # and a token request, which needs the database as well
    token_response = unreachable_client.post(
        f"{API}/auth/token",
        data={"grant_type": "password", "username": "someone", "password": "whatever-123"},
    )
    assert_problem(token_response, 503)


# --- body limit ------------------------------------------------------------------------------------


def big_organisation(size: int) -> bytes:
    return orjson.dumps({"name": "x" * size, "kind": "instantie"})


def test_a_body_over_the_limit_with_content_length_is_a_413_problem(
    small_body_client: TestClient, world: World
) -> None:
    token = world.token(world.principals[Role.admin])
    response = small_body_client.post(
        f"{API}/organisations",
        content=big_organisation(4096),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    body = assert_problem(response, 413)
    assert body["type"] == "urn:koppelwerk:problem:body_too_large"
    assert_standard_headers(response)


def test_a_chunked_body_over_the_limit_is_a_413_problem(small_body_client: TestClient, world: World) -> None:
    token = world.token(world.principals[Role.admin])
    payload = big_organisation(4096)

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(payload), 512):
            yield payload[start : start + 512]

    response = small_body_client.post(
        f"{API}/organisations",
        content=chunks(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert "content-length" not in {k.lower() for k in response.request.headers}
    body = assert_problem(response, 413)
    assert body["type"] == "urn:koppelwerk:problem:body_too_large"
    assert_standard_headers(response)


def test_a_body_under_the_limit_passes(small_body_client: TestClient, world: World) -> None:
    token = world.token(world.principals[Role.admin])
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    payload = orjson.dumps({"name": "Stichting Klein", "kind": "instantie"})
    assert small_body_client.post(f"{API}/organisations", content=payload, headers=headers).status_code == 201

    def chunks() -> Iterator[bytes]:
        yield payload[:10]
        yield payload[10:].replace(b"Klein", b"Chunk")

    assert (
        small_body_client.post(f"{API}/organisations", content=chunks(), headers=headers).status_code == 201
    )


def test_the_default_limit_applies_on_the_real_app(world: World) -> None:
    limit = world.app.state.settings.max_body_bytes
    response = world.client.post(
        f"{API}/organisations",
        content=big_organisation(limit + 1),
        headers={**world.headers(Role.admin), "Content-Type": "application/json"},
    )
    assert_problem(response, 413)


# --- access log ------------------------------------------------------------------------------------


def test_access_log_lines_are_json_with_the_request_id_and_no_query_string(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.setFormatter(JsonFormatter())
    request_id = f"trace-{uuid.uuid4().hex}"
    with caplog.at_level(logging.INFO, logger="koppelwerk.access"):
        client.get(
            f"{API}/users?name=Jansen&postcode=9401AB&bsn=111222333", headers={"X-Request-ID": request_id}
        )
        client.get(f"{API}/health/live?secret=Pietersen")
    lines = [orjson.loads(line) for line in caplog.text.splitlines() if '"koppelwerk.access"' in line]
    assert len(lines) == 2, caplog.text
    first, second = lines
    assert first["requestId"] == request_id
    assert first["path"] == f"{API}/users"
    assert first["route"] == f"{API}/users"
    assert first["method"] == "GET"
    assert first["status"] == 401
    assert second["requestId"] and second["requestId"] != request_id
    assert second["status"] == 200
    for leak in ("Jansen", "9401AB", "111222333", "Pietersen", "?"):
        assert leak not in caplog.text


def test_the_access_log_uses_the_replacement_for_an_unsafe_request_id(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.setFormatter(JsonFormatter())
    with caplog.at_level(logging.INFO, logger="koppelwerk.access"):
        response = client.get(f"{API}/health/live", headers={"X-Request-ID": 'injected" , "admin": true'})
    (line,) = [orjson.loads(x) for x in caplog.text.splitlines() if '"koppelwerk.access"' in x]
    assert line["requestId"] == response.headers["X-Request-ID"]
    assert "admin" not in line


# --- settings --------------------------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No KOPPELWERK_* variable from the surrounding shell leaks into these settings."""
    for name in list(os.environ):
        if name.startswith("KOPPELWERK_"):
            monkeypatch.delenv(name)
    return monkeypatch


def settings_from(**values: Any) -> Settings:
    """Settings from keyword values only (no .env file)."""
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.mark.parametrize("environment", ["production", "test"])
@pytest.mark.parametrize("secret", [None, DEVELOPMENT_SECRET, "", "short", "x" * 31])
def test_settings_refuse_a_default_or_short_secret_outside_development(
    clean_env: pytest.MonkeyPatch, environment: str, secret: str | None
) -> None:
    values: dict[str, Any] = {"environment": environment}
    if secret is not None:
        values["jwt_secret"] = secret
    with pytest.raises(ValidationError, match="KOPPELWERK_JWT_SECRET"):
        settings_from(**values)


def test_settings_refuse_a_default_secret_from_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("KOPPELWERK_ENVIRONMENT", "production")
    clean_env.setenv("KOPPELWERK_JWT_SECRET", DEVELOPMENT_SECRET)
    with pytest.raises(ValidationError, match="KOPPELWERK_JWT_SECRET"):
        settings_from()
    clean_env.setenv("KOPPELWERK_JWT_SECRET", "k" * 40)
    assert settings_from().environment == "production"


def test_settings_accept_a_long_random_secret_in_production(clean_env: pytest.MonkeyPatch) -> None:
    settings = settings_from(environment="production", jwt_secret=uuid.uuid4().hex + uuid.uuid4().hex)
    assert settings.environment == "production"


def test_development_may_use_the_default_secret(clean_env: pytest.MonkeyPatch) -> None:
    settings = settings_from(environment="development")
    assert settings.jwt_secret.get_secret_value() == DEVELOPMENT_SECRET


@pytest.mark.parametrize("environment", ["production", "development"])
def test_fast_password_hashing_is_refused_outside_test(
    clean_env: pytest.MonkeyPatch, environment: str
) -> None:
    with pytest.raises(ValidationError, match="FAST_PASSWORD_HASHING"):
        settings_from(environment=environment, jwt_secret=TEST_SECRET, fast_password_hashing=True)
    assert settings_from(environment="test", jwt_secret=TEST_SECRET, fast_password_hashing=True)


def test_an_app_cannot_be_built_with_production_defaults(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError):
        create_app(settings_from(environment="production"))


def test_every_request_gives_its_database_connection_back(world: World) -> None:
    """Sessions are closed by the HTTP envelope (not by a yield dependency): after answers of every kind —
    a read, a write, a 404, a 412, a 400 and a 401 — no connection is left checked out of the pool."""
    from domain.identity import Role

    admin = world.headers(Role.admin)
    world.client.get("/api/v1/organisations", headers=admin)
    created = world.client.post(
        "/api/v1/organisations", json={"name": "Buurtkracht", "kind": "instantie"}, headers=admin
    )
    assert created.status_code == 201, created.text
    location = created.headers["Location"]
    world.client.get(f"/api/v1/organisations/{uuid.uuid4()}", headers=admin)  # 404
    world.client.patch(location, json={"name": "X"}, headers={**admin, "If-Match": '"99"'})  # 412
    world.client.post("/api/v1/organisations", json={"name": ""}, headers=admin)  # 400
    world.client.get("/api/v1/organisations", headers={"Authorization": "Bearer nonsense"})  # 401
    pool = world.app.state.engine.sync_engine.pool
    if hasattr(pool, "checkedout"):
        assert pool.checkedout() == 0
    else:  # a pool that keeps no count cannot leak a checkout either
        assert type(pool).__name__ in {"NullPool", "StaticPool"}
