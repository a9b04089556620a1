"""Rate limits: the token endpoint per client address, resident search per principal (429 + Retry-After)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.identity import Role
from tests.conftest import make_settings
from tests.factories import World

API = "/api/v1"


@pytest.fixture
def limited(database_url: str, wiper) -> TestClient:  # type: ignore[no-untyped-def]
    wiper()
    app = create_app(make_settings(database_url, token_rate_limit="3/minute", resident_search_rate_limit="2/minute"))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client  # type: ignore[misc]


def test_the_token_endpoint_is_limited_per_client_address(limited: TestClient) -> None:
    form = {"grant_type": "password", "username": "nobody.here", "password": "wrong-password-123"}
    statuses = [limited.post(f"{API}/auth/token", data=form).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    refused = limited.post(f"{API}/auth/token", data=form)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["content-type"] == "application/problem+json"


def test_resident_search_is_limited_per_principal(limited: TestClient) -> None:
    world = World.build(limited, limited.app)  # type: ignore[arg-type]
    agent, opbouw = world.headers(Role.wijkagent), world.headers(Role.opbouwwerker)
    assert [limited.get(f"{API}/residents", headers=agent).status_code for _ in range(3)] == [200, 200, 429]
    # another principal has a budget of its own
    assert limited.get(f"{API}/residents", headers=opbouw).status_code == 200


def test_an_unreadable_limit_is_refused_at_start(database_url: str) -> None:
    with pytest.raises(ValueError):
        make_settings(database_url, token_rate_limit="lots")
