"""The committed OpenAPI document is exactly what the running app serves, and follows the ADR."""

from __future__ import annotations

import re

import orjson
from fastapi.testclient import TestClient

from api.openapi import EXPORT_PATH, render

SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


def test_served_unauthenticated_and_identical_to_the_committed_file(client: TestClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["API-Version"]
    served = render(response.json())
    committed = EXPORT_PATH.read_bytes()
    assert served == committed, "openapi/openapi.json is stale: run `koppelwerk openapi` and commit it"


def test_document_carries_what_the_design_rules_ask(client: TestClient) -> None:
    document = orjson.loads(EXPORT_PATH.read_bytes())
    info = document["info"]
    assert SEMVER.match(info["version"])
    assert {"name", "email", "url"} <= set(info["contact"])
    assert document["servers"][0]["url"] == "/api/v1"
    operation_ids = []
    for path, item in document["paths"].items():
        assert not path.endswith("/") or path == "/"
        assert not path.startswith("/api/v1"), "paths are relative to the /api/v1 server"
        for method, operation in item.items():
            operation_ids.append(operation["operationId"])
            responses = operation["responses"]
            assert "422" not in responses, f"{method} {path} documents FastAPI's 422"
            assert "400" in responses
            for status, response in responses.items():
                if status.startswith(("2", "3")):
                    assert "API-Version" in response.get("headers", {}), f"{method} {path} {status}"
                if status.startswith(("4", "5")):
                    assert list(response["content"]) == ["application/problem+json"]
            if operation.get("security") != []:
                assert {"401", "403", "404"} <= set(responses), f"{method} {path}"
                assert operation["x-roles"], f"{method} {path} declares no roles"
    assert len(operation_ids) == len(set(operation_ids))
    assert all(re.match(r"^[a-z][A-Za-z0-9]+$", op) for op in operation_ids)
