"""The demo data gives a living service: a resident finds the koppel, staff see their own wijken."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.demo import DEMO_PASSWORD, load_demo_data
from tests.factories import run

API = "/api/v1"


def login(client: TestClient, username: str) -> dict[str, str]:
    response = client.post(
        f"{API}/auth/token", data={"grant_type": "password", "username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_demo_data_shows_a_living_service_and_loads_once(client: TestClient, app: FastAPI) -> None:
    assert run(client, app, lambda uow: load_demo_data(uow, app.state.hasher)) is True
    assert run(client, app, lambda uow: load_demo_data(uow, app.state.hasher)) is False

    public = client.get(f"{API}/wijken/WK010601/presence").json()
    koppel = public["koppels"][0]
    assert {p["displayName"] for p in koppel["professionals"]} >= {"Wijkbeheerder Bos", "Wijkagent Jansen"}
    assert koppel["weekly"] and koppel["upcoming"]

    jansen = login(client, "agent.jansen")
    assert [k["name"] for k in client.get(f"{API}/koppels", headers=jansen).json()["items"]] == [
        "Koppel Assen-Oost"
    ]
    assert [w["code"] for w in client.get(f"{API}/wijken", headers=jansen).json()["items"]] == [
        "WK010601",
        "WK010603",
    ]
    titles = {o["title"] for o in client.get(f"{API}/offers", headers=jansen).json()["items"]}
    assert "Taalcafé" not in titles and {"Schuldhulpmaatje", "Samen eten in de buurt"} <= titles

    pieter = login(client, "opbouw.pieter")
    assert [k["name"] for k in client.get(f"{API}/koppels", headers=pieter).json()["items"]] == [
        "Koppel Pittelo"
    ]
    beleid = login(client, "beleid")
    assert len(client.get(f"{API}/wijken", headers=beleid).json()["items"]) == 3
    schulden = login(client, "hulp.schulden")
    assert [o["title"] for o in client.get(f"{API}/offers", headers=schulden).json()["items"]] == [
        "Schuldhulpmaatje"
    ]
