"""The Open311 GeoReport v2 adapter: an Open311 client's flow (services → create → get) with the same
client credentials and intake rules, the spec's error format, its own requests only, and a short fuzz
run (these routes are outside the /api/v1 document that tests/api/test_fuzz.py walks)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from domain.identity import Role
from persistence.tables_casework import SignalRow
from tests.api.test_housing_intake import admin_patch_wijk, serve
from tests.factories import Neighbourhoods, World, build_neighbourhoods

O311 = "/open311/v2"
SIGNAL = SignalRow.__table__
REQUEST_KEYS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
}


@pytest.fixture
def hoods(world: World) -> Neighbourhoods:
    place = build_neighbourhoods(world)
    admin_patch_wijk(world, place.wijk_a.id, postcodeRanges=[{"fromPostcode": "9401", "toPostcode": "9401"}])
    serve(world, wijkId=str(place.wijk_a.id))
    return place


def token(world: World) -> str:
    response = world.client.post(
        "/api/v1/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": world.client_ids[Role.housing_system],
            "client_secret": world.client_secrets[Role.housing_system],
        },
    )
    assert response.status_code == 200
    return str(response.json()["access_token"])


def report(**fields: str) -> dict[str, str]:
    return {
        "service_code": "vocht_schimmel",
        "address_string": "Oosterstraat 12A, 9401 AB Assen",
        "description": "Schimmel in de badkamer",
        **fields,
    }


def stored(world: World) -> int:
    async def work(uow):  # type: ignore[no-untyped-def]
        return (await uow.session.execute(select(func.count()).select_from(SIGNAL))).scalar_one()

    return world.run(work)


def test_an_open311_client_flow_services_create_get(world: World, hoods: Neighbourhoods) -> None:
    services = world.client.get(f"{O311}/services.json")  # public, as the spec has it
    assert services.status_code == 200 and services.headers["content-type"] == "application/json"
    codes = {s["service_code"]: s for s in services.json()}
    assert codes["vocht_schimmel"]["metadata"] is False and codes["vocht_schimmel"]["type"] == "realtime"
    assert {"onderhoud", "geluidsoverlast", "overig"} <= set(codes)

    # form-encoded, with the access token as the spec's api_key
    created = world.client.post(f"{O311}/requests.json", data={**report(), "api_key": token(world), "email": "huurder@example.nl"})
    assert created.status_code == 201, created.text
    [answer] = created.json()
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    request_id = answer["service_request_id"]
    assert created.headers["Location"] == f"{O311}/requests/{request_id}.json"

    bearer = {"Authorization": f"Bearer {token(world)}"}
    fetched = world.client.get(f"{O311}/requests/{request_id}.json", headers=bearer)
    assert fetched.status_code == 200
    [request] = fetched.json()
    assert set(request) == REQUEST_KEYS
    assert (request["status"], request["status_notes"], request["service_code"], request["service_name"]) == (
        "open",
        "nieuw",
        "vocht_schimmel",
        "Vocht en schimmel",
    )
    assert request["description"] is None and request["address"] is None  # the receipt's privacy
    # it is an ordinary signal for the koppel of the wijk, placed by the address, the email not stored
    signal = world.client.get(f"/api/v1/signals/{request_id}", headers=world.headers(Role.wijkagent))
    assert signal.status_code == 200
    assert signal.json()["wijkId"] == str(hoods.wijk_a.id) and signal.json()["source"] == "woningcorporatie"
    assert signal.json()["location"]["address"] == {"postcode": "9401AB", "houseNumber": 12, "houseNumberAddition": "A"}
    assert "huurder@example.nl" not in signal.text
    # the koppel closes it: Open311 calls that closed
    moved = world.client.post(
        f"/api/v1/signals/{request_id}/status-changes",
        json={"to": "afgewezen", "reason": "Geen zaak voor de koppel"},
        headers={**world.headers(Role.wijkagent), "If-Match": '"1"'},
    )
    assert moved.status_code == 200
    closed = world.client.get(f"{O311}/requests/{request_id}.json", params={"api_key": token(world)}).json()[0]
    assert (closed["status"], closed["status_notes"]) == ("closed", "afgewezen")


def test_the_same_report_is_stored_once(world: World, hoods: Neighbourhoods) -> None:
    first = world.client.post(f"{O311}/requests.json", data={**report(), "api_key": token(world)})
    again = world.client.post(f"{O311}/requests.json", data={**report(), "api_key": token(world)})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    # its own reference, when the client sends one, recognises a report sent again too; JSON works as well
    bearer = {"Authorization": f"Bearer {token(world)}"}
    with_reference = report(description="Lekkage", **{"attribute[reference]": "FMS-77"})
    one = world.client.post(f"{O311}/requests.json", json=with_reference, headers=bearer)
    two = world.client.post(f"{O311}/requests.json", json={**with_reference, "description": "Lekkage (opnieuw)"}, headers=bearer)
    assert (one.status_code, two.status_code) == (201, 200) and one.json() == two.json()
    signal = world.client.get(f"/api/v1/signals/{one.json()[0]['service_request_id']}", headers=world.headers(Role.wijkagent))
    assert signal.json()["externalReference"] == "FMS-77"
    assert stored(world) == 2


def test_an_idempotency_key_is_honoured_across_tokens(world: World, hoods: Neighbourhoods) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = world.client.post(f"{O311}/requests.json", data={**report(), "api_key": token(world)}, headers=key)
    # a retry after logging in again: another api_key, the same request
    again = world.client.post(f"{O311}/requests.json", data={**report(), "api_key": token(world)}, headers=key)
    assert first.status_code == 201 and again.status_code == 201 and again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    other = world.client.post(f"{O311}/requests.json", data={**report(description="Anders"), "api_key": token(world)}, headers=key)
    assert other.status_code == 409 and other.json()[0]["code"] == 409


@pytest.mark.parametrize(
    ("fields", "names"),
    [
        ({"service_code": "inbraak"}, "service_code"),
        ({"address_string": "Dorpsstraat 3, 9999 ZZ Ergens"}, "address_string"),
        ({"address_string": "Oosterstraat, Assen"}, "address_string"),
        ({"address_string": "", "lat": "52.2", "long": "5.1"}, "lat/long"),
        ({"address_string": "", "lat": "noord", "long": "5.1"}, "lat"),
        ({"address_string": "", "lat": "52.2"}, "lat/long"),
        ({"address_string": ""}, "address_string"),
        ({"description": " "}, "description"),
        ({"priority": "hoog"}, "priority"),
    ],
)
def test_refusals_are_open311_errors_naming_the_parameter(
    world: World, hoods: Neighbourhoods, fields: dict[str, str], names: str
) -> None:
    body = {k: v for k, v in {**report(), **fields}.items() if v != ""}
    response = world.client.post(f"{O311}/requests.json", data={**body, "api_key": token(world)})
    assert response.status_code == 400, response.text
    errors = response.json()
    assert isinstance(errors, list) and errors[0]["code"] == 400
    assert errors[0]["description"].startswith(f"{names}: "), errors
    assert stored(world) == 0


def test_only_the_corporations_system_with_a_valid_token_gets_in(world: World, hoods: Neighbourhoods) -> None:
    missing = world.client.post(f"{O311}/requests.json", data=report())
    assert missing.status_code == 401 and missing.json()[0]["code"] == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert world.client.post(f"{O311}/requests.json", data={**report(), "api_key": "not-a-token"}).status_code == 401
    police = world.client.post(f"{O311}/requests.json", data=report(), headers=world.headers(Role.police_system))
    assert police.status_code == 403 and police.json()[0]["code"] == 403
    assert world.client.get(f"{O311}/requests.json", headers=world.headers(Role.wijkagent)).status_code == 403
    assert stored(world) == 0


def test_reading_back_shows_only_the_organisations_own_requests(world: World, hoods: Neighbourhoods) -> None:
    api_key = token(world)
    mine = [
        world.client.post(f"{O311}/requests.json", data={**report(description=f"Melding {n}", service_code=code), "api_key": api_key})
        .json()[0]["service_request_id"]
        for n, code in enumerate(["onderhoud", "vocht_schimmel", "onderhoud"])
    ]
    theirs = world.client.post(
        "/api/v1/signals",
        json={"wijkId": str(hoods.wijk_a.id), "source": "bewoner", "category": "onderhoud", "description": "Van de koppel"},
        headers=world.headers(Role.wijkagent),
    ).json()["id"]
    world.client.post(
        f"/api/v1/signals/{mine[0]}/status-changes",
        json={"to": "afgewezen", "reason": "Dubbel"},
        headers={**world.headers(Role.wijkagent), "If-Match": '"1"'},
    )

    def listed(**params: str) -> list[str]:
        response = world.client.get(f"{O311}/requests.json", params={**params, "api_key": api_key})
        assert response.status_code == 200, response.text
        return [r["service_request_id"] for r in response.json()]

    assert set(listed()) == set(mine) and theirs not in listed()
    assert set(listed(service_code="onderhoud")) == {mine[0], mine[2]}
    assert listed(status="closed") == [mine[0]]
    assert set(listed(status="open")) == {mine[1], mine[2]}
    assert listed(service_request_id=f"{mine[1]},{theirs}") == [mine[1]]
    assert listed(start_date="2000-01-01T00:00:00Z", end_date="2000-12-31T00:00:00Z") == []
    for params in ({"start_date": "gisteren"}, {"status": "pending"}, {"service_request_id": "abc"}, {"service_code": "x"}):
        refused = world.client.get(f"{O311}/requests.json", params={**params, "api_key": api_key})
        assert refused.status_code == 400 and refused.json()[0]["code"] == 400, params
    other = world.client.get(f"{O311}/requests/{theirs}.json", params={"api_key": api_key})
    assert other.status_code == 404 and other.json()[0]["code"] == 404
    assert world.client.get(f"{O311}/requests/not-an-id.json", params={"api_key": api_key}).status_code == 400


PARAMETERS = st.sampled_from(
    ["service_code", "lat", "long", "address_string", "description", "attribute[reference]", "email", "api_key",
     "jurisdiction_id", "media_url", "status", "start_date", "service_request_id", "unknown"]
)
VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["onderhoud", "52.99", "6.58", "9401AB 12", "1e309", "nan", "-0", "2026-01-01T00:00:00Z", ""]),
)


def test_generated_open311_requests_never_fail_the_server(world: World, hoods: Neighbourhoods) -> None:
    bearer = {"Authorization": f"Bearer {token(world)}"}

    @given(params=st.dictionaries(PARAMETERS, VALUES, max_size=8), as_json=st.booleans(), read=st.booleans())
    @settings(max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    def check(params: dict[str, Any], as_json: bool, read: bool) -> None:
        if read:
            response = world.client.get(f"{O311}/requests.json", params=params, headers=bearer)
        elif as_json:
            response = world.client.post(f"{O311}/requests.json", json=params, headers=bearer)
        else:
            response = world.client.post(f"{O311}/requests.json", data=params, headers=bearer)
        assert response.status_code in {200, 201, 400, 401}, (params, response.status_code, response.text)
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert isinstance(body, list)
        if response.status_code >= 400:
            assert all(set(e) == {"code", "description"} and e["code"] == response.status_code for e in body)

    check()
