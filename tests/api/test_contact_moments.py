"""Contact moments over HTTP: the koppel of the wijk records and reads them, residents named are
audited per request, filters and pages, If-Match, and the resident's export and erasure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.identity import Role
from tests.factories import Neighbourhoods, World, build_neighbourhoods, today
from tests.resident_support import AuditedApi, audit_events, create_resident

API = "/api/v1"
URL = f"{API}/contact-moments"


@pytest.fixture
def hoods(world: World) -> Neighbourhoods:
    return build_neighbourhoods(world)


def body(hoods: Neighbourhoods, **fields: Any) -> dict[str, Any]:
    return {
        "wijkId": str(hoods.wijk_a.id),
        "koppelId": str(hoods.koppel_a.id),
        "kind": "huisbezoek",
        "occurredAt": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
        "place": "Oosterstraat",
        "summary": "Kennismaking; zorgen over de trap in de portiek.",
        **fields,
    }


def record(world: World, headers: dict[str, str], payload: dict[str, Any]) -> dict[str, Any]:
    response = world.client.post(URL, json=payload, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_the_koppel_records_a_home_visit_and_every_resident_named_is_audited(world: World, hoods: Neighbourhoods) -> None:
    api = AuditedApi(world)
    opbouw = world.headers(Role.opbouwwerker)
    resident = create_resident(api, opbouw, hoods.wijk_a.id)
    response = world.client.post(URL, json=body(hoods, residentIds=[resident["id"]]), headers=opbouw)
    assert response.status_code == 201, response.text
    moment = response.json()
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"] == f"{URL}/{moment['id']}"
    assert moment["residentIds"] == [resident["id"]]
    assert moment["recordedBy"]["id"] == str(world.principals[Role.opbouwwerker].id)
    assert (moment["kind"], moment["place"], moment["redactedAt"]) == ("huisbezoek", "Oosterstraat", None)
    created = audit_events(world, request_id=response.headers["X-Request-ID"])
    assert [(e.action, e.record_kind, str(e.resident_id), str(e.record_id)) for e in created] == [
        ("create", "contact_moment", resident["id"], moment["id"])
    ]

    for role in (Role.wijkagent, Role.wijkbeheerder):
        read = world.client.get(f"{URL}/{moment['id']}", headers=world.headers(role))
        assert read.json() == moment
        events = audit_events(world, request_id=read.headers["X-Request-ID"])
        assert [(e.action, str(e.resident_id), e.actor_role) for e in events] == [("read", resident["id"], role)]
        listed = world.client.get(URL, headers=world.headers(role))
        assert ids(listed) == [moment["id"]]
        assert len(audit_events(world, request_id=listed.headers["X-Request-ID"])) == 1

    # koppel B, and everyone who is not a koppel member, never reach it
    agent_b = world.headers_for(hoods.koppel_b.members[Role.wijkagent])
    assert world.client.get(f"{URL}/{moment['id']}", headers=agent_b).status_code == 404
    assert ids(world.client.get(URL, headers=agent_b)) == []
    for role in (Role.admin, Role.gemeente, Role.agency_worker, Role.privacy_officer, Role.police_system):
        assert world.client.get(f"{URL}/{moment['id']}", headers=world.headers(role)).status_code == 403
        assert world.client.get(URL, headers=world.headers(role)).status_code == 403


def test_a_moment_without_residents_writes_no_audit_event(world: World, hoods: Neighbourhoods) -> None:
    response = world.client.post(URL, json=body(hoods, kind="straatgesprek"), headers=world.headers(Role.wijkagent))
    assert response.status_code == 201
    assert audit_events(world, request_id=response.headers["X-Request-ID"]) == []
    listed = world.client.get(URL, headers=world.headers(Role.wijkagent))
    assert audit_events(world, request_id=listed.headers["X-Request-ID"]) == []


def test_what_a_contact_moment_may_name(world: World, hoods: Neighbourhoods) -> None:
    api = AuditedApi(world)
    agent = world.headers(Role.wijkagent)
    agent_b = world.headers_for(hoods.koppel_b.members[Role.wijkagent])
    elsewhere = create_resident(api, agent_b, hoods.wijk_b.id)
    cases = [
        (body(hoods, residentIds=[elsewhere["id"]]), "residentIds"),  # a resident of another wijk
        (body(hoods, koppelId=str(hoods.koppel_b.id)), "koppelId"),  # not the caller's koppel
        (body(hoods, wijkId=str(hoods.wijk_b.id)), "wijkId"),  # not the caller's wijk
        (body(hoods, occurredAt=(datetime.now(UTC) + timedelta(days=1)).isoformat()), "occurredAt"),
        (body(hoods, occurredAt="2026-01-05T10:00:00"), "occurredAt"),  # no UTC offset
        (body(hoods, kind="feestje"), "kind"),
        (body(hoods, summary="  "), "summary"),
    ]
    for payload, field in cases:
        response = world.client.post(URL, json=payload, headers=agent)
        assert response.status_code == 400, (field, response.text)
        assert field in [p["name"] for p in response.json()["invalidParams"]], (field, response.text)
    assert world.client.post(URL, json=body(hoods), headers=world.headers(Role.gemeente)).status_code == 403


def test_filters_and_pages(world: World, hoods: Neighbourhoods) -> None:
    api = AuditedApi(world)
    agent = world.headers(Role.wijkagent)
    resident = create_resident(api, agent, hoods.wijk_a.id)
    now = datetime.now(UTC)
    old = record(world, agent, body(hoods, kind="spreekuur", occurredAt=(now - timedelta(days=40)).isoformat()))
    visit = record(world, agent, body(hoods, residentIds=[resident["id"]], occurredAt=(now - timedelta(days=3)).isoformat()))
    coffee = record(world, agent, body(hoods, kind="koffieochtend", occurredAt=(now - timedelta(days=1)).isoformat()))
    assert ids(world.client.get(URL, headers=agent)) == [old["id"], visit["id"], coffee["id"]]  # oldest first
    assert ids(world.client.get(f"{URL}?kind=spreekuur", headers=agent)) == [old["id"]]
    assert ids(world.client.get(f"{URL}?residentId={resident['id']}", headers=agent)) == [visit["id"]]
    since = (today() - timedelta(days=5)).isoformat()
    assert ids(world.client.get(f"{URL}?from={since}", headers=agent)) == [visit["id"], coffee["id"]]
    until = (today() - timedelta(days=2)).isoformat()
    assert ids(world.client.get(f"{URL}?from={since}&to={until}", headers=agent)) == [visit["id"]]
    assert world.client.get(f"{URL}?from={until}&to={since}", headers=agent).status_code == 400
    assert ids(world.client.get(f"{URL}?koppelId={hoods.koppel_b.id}", headers=agent)) == []
    assert ids(world.client.get(f"{URL}?wijkId={hoods.wijk_a.id}", headers=agent)) == [old["id"], visit["id"], coffee["id"]]
    first = world.client.get(f"{URL}?limit=2", headers=agent)
    assert ids(first) == [old["id"], visit["id"]]
    link = first.headers["Link"]
    assert 'rel="next"' in link
    second = world.client.get(link[1 : link.index(">")], headers=agent)
    assert ids(second) == [coffee["id"]]


def test_corrections_need_if_match_and_are_audited_for_everyone_involved(world: World, hoods: Neighbourhoods) -> None:
    api = AuditedApi(world)
    agent = world.headers(Role.wijkagent)
    first = create_resident(api, agent, hoods.wijk_a.id)
    second = create_resident(api, agent, hoods.wijk_a.id, givenName="Kees", email="kees@voorbeeld.nl")
    moment = record(world, agent, body(hoods, residentIds=[first["id"]]))
    url = f"{URL}/{moment['id']}"
    change = {"residentIds": [second["id"]], "kind": "telefoon", "place": None}
    assert world.client.patch(url, json=change, headers=agent).status_code == 428
    assert world.client.patch(url, json=change, headers={**agent, "If-Match": '"7"'}).status_code == 412
    assert world.client.patch(url, json={"summary": None}, headers={**agent, "If-Match": '"1"'}).status_code == 400
    response = world.client.patch(url, json=change, headers={**agent, "If-Match": '"1"'})
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"2"'
    updated = response.json()
    assert (updated["residentIds"], updated["kind"], updated["place"]) == ([second["id"]], "telefoon", None)
    events = audit_events(world, request_id=response.headers["X-Request-ID"])
    assert {str(e.resident_id) for e in events} == {first["id"], second["id"]}
    assert {e.action for e in events} == {"update"}
    assert set(events[0].fields) == {"kind", "place", "residentIds"}
    opbouw_b = world.headers_for(hoods.koppel_b.members[Role.opbouwwerker])
    assert world.client.patch(url, json={"kind": "telefoon"}, headers={**opbouw_b, "If-Match": '"2"'}).status_code == 404


def test_the_export_lists_the_moments_and_erasure_removes_what_could_name_the_resident(world: World, hoods: Neighbourhoods) -> None:
    api = AuditedApi(world)
    agent = world.headers(Role.wijkagent)
    privacy = world.headers(Role.privacy_officer)
    erased = create_resident(api, agent, hoods.wijk_a.id)
    neighbour = create_resident(api, agent, hoods.wijk_a.id, givenName="Kees", email="kees@voorbeeld.nl")
    shared = record(world, agent, body(hoods, residentIds=[erased["id"], neighbour["id"]], summary="Fatima en Kees samen"))
    untouched = record(world, agent, body(hoods, residentIds=[neighbour["id"]], summary="Alleen Kees"))

    exported = api.get(f"{API}/residents/{erased['id']}/export", privacy).json()
    assert [(m["id"], m["summary"], m["place"]) for m in exported["contactMoments"]] == [
        (shared["id"], "Fatima en Kees samen", "Oosterstraat")
    ]
    assert "residentIds" not in exported["contactMoments"][0], "other residents are not named in an export"

    erasure = api.post(f"{API}/residents/{erased['id']}/erasure", privacy).json()
    assert erasure["contactMomentsRedacted"] == 1
    after = world.client.get(f"{URL}/{shared['id']}", headers=agent).json()
    assert (after["summary"], after["place"], after["residentIds"]) == (None, None, [neighbour["id"]])
    assert after["redactedAt"] is not None and after["kind"] == "huisbezoek"
    assert world.client.get(f"{URL}/{untouched['id']}", headers=agent).json()["summary"] == "Alleen Kees"
    assert ids(world.client.get(f"{URL}?residentId={erased['id']}", headers=agent)) == []
    again = api.post(f"{API}/residents/{erased['id']}/erasure", privacy).json()
    assert again["alreadyErased"] is True
