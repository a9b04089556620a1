"""The demo residents show the compartments at work, with the demo accounts of the README."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.demo import load_demo_data
from tests.api.test_demo import login
from tests.factories import run

API = "/api/v1"


def test_demo_residents_show_every_compartment(client: TestClient, app: FastAPI) -> None:
    assert run(client, app, lambda uow: load_demo_data(uow, app.state.hasher)) is True
    assert run(client, app, lambda uow: load_demo_data(uow, app.state.hasher)) is False

    margriet = login(client, "margriet")
    found = client.get(f"{API}/residents", headers=margriet).json()["items"]
    assert sorted(r["familyName"] for r in found) == ["Demir", "Hoekstra", "de Boer"]
    demir = next(r["id"] for r in found if r["familyName"] == "Demir")

    def note_texts(headers: dict[str, str]) -> list[str]:
        return [n["text"] for n in client.get(f"{API}/residents/{demir}/notes", headers=headers).json()["items"]]

    assert note_texts(margriet) == ["Maakt zich zorgen over achterstallige rekeningen; schuldhulp besproken."]
    assert note_texts(login(client, "agent.jansen")) == [
        "Melding van geluidsoverlast door bovenburen, twee keer langs geweest."
    ]
    assert note_texts(login(client, "beheerder.bos")) == []
    assert client.get(f"{API}/residents", headers=login(client, "opbouw.pieter")).json()["items"] == []

    shared = client.get(f"{API}/residents/{demir}/shared-data", headers=login(client, "hulp.schulden")).json()
    assert shared["familyName"] == "Demir" and shared["sharedScope"] == ["contact_details", "identity"]
    assert client.get(f"{API}/residents/{demir}/shared-data", headers=login(client, "bemiddeling")).status_code == 404

    privacy = login(client, "privacy")
    exported = client.get(f"{API}/residents/{demir}/export", headers=privacy).json()
    assert len(exported["notes"]) == 2 and len(exported["consents"]) == 1
    assert client.get(f"{API}/audit-events", headers=privacy, params={"residentId": demir}).json()["items"]
    for username in ("admin", "beleid"):
        assert client.get(f"{API}/residents", headers=login(client, username)).status_code == 403
