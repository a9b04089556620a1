"""The demo's contact moments, needs and referrals: each role sees its part, loaded once."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.demo import DEMO_VOLUNTEER_OFFER, load_demo_data
from tests.api.test_demo import login
from tests.factories import run

API = "/api/v1"


def items(client: TestClient, path: str, headers: dict[str, str]) -> list[dict[str, object]]:
    response = client.get(f"{API}/{path}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


def test_demo_vraag_en_aanbod_per_role(client: TestClient, app: FastAPI) -> None:
    assert run(client, app, lambda uow: load_demo_data(uow, app.state.hasher)) is True
    assert run(client, app, lambda uow: load_demo_data(uow, app.state.hasher)) is False

    margriet = login(client, "margriet")
    assert sorted(m["kind"] for m in items(client, "contact-moments", margriet)) == ["huisbezoek", "koffieochtend", "straatgesprek"]
    needs = items(client, "needs", margriet)
    assert sorted(n["category"] for n in needs) == ["burenconflict", "buurtinitiatief", "schulden"]
    debts = next(n for n in needs if n["category"] == "schulden")
    matches = client.get(f"{API}/needs/{debts['id']}/matches", headers=margriet).json()["items"]
    assert matches[0]["title"] == DEMO_VOLUNTEER_OFFER and matches[0]["neighbour"] is True
    assert "Schuldhulpmaatje" in [m["title"] for m in matches]
    referrals = items(client, "referrals", margriet)
    assert sorted((r["offerTitle"], r["status"]) for r in referrals) == [
        ("Buurtbemiddeling", "aangemeld"), ("Schuldhulpmaatje", "aangemeld"),
    ]

    debt_help = items(client, "referrals", login(client, "hulp.schulden"))
    assert [(r["offerTitle"], [p["familyName"] for p in r["residents"]]) for r in debt_help] == [("Schuldhulpmaatje", ["Demir"])]
    mediation = items(client, "referrals", login(client, "bemiddeling"))
    assert len(mediation) == 1 and mediation[0]["mediation"] is True
    assert sorted(p["familyName"] for p in mediation[0]["residents"]) == ["Hoekstra", "de Boer"]

    beleid = login(client, "beleid")
    oost = next(w for w in items(client, "wijken", beleid) if w["code"] == "WK010601")
    statistics = client.get(f"{API}/wijken/{oost['id']}/statistics", headers=beleid).json()
    assert statistics["contactMoments"] and all(c["count"] == "<5" for c in statistics["contactMoments"])
    assert items(client, f"koppels/{debts['koppelId']}/follow-ups?due=2100-01-01", margriet)
