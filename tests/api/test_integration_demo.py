"""The README's integrator flows against the demo data, with the demo clients' own credentials: the
police's system follows its feed and answers; the corporation's system submits by address, recognises
a re-sent signal and follows its signals' progress."""

from __future__ import annotations

import uuid

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.demo import DEMO_HOUSING_REFERENCE, load_demo_data
from tests.factories import run

API = "/api/v1"


def client_token(client: TestClient, client_id: str, secret: str) -> dict[str, str]:
    response = client.post(f"{API}/auth/token", auth=(client_id, secret), data={"grant_type": "client_credentials"})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_the_demo_police_system_follows_and_answers_its_agenda(client: TestClient, app: FastAPI) -> None:
    run(client, app, lambda uow: load_demo_data(uow, app.state.hasher))
    police = client_token(client, "demo-police", "demo-police-secret-koppelwerk")
    page = client.get(f"{API}/feeds/agenda-items", headers=police).json()
    assert [(e["change"], e["item"]["title"]) for e in page["items"]] == [
        ("created", "Jongerenoverlast bij het winkelcentrum")
    ]
    item = page["items"][0]["item"]
    assert item["wijk"]["code"] == "WK010601"
    answered = client.post(
        f"{API}/agenda-items/{item['id']}/answers",
        json={"status": "in_behandeling", "addresseeReference": "BVH-2026-00042"},
        headers={**police, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert answered.status_code == 200 and answered.json()["status"] == "in_behandeling"
    later = client.get(f"{API}/feeds/agenda-items", params={"since": page["nextCursor"]}, headers=police).json()
    assert [(e["change"], e["item"]["addresseeReference"]) for e in later["items"]] == [("updated", "BVH-2026-00042")]


def test_the_demo_corporation_submits_by_address_and_follows_its_signals(client: TestClient, app: FastAPI) -> None:
    run(client, app, lambda uow: load_demo_data(uow, app.state.hasher))
    housing = client_token(client, "demo-housing", "demo-housing-secret-koppelwerk")
    before = client.get(f"{API}/feeds/signals", headers=housing).json()
    # the demo's corporation signal: recorded, taken up, passed on
    assert [(e["change"], e["status"], e["signal"]["externalReference"]) for e in before["items"]] == [
        ("created", "nieuw", DEMO_HOUSING_REFERENCE),
        ("status_changed", "in_behandeling", DEMO_HOUSING_REFERENCE),
        ("status_changed", "doorgezet", DEMO_HOUSING_REFERENCE),
    ]
    body = {
        "category": "vocht_schimmel",
        "description": "Schimmel in de badkamer, huurder meldt het al maanden.",
        "location": {"address": {"postcode": "9401AB", "houseNumber": 12}},
        "externalReference": "TA-2026-0002",
    }
    made = client.post(f"{API}/signals", json=body, headers={**housing, "Idempotency-Key": str(uuid.uuid4())})
    assert made.status_code == 201, made.text
    wijken = {w["id"]: w["code"] for w in client.get(f"{API}/wijken", headers=housing).json()["items"]}
    assert wijken[made.json()["wijkId"]] == "WK010601"
    again = client.post(f"{API}/signals", json=body, headers={**housing, "Idempotency-Key": str(uuid.uuid4())})
    assert again.status_code == 200 and again.json()["id"] == made.json()["id"]
    after = client.get(f"{API}/feeds/signals", params={"since": before["nextCursor"]}, headers=housing).json()
    assert [(e["change"], e["signal"]["externalReference"]) for e in after["items"]] == [("created", "TA-2026-0002")]
