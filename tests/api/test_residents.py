"""Residents over HTTP: registration, reading, correction and search by the koppel of the wijk;
validation; and nothing for anyone else. Every personal-data answer is checked for its audit events."""

from __future__ import annotations

import logging
import re

import pytest

from domain.identity import Role
from tests.factories import Neighbourhoods, World, build_neighbourhoods
from tests.resident_support import API, AuditedApi, audit_events, create_resident, resident_body


@pytest.fixture
def hoods(world: World) -> Neighbourhoods:
    return build_neighbourhoods(world)


@pytest.fixture
def api(world: World) -> AuditedApi:
    return AuditedApi(world)


def test_the_koppel_of_the_wijk_registers_reads_and_corrects_a_resident(
    world: World, hoods: Neighbourhoods, api: AuditedApi
) -> None:
    opbouw = world.headers(Role.opbouwwerker)
    response = api.post(f"{API}/residents", opbouw, json=resident_body(hoods.wijk_a.id))
    assert response.status_code == 201, response.text
    resident = response.json()
    assert response.headers["Location"] == f"{API}/residents/{resident['id']}"
    assert response.headers["ETag"] == '"1"'
    assert resident["address"] == {
        "postcode": "9402ZX", "huisnummer": 17, "toevoeging": "B", "nummeraanduidingId": None
    }
    assert resident["languages"] == ["ar", "nl"] and resident["isKeyFigure"] is True
    [created] = audit_events(world, request_id=response.headers["X-Request-ID"])
    assert created.action == "create" and created.actor_id == world.principals[Role.opbouwwerker].id
    assert created.actor_role is Role.opbouwwerker
    assert created.actor_organisation_id == world.organisations["welzijn"].id
    assert "phone" in created.fields and "familyName" in created.fields

    url = f"{API}/residents/{resident['id']}"
    for role in (Role.wijkagent, Role.wijkbeheerder):
        read = api.get(url, world.headers(role))
        assert read.status_code == 200 and read.json() == resident
        assert read.headers["ETag"] == '"1"'
        [event] = audit_events(world, request_id=read.headers["X-Request-ID"])
        assert event.action == "read" and event.actor_role is role

    agent = world.headers(Role.wijkagent)
    assert api.patch(url, agent, json={"phone": "0612345678"}).status_code == 428
    changed = api.patch(url, {**agent, "If-Match": '"1"'}, json={"phone": "+31 6 1111 2222", "familyName": None})
    assert changed.status_code == 200, changed.text
    assert changed.json()["phone"] == "+31 6 1111 2222" and changed.json()["familyName"] is None
    assert changed.headers["ETag"] == '"2"'
    [update] = audit_events(world, request_id=changed.headers["X-Request-ID"])
    assert update.action == "update" and update.fields == ("familyName", "phone")
    stale = api.patch(url, {**agent, "If-Match": '"1"'}, json={"phone": "0612345678"})
    assert stale.status_code == 412
    # a name is required: removing the last one is refused
    refused = api.patch(url, {**agent, "If-Match": '"2"'}, json={"givenName": None})
    assert refused.status_code == 400 and refused.json()["invalidParams"][0]["name"] == "givenName"


def test_search_by_name_postcode_and_huisnummer_within_your_wijken(
    world: World, hoods: Neighbourhoods, api: AuditedApi
) -> None:
    opbouw = world.headers(Role.opbouwwerker)
    fatima = create_resident(api, opbouw, hoods.wijk_a.id)
    jan = create_resident(
        api, opbouw, hoods.wijk_a.id, givenName="Jan", familyName="de Vries",
        address={"postcode": "9402ZX", "huisnummer": 19},
    )
    koppel_b = world.headers_for(hoods.koppel_b.members[Role.opbouwwerker])
    elsewhere = create_resident(api, koppel_b, hoods.wijk_b.id, givenName="Jan", familyName="Pittelo")

    def search(headers: dict[str, str], **params: object) -> list[str]:
        response = api.get(f"{API}/residents", headers, params=params)
        assert response.status_code == 200, response.text
        return [r["id"] for r in response.json()["items"]]

    assert search(opbouw) == [fatima["id"], jan["id"]]
    assert search(opbouw, q="jan") == [jan["id"]]
    assert search(opbouw, q="umit khatib") == [fatima["id"]]  # accents, case and word order ignored
    assert search(opbouw, q="%") == []  # wildcards are plain text
    assert search(opbouw, postcode="9402 zx") == [fatima["id"], jan["id"]]
    assert search(opbouw, postcode="9402ZX", huisnummer=19) == [jan["id"]]
    assert search(koppel_b, q="jan") == [elsewhere["id"]]
    assert search(opbouw, wijkId=str(hoods.wijk_b.id)) == []
    summary = api.get(f"{API}/residents", opbouw, params={"q": "jan"}).json()["items"][0]
    assert "phone" not in summary and "email" not in summary  # a search result is a summary
    hits = audit_events(world, action="search_hit", resident_id=fatima["id"])
    assert len(hits) == 3  # the three searches above that returned her
    assert api.get(f"{API}/residents", opbouw, params={"postcode": "0402ZX"}).status_code == 400
    assert api.get(f"{API}/residents", opbouw, params={"q": "jan\x00"}).status_code == 400

    # pages: the cursor carries no names
    first = api.get(f"{API}/residents", opbouw, params={"limit": 1})
    assert first.json()["items"][0]["id"] == fatima["id"]
    cursor = first.json()["nextCursor"]
    assert "Fatima" not in first.headers["Link"] and cursor
    second = api.get(f"{API}/residents", opbouw, params={"limit": 1, "cursor": cursor})
    assert [r["id"] for r in second.json()["items"]] == [jan["id"]]


def test_the_privacy_officer_finds_a_resident_by_exact_address_only(
    world: World, hoods: Neighbourhoods, api: AuditedApi
) -> None:
    opbouw = world.headers(Role.opbouwwerker)
    fatima = create_resident(api, opbouw, hoods.wijk_a.id)
    koppel_b = world.headers_for(hoods.koppel_b.members[Role.opbouwwerker])
    pittelo = create_resident(api, koppel_b, hoods.wijk_b.id, address={"postcode": "9403AA", "huisnummer": 2})
    privacy = world.headers(Role.privacy_officer)
    for params in ({}, {"q": "fatima"}, {"postcode": "9402ZX"}, {"huisnummer": 17}):
        refused = api.get(f"{API}/residents", privacy, params=params)
        assert refused.status_code == 400, params
    found = api.get(f"{API}/residents", privacy, params={"postcode": "9402ZX", "huisnummer": 17})
    assert [r["id"] for r in found.json()["items"]] == [fatima["id"]]
    found = api.get(f"{API}/residents", privacy, params={"postcode": "9403AA", "huisnummer": 2})
    assert [r["id"] for r in found.json()["items"]] == [pittelo["id"]]  # every wijk
    assert api.get(f"{API}/residents/{fatima['id']}", privacy).status_code == 403


@pytest.mark.parametrize(
    ("fields", "param", "code"),
    [
        ({"address": {"postcode": "0123AB", "huisnummer": 1}}, "address.postcode", "pattern"),
        ({"address": {"postcode": "1234SA", "huisnummer": 1}}, "address.postcode", "pattern"),
        ({"address": {"postcode": "1234 ss", "huisnummer": 1}}, "address.postcode", "pattern"),
        ({"address": {"postcode": "1234AB", "huisnummer": 0}}, "address.huisnummer", "greater_than_equal"),
        ({"address": {"postcode": "1234AB", "huisnummer": 100000}}, "address.huisnummer", "less_than_equal"),
        (
            {"address": {"postcode": "1234AB", "huisnummer": 1, "nummeraanduidingId": "0106010000012345"}},
            "address.nummeraanduidingId",
            "pattern",
        ),
        ({"address": {"postcode": "1234AB", "huisnummer": 1, "toevoeging": "a b"}}, "address.toevoeging", "pattern"),
        ({"languages": ["nl", "xx"]}, "languages", "unknown_language"),
        ({"birthYear": 2100}, "birthYear", "range"),
        ({"phone": "12"}, "phone", "string_too_short"),
        ({"phone": "call me maybe"}, "phone", "pattern"),
        ({"email": "not-an-address"}, "email", "pattern"),
        ({"givenName": None, "familyName": None}, "givenName", "required"),
        ({"bsn": "123456782"}, "bsn", "extra_forbidden"),
        ({"givenName": "Fa\u0000tima"}, "givenName", "control_characters"),  # PostgreSQL refuses NUL
        ({"email": "f\u0007@voorbeeld.nl"}, "email", "control_characters"),
    ],
)
def test_invalid_residents_are_refused_naming_the_field(
    world: World, hoods: Neighbourhoods, api: AuditedApi, fields: dict[str, object], param: str, code: str
) -> None:
    response = api.post(f"{API}/residents", world.headers(Role.opbouwwerker), json=resident_body(hoods.wijk_a.id, **fields))
    assert response.status_code == 400, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert {"name": param, "code": code} in [{"name": p["name"], "code": p["code"]} for p in response.json()["invalidParams"]]
    assert audit_events(world) == []


def test_a_resident_is_registered_only_in_your_own_wijken(world: World, hoods: Neighbourhoods, api: AuditedApi) -> None:
    opbouw = world.headers(Role.opbouwwerker)
    for wijk_id in (hoods.wijk_b.id, "00000000-0000-4000-8000-000000000000"):
        response = api.post(f"{API}/residents", opbouw, json=resident_body(wijk_id))
        assert response.status_code == 400
        assert response.json()["invalidParams"][0] == {
            "name": "wijkId", "code": "unknown_reference", "reason": "no such wijk in your scope"
        }
    resident = create_resident(api, opbouw, hoods.wijk_a.id)
    moved = api.patch(
        f"{API}/residents/{resident['id']}", {**opbouw, "If-Match": '"1"'}, json={"wijkId": str(hoods.wijk_b.id)}
    )
    assert moved.status_code == 400 and moved.json()["invalidParams"][0]["name"] == "wijkId"


def test_a_valid_bag_id_and_a_move_within_your_wijken(world: World, hoods: Neighbourhoods, api: AuditedApi) -> None:
    from domain.identity import Principal
    from tests.factories import make_koppel

    # a koppel member working two wijken moves a resident from one to the other
    agent: Principal = world.add_user(Role.wijkagent, username="agent.twee")
    opbouw: Principal = world.add_user(Role.opbouwwerker, username="opbouw.twee")
    make_koppel(world, "Koppel Twee", {Role.wijkagent: agent, Role.opbouwwerker: opbouw}, [hoods.wijk_a.id, hoods.wijk_b.id])
    headers = world.headers_for(opbouw)
    resident = create_resident(
        api, headers, hoods.wijk_a.id,
        address={"postcode": "9402ZX", "huisnummer": 17, "nummeraanduidingId": "0106200000012345"},
    )
    assert resident["address"]["nummeraanduidingId"] == "0106200000012345"
    moved = api.patch(
        f"{API}/residents/{resident['id']}", {**headers, "If-Match": '"1"'}, json={"wijkId": str(hoods.wijk_b.id)}
    )
    assert moved.status_code == 200 and moved.json()["wijkId"] == str(hoods.wijk_b.id)
    # koppel A works only wijk A: the resident has left its scope
    assert api.get(f"{API}/residents/{resident['id']}", world.headers(Role.opbouwwerker)).status_code == 404
    assert api.get(f"{API}/residents/{resident['id']}", world.headers_for(hoods.koppel_b.members[Role.wijkagent])).status_code == 200


# What logging itself stamps on a record — clock readings, thread and process ids, line numbers — is a
# number that can hold a house number's digits by chance (relativeCreated 343217.8 holds "4321").
_STAMPED_BY_LOGGING = frozenset(
    {"created", "msecs", "relativeCreated", "thread", "process", "lineno", "levelno", "taskName"}
)


def _told(record: logging.LogRecord) -> dict[str, object]:
    """Everything a record carries except logging's own stamps."""
    return {name: value for name, value in vars(record).items() if name not in _STAMPED_BY_LOGGING}


def test_personal_values_never_reach_the_logs(
    world: World, hoods: Neighbourhoods, api: AuditedApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    opbouw = world.headers(Role.opbouwwerker)
    resident = create_resident(api, opbouw, hoods.wijk_a.id)
    api.get(f"{API}/residents", opbouw, params={"q": "Fatima", "postcode": "9402ZX"})
    api.post(f"{API}/residents", opbouw, json=resident_body(hoods.wijk_a.id, email="kapot@"))
    api.get(f"{API}/residents/{resident['id']}", opbouw)
    # httpx is the test's own client; everything else is the service (and its database drivers)
    logged = "\n".join(
        f"{r.getMessage()} {_told(r)}" for r in caplog.records if not r.name.startswith("httpx")
    )
    # request ids and uuids are random hex: a short value like a house number can occur in one by chance
    logged = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}", "<id>", logged)
    assert "request" in logged  # the access log did run
    for value in ("Fatima", "Khatib", "9402", "4321", "voorbeeld.nl", "kapot@"):
        assert value not in logged, value
