"""A housing corporation's intake over HTTP: the wijken it serves (service areas, admin-managed), signals
placed by address (postcode ranges) or point (boundary), its own reference that recognises a signal sent
twice, Idempotency-Key on every POST, batches in which a bad item does not sink the others, and its
status feed. The 100-concurrent-POST tests on PostgreSQL are in tests/integration/test_intake_concurrency.py."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from domain.feeds import encode_cursor
from domain.identity import Role
from persistence.tables_casework import SignalRow
from tests.factories import Neighbourhoods, World, build_neighbourhoods

API = "/api/v1"
SIGNAL = SignalRow.__table__
# Wijk B gets a boundary around this point; wijk A is found by postcode.
B_BOUNDARY = {
    "type": "Polygon",
    "coordinates": [[[6.540, 52.980], [6.560, 52.980], [6.560, 52.990], [6.540, 52.990], [6.540, 52.980]]],
}
IN_B = {"latitude": 52.985, "longitude": 6.550}
RECEIPT_KEYS = {
    "id", "externalReference", "wijkId", "source", "category", "urgency", "status", "firstActionAt", "closedAt",
    "createdAt", "updatedAt",
}


def admin_patch_wijk(world: World, wijk_id: object, **fields: Any) -> None:
    headers = world.headers(Role.admin)
    current = world.client.get(f"{API}/wijken/{wijk_id}", headers=headers)
    changed = world.client.patch(
        f"{API}/wijken/{wijk_id}", json=fields, headers={**headers, "If-Match": current.headers["ETag"]}
    )
    assert changed.status_code == 200, changed.text


def serve(world: World, **area: str) -> dict[str, Any]:
    organisation = world.organisations["woningcorporatie"].id
    response = world.client.post(
        f"{API}/organisations/{organisation}/service-areas", json=area, headers=world.headers(Role.admin)
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture
def hoods(world: World) -> Neighbourhoods:
    place = build_neighbourhoods(world)
    admin_patch_wijk(world, place.wijk_a.id, postcodeRanges=[{"fromPostcode": "9401", "toPostcode": "9401"}])
    admin_patch_wijk(
        world, place.wijk_b.id, boundary=B_BOUNDARY, postcodeRanges=[{"fromPostcode": "9402AA", "toPostcode": "9402KZ"}]
    )
    serve(world, wijkId=str(place.wijk_a.id))
    return place


def signal(reference: str | None = "TA-1", **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "onderhoud",
        "description": "Portiekverlichting al een week kapot.",
        "urgency": "hoog",
        "location": {"address": {"postcode": "9401 AB", "houseNumber": 12}},
        **fields,
    }
    if reference is not None:
        body["externalReference"] = reference
    return body


def submit(world: World, body: dict[str, Any], key: str | None = None, role: Role = Role.housing_system):  # type: ignore[no-untyped-def]
    headers = {**world.headers(role), "Idempotency-Key": key or str(uuid.uuid4())}
    return world.client.post(f"{API}/signals", json=body, headers=headers)


def stored(world: World) -> int:
    async def work(uow):  # type: ignore[no-untyped-def]
        return (await uow.session.execute(select(func.count()).select_from(SIGNAL))).scalar_one()

    return world.run(work)


def test_the_admin_decides_which_wijken_an_organisation_serves(world: World) -> None:
    place = build_neighbourhoods(world)
    organisation = world.organisations["woningcorporatie"].id
    url = f"{API}/organisations/{organisation}/service-areas"
    admin = world.headers(Role.admin)
    area = serve(world, wijkId=str(place.wijk_a.id))
    assert world.client.post(url, json={"wijkId": str(place.wijk_a.id)}, headers=admin).status_code == 409
    whole = serve(world, municipalityCode="GM0106")
    listed = world.client.get(url, headers=admin).json()["items"]
    assert {a["id"] for a in listed} == {area["id"], whole["id"]}
    one = world.client.get(f"{url}/{area['id']}", headers=admin)
    assert one.status_code == 200 and one.json()["wijkId"] == str(place.wijk_a.id)
    for body, name in (
        ({}, "wijkId"),
        ({"wijkId": str(place.wijk_a.id), "municipalityCode": "GM0106"}, "wijkId"),
        ({"wijkId": str(uuid.uuid4())}, "wijkId"),
        ({"municipalityCode": "0106"}, "municipalityCode"),
    ):
        refused = world.client.post(url, json=body, headers=admin)
        assert refused.status_code == 400 and refused.json()["invalidParams"][0]["name"] == name, body
    assert world.client.get(f"{API}/organisations/{uuid.uuid4()}/service-areas", headers=admin).status_code == 404
    assert world.client.get(f"{API}/organisations/{uuid.uuid4()}/service-areas/{area['id']}", headers=admin).status_code == 404
    assert world.client.delete(f"{url}/{area['id']}", headers=admin).status_code == 428
    assert world.client.delete(f"{url}/{area['id']}", headers={**admin, "If-Match": '"2"'}).status_code == 412
    assert world.client.delete(f"{url}/{area['id']}", headers={**admin, "If-Match": '"1"'}).status_code == 204
    assert world.client.get(f"{url}/{area['id']}", headers=admin).status_code == 404
    # the housing system reads the wijken it serves (here: the whole municipality)
    wijken = world.client.get(f"{API}/wijken", headers=world.headers(Role.housing_system)).json()["items"]
    assert {w["code"] for w in wijken} == {"WK010601", "WK010602"}


def test_a_signal_is_placed_by_its_address_in_a_wijk_the_corporation_serves(world: World, hoods: Neighbourhoods) -> None:
    response = submit(world, signal())
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert set(receipt) == RECEIPT_KEYS
    assert (receipt["wijkId"], receipt["source"], receipt["status"], receipt["externalReference"]) == (
        str(hoods.wijk_a.id),
        "woningcorporatie",
        "nieuw",
        "TA-1",
    )
    assert response.headers["Location"] == f"/api/v1/signals/{receipt['id']}" and response.headers["ETag"] == '"1"'
    # the koppel of wijk A works with it, with the corporation's full text and address
    full = world.client.get(response.headers["Location"], headers=world.headers(Role.wijkagent)).json()
    assert full["description"] == "Portiekverlichting al een week kapot."
    assert full["location"]["address"] == {"postcode": "9401AB", "houseNumber": 12, "houseNumberAddition": None}
    assert full["recordedBy"]["kind"] == "client"


def test_a_point_is_placed_by_the_boundary_and_a_municipality_serves_all_its_wijken(world: World, hoods: Neighbourhoods) -> None:
    outside = submit(world, signal("TA-2", location={"point": IN_B}))
    assert outside.status_code == 400 and outside.json()["invalidParams"][0]["name"] == "location.point"
    serve(world, municipalityCode="GM0106")
    inside = submit(world, signal("TA-2", location={"point": IN_B}))
    assert inside.status_code == 201 and inside.json()["wijkId"] == str(hoods.wijk_b.id)
    by_postcode = submit(world, signal("TA-3", location={"address": {"postcode": "9402AB", "houseNumber": 1}}))
    assert by_postcode.status_code == 201 and by_postcode.json()["wijkId"] == str(hoods.wijk_b.id)
    # an address in B with a point outside B's boundary is refused on the point
    away = {"address": {"postcode": "9402AB", "houseNumber": 1}, "point": {"latitude": 53.1, "longitude": 6.6}}
    refused = submit(world, signal("TA-4", location=away))
    assert refused.status_code == 400 and refused.json()["invalidParams"][0]["name"] == "location.point"


@pytest.mark.parametrize(
    ("fields", "name", "code"),
    [
        ({"location": {"address": {"postcode": "9999ZZ", "houseNumber": 1}}}, "location.address.postcode", "outside_service_area"),
        ({"location": {"address": {"postcode": "9402AB", "houseNumber": 1}}}, "location.address.postcode", "outside_service_area"),
        ({"location": {"point": {"latitude": 52.2, "longitude": 5.1}}}, "location.point", "outside_service_area"),
        ({"location": None}, "location", "required"),
        ({"source": "bewoner"}, "source", "source"),
        ({"category": "inbraak"}, "category", "enum"),
        ({"externalReference": None}, "externalReference", "required"),
    ],
)
def test_refused_intake_is_a_400_naming_the_field(
    world: World, hoods: Neighbourhoods, fields: dict[str, Any], name: str, code: str
) -> None:
    body = {k: v for k, v in {**signal(), **fields}.items() if v is not None}
    response = submit(world, body)
    assert response.status_code == 400, response.text
    assert (response.json()["invalidParams"][0]["name"], response.json()["invalidParams"][0]["code"]) == (name, code)
    assert stored(world) == 0


def test_a_wijk_the_corporation_does_not_serve_is_refused(world: World, hoods: Neighbourhoods) -> None:
    response = submit(world, signal(wijkId=str(hoods.wijk_b.id)))
    assert response.status_code == 400 and response.json()["invalidParams"][0]["name"] == "wijkId"
    assert submit(world, signal(wijkId=str(hoods.wijk_a.id))).status_code == 201


def test_a_signal_sent_again_is_never_stored_twice(world: World, hoods: Neighbourhoods) -> None:
    first = submit(world, signal(), key="first")
    assert first.status_code == 201
    # a replay under the same key: the first response, byte for byte
    replay = submit(world, signal(), key="first")
    assert replay.status_code == 201 and replay.content == first.content
    assert replay.headers["Idempotent-Replayed"] == "true"
    # the same reference under a new key (the corporation's system restarted): the stored signal, 200
    again = submit(world, signal(description="Opnieuw verstuurd"), key="second")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert again.headers["Location"] == first.headers["Location"]
    # the same key for another request is a 409
    assert submit(world, signal("TA-9"), key="first").status_code == 409
    assert stored(world) == 1
    # a staff member reusing a reference of their own organisation still gets a 409
    staff = {**signal("BVH-1"), "wijkId": str(hoods.wijk_a.id), "source": "bewoner"}
    assert submit(world, staff, role=Role.wijkagent).status_code == 201
    assert submit(world, staff, role=Role.wijkagent).status_code == 409


def test_systems_send_an_idempotency_key(world: World, hoods: Neighbourhoods) -> None:
    missing = world.client.post(f"{API}/signals", json=signal(), headers=world.headers(Role.housing_system))
    assert missing.status_code == 400 and missing.json()["invalidParams"][0]["name"] == "Idempotency-Key"
    assert stored(world) == 0


def test_staff_may_leave_the_wijk_to_the_location_too(world: World, hoods: Neighbourhoods) -> None:
    body = {**signal(None), "source": "bewoner"}
    placed = world.client.post(f"{API}/signals", json=body, headers=world.headers(Role.opbouwwerker))
    assert placed.status_code == 201 and placed.json()["wijkId"] == str(hoods.wijk_a.id)
    elsewhere = {**body, "location": {"address": {"postcode": "9402AB", "houseNumber": 1}}}
    refused = world.client.post(f"{API}/signals", json=elsewhere, headers=world.headers(Role.opbouwwerker))
    assert refused.status_code == 400 and refused.json()["invalidParams"][0]["name"] == "location.address.postcode"


def batch(world: World, items: list[dict[str, Any]], key: str | None = None):  # type: ignore[no-untyped-def]
    headers = {**world.headers(Role.housing_system), "Idempotency-Key": key or str(uuid.uuid4())}
    return world.client.post(f"{API}/signal-batches", json={"signals": items}, headers=headers)


def test_a_batch_stores_the_good_items_and_reports_the_bad_ones(world: World, hoods: Neighbourhoods) -> None:
    assert submit(world, signal("TA-OLD")).status_code == 201
    items = [
        signal("TA-10"),
        signal("TA-11", category="inbraak"),  # not a category: refused while reading
        signal("TA-12", location={"address": {"postcode": "9999ZZ", "houseNumber": 3}}),  # not served
        signal("TA-OLD"),  # sent before
        signal("TA-10"),  # twice in this batch
        signal("TA-13", description="Bel mij op 0612345678", urgency="laag"),
        signal(None),  # no reference
    ]
    response = batch(world, items, key="batch-1")
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["created"], result["existing"], result["rejected"]) == (2, 2, 3)
    outcomes = [(r["index"], r["outcome"]) for r in result["results"]]
    assert outcomes == [
        (0, "created"), (1, "rejected"), (2, "rejected"), (3, "existing"), (4, "existing"), (5, "created"), (6, "rejected"),
    ]
    problems = {r["index"]: r["problem"] for r in result["results"] if r["problem"]}
    assert problems[1]["status"] == 400 and problems[1]["invalidParams"][0]["name"] == "category"
    assert problems[2]["invalidParams"][0]["name"] == "location.address.postcode"
    assert problems[6]["invalidParams"][0]["name"] == "externalReference"
    first = result["results"][0]["signal"]
    assert result["results"][4]["signal"]["id"] == first["id"] and set(first) == RECEIPT_KEYS
    assert stored(world) == 3
    replay = batch(world, items, key="batch-1")
    assert replay.content == response.content and stored(world) == 3


@pytest.mark.parametrize("count", [0, 501])
def test_a_batch_holds_1_to_500_signals(world: World, hoods: Neighbourhoods, count: int) -> None:
    response = batch(world, [signal(f"TA-{n}", description="x") for n in range(count)])
    assert response.status_code == 400 and response.json()["invalidParams"][0]["name"] == "signals"


def test_a_batch_of_500(world: World, hoods: Neighbourhoods) -> None:
    response = batch(world, [signal(f"TA-{n}", description=f"Lekkage {n}") for n in range(500)])
    assert response.status_code == 200 and response.json()["created"] == 500
    assert stored(world) == 500


def feed(world: World, since: str | None = None, limit: int = 100, **headers: str):  # type: ignore[no-untyped-def]
    params: dict[str, Any] = {"limit": limit} | ({"since": since} if since else {})
    return world.client.get(f"{API}/feeds/signals", params=params, headers={**world.headers(Role.housing_system), **headers})


def test_the_status_feed_shows_the_progress_of_the_corporations_own_signals(world: World, hoods: Neighbourhoods) -> None:
    mine = submit(world, signal()).json()
    koppel = world.headers(Role.wijkagent)
    theirs = world.client.post(
        f"{API}/signals",
        json={**signal(None), "wijkId": str(hoods.wijk_a.id), "source": "bewoner"},
        headers=koppel,
    ).json()
    first = feed(world, limit=1)
    assert first.status_code == 200
    page = first.json()
    assert [(e["signalId"], e["change"], e["status"]) for e in page["items"]] == [(mine["id"], "created", "nieuw")]
    assert set(page["items"][0]["signal"]) == RECEIPT_KEYS and page["hasMore"] is False
    cursor = page["nextCursor"]
    tag = first.headers["ETag"]
    assert feed(world, limit=1, **{"If-None-Match": tag}).status_code == 304
    url = f"{API}/signals/{mine['id']}"
    assert world.client.post(f"{url}/status-changes", json={"to": "in_behandeling"}, headers={**koppel, "If-Match": '"1"'}).status_code == 200
    assert world.client.patch(url, json={"urgency": "normaal"}, headers={**koppel, "If-Match": '"2"'}).status_code == 200
    assert world.client.post(
        f"{API}/signals/{theirs['id']}/status-changes", json={"to": "in_behandeling"}, headers={**koppel, "If-Match": '"1"'}
    ).status_code == 200
    later = feed(world, cursor, limit=1)
    assert later.json()["hasMore"] is True and 'rel="next"' in later.headers["Link"]
    rest = feed(world, cursor).json()
    assert [(e["change"], e["status"], e["signalVersion"]) for e in rest["items"]] == [
        ("status_changed", "in_behandeling", 2),
        ("updated", "in_behandeling", 3),
    ]
    assert rest["items"][0]["signal"]["urgency"] == "normaal"  # the signal as it is now
    assert "description" not in rest["items"][0]["signal"]
    assert feed(world, rest["nextCursor"]).json()["items"] == []
    assert feed(world, limit=1, **{"If-None-Match": tag}).status_code == 200  # it changed since
    for since in ("garbage", encode_cursor("agenda-items", 1)):
        refused = feed(world, since)
        assert refused.status_code == 400 and refused.json()["invalidParams"][0]["name"] == "since"
