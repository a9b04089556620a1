"""The demo casework: each role sees its part of Assen's casework, loaded once."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.demo import DEMO_HOUSING_REFERENCE, load_demo_data
from tests.api.test_demo import login
from tests.factories import run

API = "/api/v1"


def items(client: TestClient, path: str, headers: dict[str, str]) -> list[dict[str, object]]:
    response = client.get(f"{API}/{path}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


def test_demo_casework_per_role(client: TestClient, app: FastAPI) -> None:
    run(client, app, lambda uow: load_demo_data(uow, app.state.hasher))
    assert run(client, app, lambda uow: load_demo_data(uow, app.state.hasher)) is False

    jansen = login(client, "agent.jansen")
    # everything was loaded at one instant, so lists (oldest first, then by id) are compared as sets
    assert {s["category"] for s in items(client, "signals", jansen)} == {"burenruzie", "onderhoud", "jongerenoverlast"}
    phases = {i["title"]: i["phase"] for i in items(client, "interventions", jansen)}
    assert phases == {"Burenruzie in de flat": "nazorg", "Hangplek winkelcentrum": "kwartier_maken"}
    assert {a["status"] for a in items(client, "agenda-items", jansen)} == {"geagendeerd", "in_behandeling", "concept"}
    oost = items(client, "wijken?municipalityCode=GM0106", jansen)[0]
    goals = items(client, f"wijken/{oost['id']}/goals", jansen)
    assert [g["title"] for g in goals] == ["Meer bewoners actief", "Minder jongerenoverlast"]  # by year, title

    pieter = login(client, "opbouw.pieter")
    assert [s["status"] for s in items(client, "signals", pieter)] == ["afgehandeld"]

    beleid = login(client, "beleid")
    assert [(a["title"], a["addresseeReference"]) for a in items(client, "agenda-items", beleid)] == [
        ("Te weinig verlichting rond het speelveld", "Z/2026/0042")
    ]
    reviews = items(client, f"wijken/{oost['id']}/goals/{goals[1]['id']}/reviews", beleid)
    assert [(r["quarter"], r["value"]) for r in reviews] == [(1, 24.0)]

    token = client.post(
        f"{API}/auth/token",
        data={"grant_type": "client_credentials", "client_id": "demo-housing", "client_secret": "demo-housing-secret-koppelwerk"},
    ).json()["access_token"]
    receipts = items(client, "signals", {"Authorization": f"Bearer {token}"})
    assert [(r["externalReference"], r["status"]) for r in receipts] == [(DEMO_HOUSING_REFERENCE, "doorgezet")]
