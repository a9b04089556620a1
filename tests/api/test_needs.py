"""Needs and matching over HTTP: the koppel of the wijk records needs (audited when they name a
resident), matches rank agencies' and neighbours' offers with reasons, a neighbour's offer never
shows who volunteers, and the resident's export and erasure cover needs and volunteered offers."""

from __future__ import annotations

from typing import Any

import pytest

from domain.identity import Role
from tests.factories import MUNICIPALITY, Neighbourhoods, World, build_neighbourhoods
from tests.resident_support import AuditedApi, audit_events, create_resident

API = "/api/v1"
URL = f"{API}/needs"


@pytest.fixture
def hoods(world: World) -> Neighbourhoods:
    return build_neighbourhoods(world)


def need_body(hoods: Neighbourhoods, **fields: Any) -> dict[str, Any]:
    return {
        "wijkId": str(hoods.wijk_a.id),
        "koppelId": str(hoods.koppel_a.id),
        "category": "schulden",
        "description": "Achterstand met huur en energie; post blijft ongeopend.",
        "urgency": "hoog",
        **fields,
    }


def record(world: World, headers: dict[str, str], payload: dict[str, Any]) -> dict[str, Any]:
    response = world.client.post(URL, json=payload, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def offer(world: World, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    payload = {
        "providerOrganisationId": str(world.organisations["instantie"].id),
        "title": "Schuldhulpmaatje",
        "description": "Een vrijwilliger helpt met post en betalingen.",
        "categories": ["schulden"],
        "contactRoute": "Via de opbouwwerker",
        **fields,
    }
    response = world.client.post(f"{API}/offers", json=payload, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_a_need_of_a_resident_is_the_koppels_and_audited(world: World, hoods: Neighbourhoods) -> None:
    api = AuditedApi(world)
    opbouw = world.headers(Role.opbouwwerker)
    resident = create_resident(api, opbouw, hoods.wijk_a.id)
    response = world.client.post(URL, json=need_body(hoods, residentId=resident["id"]), headers=opbouw)
    assert response.status_code == 201, response.text
    need = response.json()
    assert response.headers["Location"] == f"{URL}/{need['id']}" and response.headers["ETag"] == '"1"'
    assert (need["residentId"], need["category"], need["urgency"], need["redactedAt"]) == (resident["id"], "schulden", "hoog", None)
    events = audit_events(world, request_id=response.headers["X-Request-ID"])
    assert [(e.action, e.record_kind, str(e.resident_id)) for e in events] == [("create", "need", resident["id"])]

    agent = world.headers(Role.wijkagent)
    read = world.client.get(f"{URL}/{need['id']}", headers=agent)
    assert read.json() == need
    assert [e.action for e in audit_events(world, request_id=read.headers["X-Request-ID"])] == ["read"]
    street = record(world, agent, need_body(hoods, category="buurtinitiatief", description="Speeltuin opknappen"))
    listed = world.client.get(URL, headers=agent)
    assert ids(listed) == [need["id"], street["id"]]
    assert [str(e.resident_id) for e in audit_events(world, request_id=listed.headers["X-Request-ID"])] == [resident["id"]]
    assert ids(world.client.get(f"{URL}?residentId={resident['id']}", headers=agent)) == [need["id"]]
    assert ids(world.client.get(f"{URL}?category=buurtinitiatief&urgency=hoog", headers=agent)) == [street["id"]]

    agent_b = world.headers_for(hoods.koppel_b.members[Role.wijkagent])
    assert world.client.get(f"{URL}/{need['id']}", headers=agent_b).status_code == 404
    assert world.client.get(f"{URL}/{need['id']}/matches", headers=agent_b).status_code == 404
    assert ids(world.client.get(URL, headers=agent_b)) == []
    for role in (Role.admin, Role.gemeente, Role.agency_worker, Role.privacy_officer, Role.housing_system):
        assert world.client.get(f"{URL}/{need['id']}", headers=world.headers(role)).status_code == 403

    patched = world.client.patch(f"{URL}/{need['id']}", json={"urgency": "normaal"}, headers={**agent, "If-Match": '"1"'})
    assert patched.status_code == 200 and patched.json()["urgency"] == "normaal"
    assert world.client.patch(f"{URL}/{need['id']}", json={"urgency": "laag"}, headers={**agent, "If-Match": '"1"'}).status_code == 412
    assert world.client.patch(f"{URL}/{need['id']}", json={"residentId": None}, headers={**agent, "If-Match": '"2"'}).status_code == 400


def test_what_a_need_may_name(world: World, hoods: Neighbourhoods) -> None:
    api = AuditedApi(world)
    agent = world.headers(Role.wijkagent)
    elsewhere = create_resident(api, world.headers_for(hoods.koppel_b.members[Role.wijkagent]), hoods.wijk_b.id)
    for payload, field in [
        (need_body(hoods, residentId=elsewhere["id"]), "residentId"),
        (need_body(hoods, koppelId=str(hoods.koppel_b.id)), "koppelId"),
        (need_body(hoods, wijkId=str(hoods.wijk_b.id)), "wijkId"),
        (need_body(hoods, category="alles"), "category"),
        (need_body(hoods, description=" "), "description"),
    ]:
        response = world.client.post(URL, json=payload, headers=agent)
        assert response.status_code == 400, (field, response.text)
        assert field in [p["name"] for p in response.json()["invalidParams"]]


def test_matches_rank_agencies_and_a_volunteering_neighbour_and_say_why(world: World, hoods: Neighbourhoods) -> None:
    api = AuditedApi(world)
    admin, opbouw = world.headers(Role.admin), world.headers(Role.opbouwwerker)
    neighbour = create_resident(api, opbouw, hoods.wijk_a.id, givenName="Henk", email="henk@voorbeeld.nl")
    agency = offer(world, admin, municipalityCode=MUNICIPALITY, capacity=12)
    created = world.client.post(
        f"{API}/offers",
        json={
            "providerOrganisationId": str(world.organisations["welzijn"].id),
            "title": "Buurman helpt met de administratie",
            "description": "Oud-boekhouder uit de straat helpt met post en betalingen.",
            "categories": ["financien", "schulden"],
            "wijkIds": [str(hoods.wijk_a.id)],
            "capacity": 2,
            "contactRoute": "Via Margriet (opbouwwerker)",
            "volunteerResidentId": neighbour["id"],
        },
        headers=opbouw,
    )
    assert created.status_code == 201, created.text
    volunteered = created.json()
    assert volunteered["volunteering"] is True and neighbour["id"] not in created.text
    linked = audit_events(world, request_id=created.headers["X-Request-ID"])
    assert [(e.action, e.record_kind, str(e.resident_id)) for e in linked] == [("create", "offer", neighbour["id"])]
    offer(world, admin, title="Taalcafé", categories=["taal"], wijkIds=[str(hoods.wijk_a.id)])  # not a candidate
    offer(world, admin, title="Elders", wijkIds=[str(hoods.wijk_b.id)])  # serves another wijk
    full = offer(world, admin, title="Budgetcursus", categories=["financien"], wijkIds=[str(hoods.wijk_a.id)], capacity=0)

    need = record(world, opbouw, need_body(hoods))
    response = world.client.get(f"{URL}/{need['id']}/matches", headers=opbouw)
    assert response.status_code == 200, response.text
    matches = response.json()
    assert matches["needId"] == need["id"]
    ranked = [(m["offerId"], m["score"], m["reasons"]) for m in matches["items"]]
    assert ranked == [
        (volunteered["id"], 95, ["category schulden", "serves this wijk", "a neighbour from this wijk volunteers", "2 places left"]),
        (agency["id"], 70, ["category schulden", f"serves all of {MUNICIPALITY}", "12 places left"]),
        (full["id"], 15, ["related category financien", "serves this wijk", "no places left"]),
    ]
    assert matches["items"][0]["neighbour"] is True and matches["items"][0]["placesLeft"] == 2
    assert [m["offerId"] for m in world.client.get(f"{URL}/{need['id']}/matches?limit=1", headers=opbouw).json()["items"]] == [volunteered["id"]]
    assert world.client.get(f"{URL}/{need['id']}/matches", headers=admin).status_code == 403


def test_only_koppel_members_link_a_neighbour_of_a_wijk_the_offer_serves(world: World, hoods: Neighbourhoods) -> None:
    api = AuditedApi(world)
    opbouw = world.headers(Role.opbouwwerker)
    neighbour = create_resident(api, opbouw, hoods.wijk_a.id)
    payload = {
        "providerOrganisationId": str(world.organisations["welzijn"].id),
        "title": "Buurvrouw kookt mee",
        "description": "Samen eten.",
        "categories": ["eenzaamheid"],
        "wijkIds": [str(hoods.wijk_a.id)],
        "contactRoute": "Via de opbouwwerker",
        "volunteerResidentId": neighbour["id"],
    }
    assert world.client.post(f"{API}/offers", json=payload, headers=world.headers(Role.admin)).status_code == 403
    opbouw_b = world.headers_for(hoods.koppel_b.members[Role.opbouwwerker])
    outside = world.client.post(f"{API}/offers", json={**payload, "wijkIds": [str(hoods.wijk_b.id)]}, headers=opbouw_b)
    assert outside.status_code == 400 and outside.json()["invalidParams"][0]["name"] == "volunteerResidentId"
    other_wijk = world.client.post(
        f"{API}/offers", json={**payload, "wijkIds": [str(hoods.wijk_b.id)]}, headers=opbouw
    )
    assert other_wijk.status_code == 400  # wijk B is not opbouw's
    assert audit_events(world, resident_id=neighbour["id"], action="create") != []
    assert [e for e in audit_events(world, resident_id=neighbour["id"]) if e.record_kind == "offer"] == []


def test_export_and_erasure_cover_needs_and_volunteered_offers(world: World, hoods: Neighbourhoods) -> None:
    api = AuditedApi(world)
    opbouw, privacy = world.headers(Role.opbouwwerker), world.headers(Role.privacy_officer)
    resident = create_resident(api, opbouw, hoods.wijk_a.id)
    need = record(world, opbouw, need_body(hoods, residentId=resident["id"]))
    volunteered = world.client.post(
        f"{API}/offers",
        json={
            "providerOrganisationId": str(world.organisations["welzijn"].id),
            "title": "Fatima helpt met formulieren",
            "description": "Een buurvrouw helpt bij het invullen van formulieren.",
            "categories": ["financien"],
            "wijkIds": [str(hoods.wijk_a.id)],
            "contactRoute": "Via de opbouwwerker",
            "volunteerResidentId": resident["id"],
        },
        headers=opbouw,
    ).json()

    exported = api.get(f"{API}/residents/{resident['id']}/export", privacy).json()
    assert [(n["id"], n["description"]) for n in exported["needs"]] == [(need["id"], need["description"])]
    assert [o["id"] for o in exported["volunteerOffers"]] == [volunteered["id"]]

    erasure = api.post(f"{API}/residents/{resident['id']}/erasure", privacy).json()
    assert (erasure["needsRedacted"], erasure["offersArchived"]) == (1, 1)
    after = world.client.get(f"{URL}/{need['id']}", headers=opbouw).json()
    assert (after["description"], after["residentId"], after["category"]) == (None, None, "schulden")
    assert after["redactedAt"] is not None
    archived = world.client.get(f"{API}/offers/{volunteered['id']}", headers=opbouw).json()
    assert archived["archivedAt"] is not None and archived["volunteering"] is False and archived["available"] is False
