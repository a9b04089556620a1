"""Signals over HTTP: scope (404 outside, lists hold only what may be read), the housing receipt,
status moves with history, If-Match, the external reference, location checks, filters and pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from domain.identity import Role
from tests.factories import Neighbourhoods, World, build_neighbourhoods, today

API = "/api/v1"


@pytest.fixture
def hoods(world: World) -> Neighbourhoods:
    return build_neighbourhoods(world)


def signal_body(wijk_id: object, **fields: Any) -> dict[str, Any]:
    return {
        "wijkId": str(wijk_id),
        "source": "bewoner",
        "category": "geluidsoverlast",
        "description": "Harde muziek na middernacht in de flat aan de Oosterstraat.",
        **fields,
    }


def create(world: World, headers: dict[str, str], wijk_id: object, **fields: Any):  # type: ignore[no-untyped-def]
    return world.client.post(f"{API}/signals", json=signal_body(wijk_id, **fields), headers=headers)


def created(world: World, headers: dict[str, str], wijk_id: object, **fields: Any) -> dict[str, Any]:
    response = create(world, headers, wijk_id, **fields)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def move(world: World, headers: dict[str, str], signal: dict[str, Any], etag: str, **body: Any):  # type: ignore[no-untyped-def]
    return world.client.post(
        f"{API}/signals/{signal['id']}/status-changes", json=body, headers={**headers, "If-Match": etag}
    )


def test_a_koppel_member_records_a_signal_and_only_the_koppel_of_the_wijk_reaches_it(
    world: World, hoods: Neighbourhoods
) -> None:
    agent = world.headers(Role.wijkagent)
    response = create(world, agent, hoods.wijk_a.id, urgency="hoog")
    assert response.status_code == 201, response.text
    signal = response.json()
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"] == f"/api/v1/signals/{signal['id']}"
    assert (signal["status"], signal["urgency"], signal["source"]) == ("nieuw", "hoog", "bewoner")
    assert signal["submittedByOrganisationId"] == str(world.organisations["politie"].id)
    assert signal["recordedBy"] == {
        "kind": "user",
        "id": str(world.principals[Role.wijkagent].id),
        "displayName": "wijkagent",
    }
    assert signal["firstActionAt"] is None and signal["location"] is None
    assert signal["interventionIds"] == [] and signal["agendaItemIds"] == []

    url = f"{API}/signals/{signal['id']}"
    for role in (Role.opbouwwerker, Role.wijkbeheerder):
        assert world.client.get(url, headers=world.headers(role)).json() == signal
        assert ids(world.client.get(f"{API}/signals", headers=world.headers(role))) == [signal["id"]]
    # koppel B does not know it exists, and its own signal stays out of A's lists
    agent_b = world.headers_for(hoods.koppel_b.members[Role.wijkagent])
    assert world.client.get(url, headers=agent_b).status_code == 404
    assert world.client.get(f"{url}/status-changes", headers=agent_b).status_code == 404
    other = created(world, agent_b, hoods.wijk_b.id)
    assert ids(world.client.get(f"{API}/signals", headers=agent_b)) == [other["id"]]
    assert ids(world.client.get(f"{API}/signals", headers=agent)) == [signal["id"]]
    # a wijk outside the koppel is refused like an unknown one
    outside = create(world, agent, hoods.wijk_b.id)
    assert outside.status_code == 400
    assert outside.json()["invalidParams"][0]["name"] == "wijkId"
    # roles without a right to signals get 403 whatever the signal
    for role in (Role.admin, Role.gemeente, Role.agency_worker, Role.police_system):
        assert world.client.get(url, headers=world.headers(role)).status_code == 403
        assert world.client.get(f"{API}/signals", headers=world.headers(role)).status_code == 403


def test_a_housing_system_reads_back_only_its_own_organisations_signals_as_receipts(
    world: World, hoods: Neighbourhoods
) -> None:
    # the wijkbeheerder works for the corporation: its signals are the corporation's
    own = created(
        world, world.headers(Role.wijkbeheerder), hoods.wijk_a.id, category="onderhoud", externalReference="TA-1"
    )
    other = created(world, world.headers(Role.opbouwwerker), hoods.wijk_a.id)
    housing = world.headers(Role.housing_system)
    receipt = world.client.get(f"{API}/signals/{own['id']}", headers=housing)
    assert receipt.status_code == 200, receipt.text
    assert set(receipt.json()) == {
        "id",
        "externalReference",
        "wijkId",
        "source",
        "category",
        "urgency",
        "status",
        "firstActionAt",
        "closedAt",
        "createdAt",
        "updatedAt",
    }
    assert (receipt.json()["externalReference"], receipt.json()["status"]) == ("TA-1", "nieuw")
    assert world.client.get(f"{API}/signals/{other['id']}", headers=housing).status_code == 404
    listed = world.client.get(f"{API}/signals", headers=housing).json()["items"]
    assert [s["id"] for s in listed] == [own["id"]] and "description" not in listed[0]
    # it reads back progress, but the koppel handles the signal
    assert world.client.get(f"{API}/signals/{own['id']}/status-changes", headers=housing).status_code == 403
    assert move(world, housing, own, '"1"', to="in_behandeling").status_code == 403
    # it submits only in the wijken its organisation serves (none here): see test_housing_intake
    submitted = world.client.post(
        f"{API}/signals",
        json={**signal_body(hoods.wijk_a.id), "externalReference": "TA-2", "source": "woningcorporatie"},
        headers={**housing, "Idempotency-Key": "k-1"},
    )
    assert submitted.status_code == 400 and submitted.json()["invalidParams"][0]["name"] == "wijkId"


def test_status_moves_follow_the_table_keep_history_and_stamp_the_first_action(
    world: World, hoods: Neighbourhoods
) -> None:
    agent, worker = world.headers(Role.wijkagent), world.headers(Role.opbouwwerker)
    signal = created(world, agent, hoods.wijk_a.id)

    skipped = move(world, worker, signal, '"1"', to="afgehandeld")
    assert skipped.status_code == 409 and "in_behandeling" in skipped.json()["detail"]
    taken = move(world, worker, signal, '"1"', to="in_behandeling")
    assert taken.status_code == 200, taken.text
    assert taken.headers["ETag"] == '"2"'
    first_action = taken.json()["firstActionAt"]
    assert first_action and taken.json()["status"] == "in_behandeling"

    no_reason = move(world, worker, signal, '"2"', to="doorgezet")
    assert no_reason.status_code == 400 and no_reason.json()["invalidParams"][0]["name"] == "reason"
    passed = move(world, worker, signal, '"2"', to="doorgezet", reason="Naar de woningcorporatie")
    assert passed.status_code == 200
    back = move(world, agent, signal, '"3"', to="in_behandeling")
    assert back.status_code == 400 and back.json()["invalidParams"][0]["name"] == "reason"
    back = move(world, agent, signal, '"3"', to="in_behandeling", reason="Corporatie stuurt het terug")
    assert back.status_code == 200
    assert back.json()["firstActionAt"] == first_action  # the first action stays the first
    done = move(world, agent, signal, '"4"', to="afgehandeld")
    assert done.status_code == 200 and done.json()["closedAt"]

    closed = move(world, agent, signal, '"5"', to="in_behandeling", reason="toch niet")
    assert closed.status_code == 409 and "closed" in closed.json()["detail"]
    edit = world.client.patch(
        f"{API}/signals/{signal['id']}", json={"urgency": "laag"}, headers={**agent, "If-Match": '"5"'}
    )
    assert edit.status_code == 409

    history = world.client.get(f"{API}/signals/{signal['id']}/status-changes", headers=worker).json()["items"]
    assert [(h["fromStatus"], h["toStatus"], h["reason"]) for h in history] == [
        (None, "nieuw", None),
        ("nieuw", "in_behandeling", None),
        ("in_behandeling", "doorgezet", "Naar de woningcorporatie"),
        ("doorgezet", "in_behandeling", "Corporatie stuurt het terug"),
        ("in_behandeling", "afgehandeld", None),
    ]
    assert [h["changedBy"]["displayName"] for h in history] == [
        "wijkagent",
        "opbouwwerker",
        "opbouwwerker",
        "wijkagent",
        "wijkagent",
    ]
    paged = world.client.get(f"{API}/signals/{signal['id']}/status-changes?limit=2", headers=worker)
    assert [h["toStatus"] for h in paged.json()["items"]] == ["nieuw", "in_behandeling"]
    assert paged.headers["Link"].endswith('rel="next"')


def test_rejecting_needs_a_reason_and_closes(world: World, hoods: Neighbourhoods) -> None:
    agent = world.headers(Role.wijkagent)
    signal = created(world, agent, hoods.wijk_a.id)
    assert move(world, agent, signal, '"1"', to="afgewezen").status_code == 400
    rejected = move(world, agent, signal, '"1"', to="afgewezen", reason="Dubbele melding")
    assert rejected.status_code == 200
    assert rejected.json()["closedAt"] and rejected.json()["firstActionAt"]


def test_changes_need_the_current_etag(world: World, hoods: Neighbourhoods) -> None:
    agent = world.headers(Role.wijkagent)
    signal = created(world, agent, hoods.wijk_a.id)
    url = f"{API}/signals/{signal['id']}"
    assert world.client.patch(url, json={"urgency": "hoog"}, headers=agent).status_code == 428
    changed = world.client.patch(url, json={"urgency": "hoog"}, headers={**agent, "If-Match": '"1"'})
    assert changed.status_code == 200 and changed.headers["ETag"] == '"2"'
    assert world.client.patch(url, json={"urgency": "laag"}, headers={**agent, "If-Match": '"1"'}).status_code == 412
    # a status move on a stale version is a 412, even when the move is valid from what the caller saw
    stale = move(world, agent, signal, '"1"', to="in_behandeling")
    assert stale.status_code == 412
    assert world.client.post(f"{url}/status-changes", json={"to": "in_behandeling"}, headers=agent).status_code == 428
    assert world.client.get(url, headers=agent).json()["status"] == "nieuw"


def test_the_external_reference_is_unique_per_organisation(world: World, hoods: Neighbourhoods) -> None:
    agent = world.headers(Role.wijkagent)
    assert create(world, agent, hoods.wijk_a.id, externalReference="BVH-77").status_code == 201
    # the wijkagent of koppel B works for the same police organisation, in another wijk
    agent_b = world.headers_for(hoods.koppel_b.members[Role.wijkagent])
    again = create(world, agent_b, hoods.wijk_b.id, externalReference="BVH-77")
    assert again.status_code == 409
    assert "externalReference" in again.json()["detail"]
    # another organisation may use the same reference; references are compared exactly
    assert create(world, world.headers(Role.opbouwwerker), hoods.wijk_a.id, externalReference="BVH-77").status_code == 201
    assert create(world, agent_b, hoods.wijk_b.id, externalReference="BVH-78").status_code == 201


@pytest.mark.parametrize(
    ("fields", "name"),
    [
        ({"location": {"point": {"latitude": 48.85, "longitude": 2.35}}}, "location.point"),  # Paris
        ({"location": {"point": {"latitude": 6.58, "longitude": 52.99}}}, "location.point"),  # swapped
        ({"location": {"address": {"postcode": "0123AB", "houseNumber": 1}}}, "location.address.postcode"),
        ({"location": {"address": {"postcode": "9401AB", "houseNumber": 0}}}, "location.address.houseNumber"),
        ({"location": {}}, "location"),
        ({"source": None}, "source"),
        ({"category": "inbraak"}, "category"),
        ({"description": ""}, "description"),
        ({"externalReference": ""}, "externalReference"),
        ({"status": "afgehandeld"}, "status"),
    ],
)
def test_invalid_signals_are_a_400_naming_the_field(
    world: World, hoods: Neighbourhoods, fields: dict[str, Any], name: str
) -> None:
    body = signal_body(hoods.wijk_a.id, **fields)
    if fields.get("source", "") is None:
        del body["source"]
    response = world.client.post(f"{API}/signals", json=body, headers=world.headers(Role.wijkagent))
    assert response.status_code == 400, response.text
    assert name in {p["name"] for p in response.json()["invalidParams"]}


def test_a_location_is_normalised_and_a_point_must_lie_in_the_wijks_boundary(
    world: World, hoods: Neighbourhoods
) -> None:
    agent = world.headers(Role.wijkagent)
    signal = created(
        world,
        agent,
        hoods.wijk_a.id,
        location={"address": {"postcode": "9401 ab", "houseNumber": 12, "houseNumberAddition": "a"}},
    )
    assert signal["location"] == {
        "address": {"postcode": "9401AB", "houseNumber": 12, "houseNumberAddition": "a"},
        "point": None,
    }
    admin = world.headers(Role.admin)
    boundary = {
        "type": "Polygon",
        "coordinates": [[[6.575, 52.990], [6.600, 52.990], [6.600, 53.005], [6.575, 53.005], [6.575, 52.990]]],
    }
    wijk_url = f"{API}/wijken/{hoods.wijk_a.id}"
    etag = world.client.get(wijk_url, headers=admin).headers["ETag"]
    assert world.client.patch(wijk_url, json={"boundary": boundary}, headers={**admin, "If-Match": etag}).status_code == 200
    inside = create(world, agent, hoods.wijk_a.id, location={"point": {"latitude": 52.995, "longitude": 6.585}})
    assert inside.status_code == 201, inside.text
    assert inside.json()["location"]["point"] == {"latitude": 52.995, "longitude": 6.585}
    outside = create(world, agent, hoods.wijk_a.id, location={"point": {"latitude": 52.95, "longitude": 6.55}})
    assert outside.status_code == 400
    assert outside.json()["invalidParams"][0] == {
        "name": "location.point",
        "code": "outside_wijk",
        "reason": "lies outside the boundary of wijk WK010601",
    }
    # the location can be corrected, and removed
    url = f"{API}/signals/{signal['id']}"
    moved = world.client.patch(
        url, json={"location": {"point": {"latitude": 52.995, "longitude": 6.585}}}, headers={**agent, "If-Match": '"1"'}
    )
    assert moved.status_code == 200 and moved.json()["location"]["address"] is None
    cleared = world.client.patch(url, json={"location": None}, headers={**agent, "If-Match": '"2"'})
    assert cleared.status_code == 200 and cleared.json()["location"] is None


def test_filters_and_pagination(world: World, hoods: Neighbourhoods) -> None:
    agent = world.headers(Role.wijkagent)
    noise = created(world, agent, hoods.wijk_a.id)
    drugs = created(world, agent, hoods.wijk_a.id, category="drugsoverlast", urgency="hoog", source="buurtapp")
    repair = created(world, agent, hoods.wijk_a.id, category="onderhoud", source="woningcorporatie")
    assert move(world, agent, drugs, '"1"', to="in_behandeling").status_code == 200

    def listed(query: str) -> list[str]:
        return ids(world.client.get(f"{API}/signals?{query}", headers=agent))

    assert listed("") == [noise["id"], drugs["id"], repair["id"]]
    assert listed("category=onderhoud") == [repair["id"]]
    assert listed("status=in_behandeling") == [drugs["id"]]
    assert listed("urgency=hoog") == [drugs["id"]]
    assert listed("source=buurtapp") == [drugs["id"]]
    assert listed(f"wijkId={hoods.wijk_a.id}&status=nieuw") == [noise["id"], repair["id"]]
    assert listed(f"wijkId={hoods.wijk_b.id}") == []
    day, yesterday = today().isoformat(), (today() - timedelta(days=1)).isoformat()
    assert listed(f"createdFrom={day}&createdTo={day}") == [noise["id"], drugs["id"], repair["id"]]
    assert listed(f"createdTo={yesterday}") == []
    backwards = world.client.get(f"{API}/signals?createdFrom={day}&createdTo={yesterday}", headers=agent)
    assert backwards.status_code == 400 and backwards.json()["invalidParams"][0]["name"] == "createdTo"
    assert world.client.get(f"{API}/signals?category=inbraak", headers=agent).status_code == 400

    seen: list[str] = []
    url: str | None = f"{API}/signals?limit=2"
    while url:
        page = world.client.get(url, headers=agent)
        seen += [s["id"] for s in page.json()["items"]]
        link = page.headers.get("Link")
        url = link[1 : link.index(">")] if link else None
    assert seen == [noise["id"], drugs["id"], repair["id"]]
