"""Schemathesis against the served OpenAPI document, in-process, authenticated as several roles.

Per operation, Hypothesis draws valid (positive) and invalid (negative) requests from the document;
each is sent as every fuzzing role and checked: no server error, only documented status codes and
content types, bodies matching the documented schemas, invalid data rejected. The example count is
bounded so the run fits in CI; set KOPPELWERK_FUZZ_EXAMPLES for a deeper run.

Object-level authorization, with two opbouwwerkers: A of koppel A (wijk A) and B of koppel B (wijk
B). A owns one object of every kind a path can name.

- Our own check (`b_never_reaches_a`): for every operation with path parameters, generated requests
  carrying A's ids are sent as B, and B must hear the scope rules of domain.scope: the object does
  not exist (404), or, where B's role may not call the operation at all, 403; refusals decided before
  any lookup (400, 428 …) are fine — never a 2xx, and never a 409 or 412 that would tell the object's
  state. A's own reads of the same paths answer 200, so the ids are the real ones. It covers writes.
- Schemathesis 4's built-in `object_level_authorization` check, configured as it is meant to be: a
  WFC auth document with A and B as `peers`, run by schemathesis's engine. It replays A's successful
  reads whose ids the engine collected from A's earlier answers as B, and fails when B gets the same
  object. It needs the engine (the per-operation strategies above have no resource pool, so it would
  compare nothing there), replays reads only, and compares only where its pool found an id, so it
  complements the check above rather than replacing it.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events as engine_events
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance
from schemathesis.wfc.escalation import escalating_provider

from api.app import create_app
from domain.identity import Role
from tests.factories import Neighbourhoods, World, build_neighbourhoods, today

EXAMPLES = int(os.environ.get("KOPPELWERK_FUZZ_EXAMPLES", "5"))
# Authentication is proven by the token and matrix tests; schemathesis's ignored-auth probe cannot
# tell our fixed bearer tokens from generated ones. Schema-valid data may still break a domain rule
# (an unknown organisation id, a wijk outside the municipality), which is a correct 400, so the
# "positive data accepted" check does not apply; negative data must still be rejected.
EXCLUDED_CHECKS = [ignored_auth, positive_data_acceptance]
FUZZ_ROLES = [Role.admin, Role.opbouwwerker, Role.agency_worker, Role.police_system]
DOCUMENT = orjson.loads((Path(__file__).resolve().parents[2] / "openapi" / "openapi.json").read_bytes())
OPERATIONS = sorted(
    (method.upper(), path) for path, item in DOCUMENT["paths"].items() for method in item if method != "parameters"
)


def _for_httpx(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Schemathesis speaks requests' dialect; httpx wants raw bodies as `content`, no per-request cookies."""
    sent = dict(kwargs)
    if not sent.get("cookies"):
        sent.pop("cookies", None)
    if isinstance(sent.get("data"), bytes | str):
        sent["content"] = sent.pop("data")
    return sent


@pytest.fixture(scope="session")
def api_schema(app: FastAPI, session_client: TestClient) -> Any:
    return schemathesis.openapi.from_dict(app.openapi())


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_generated_requests_are_answered_as_documented(
    world: World, api_schema: Any, method: str, path: str
) -> None:
    build_neighbourhoods(world)
    operation = api_schema[path][method]
    headers = {role: world.headers(role) for role in FUZZ_ROLES}
    strategy = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        for role in FUZZ_ROLES:
            kwargs = case.as_transport_kwargs(base_url="http://testserver/api/v1", headers=headers[role])
            response = world.client.request(**_for_httpx(kwargs))
            case.validate_response(response, transport_kwargs=kwargs, excluded_checks=EXCLUDED_CHECKS)

    check()


# --- object-level authorization: koppel member B against koppel A's objects ---------------------

PATH_OPERATIONS = [
    (method, path)
    for method, path in OPERATIONS
    if "{" in path and DOCUMENT["paths"][path][method.lower()]["x-roles"]  # public presence is public
]
# What B may hear about an object of A's: nothing (404); 403 where B's role may not call the operation
# at all, which says nothing about the object; and refusals decided before any object is looked up.
BEFORE_ANY_LOOKUP = {400, 413, 415, 428}


def objects_of_koppel_a(world: World, hoods: Neighbourhoods) -> dict[str, str]:
    """One object of every kind a path names, of koppel A in wijk A, made by A's opbouwwerker (and the
    admin for what only an admin makes): path parameter name → id."""
    client, a, admin = world.client, world.headers(Role.opbouwwerker), world.headers(Role.admin)
    wijk, koppel = str(hoods.wijk_a.id), str(hoods.koppel_a.id)

    def made(url: str, body: dict[str, Any], headers: dict[str, str] = a) -> dict[str, Any]:
        response = client.post(f"/api/v1{url}", json=body, headers=headers)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    agency = str(world.organisations["instantie"].id)
    resident = made("/residents", {"wijkId": wijk, "givenName": "Fatima", "familyName": "El Khatib"})
    note = made(f"/residents/{resident['id']}/notes", {"text": "Zorgen om de huur", "category": "contact", "visibility": "koppel"})
    consent = made(f"/residents/{resident['id']}/consents", {
        "organisationId": agency, "scope": ["identity"], "purpose": "aanmelding", "givenHow": "spoken",
    })
    signal = made("/signals", {"wijkId": wijk, "source": "bewoner", "category": "burenruzie", "description": "Ruzie"})
    intervention = made("/interventions", {"wijkId": wijk, "koppelId": koppel, "kind": "overlastaanpak", "title": "Hangplek"})
    moment = made("/contact-moments", {
        "wijkId": wijk, "koppelId": koppel, "kind": "straatgesprek", "occurredAt": "2026-01-05T10:00:00+01:00",
        "summary": "Praatje bij de speeltuin",
    })
    need = made("/needs", {
        "wijkId": wijk, "koppelId": koppel, "residentId": resident["id"], "category": "schulden", "description": "Post",
    })
    offer = made("/offers", {
        "providerOrganisationId": agency, "title": "Schuldhulpmaatje", "description": "Hulp bij post",
        "categories": ["schulden"], "wijkIds": [wijk], "contactRoute": "Via de opbouwwerker", "capacity": 3,
    })
    referral = made("/referrals", {"needId": need["id"], "offerId": offer["id"]})
    item = made("/agenda-items", {
        "wijkId": wijk, "title": "Verlichting", "description": "Donker pad", "theme": "veiligheid",
        "addressee": {"kind": "gemeente"},
    })
    goal = made(f"/wijken/{wijk}/goals", {
        "year": today().year, "title": "Minder overlast", "indicator": "Meldingen", "target": {"value": 20, "unit": "meldingen"},
    })
    review = made(f"/wijken/{wijk}/goals/{goal['id']}/reviews", {"year": today().year, "quarter": 1, "value": 31})
    presence = made(f"/koppels/{koppel}/presence", {
        "kind": "weekly", "weekday": "tuesday", "startTime": "10:00", "endTime": "12:00", "place": "Buurthuis",
    })
    assignments = client.get(f"/api/v1/koppels/{koppel}/wijken", headers=a).json()["items"]
    area = made(f"/organisations/{world.organisations['woningcorporatie'].id}/service-areas", {"wijkId": wijk}, admin)
    return {
        "agendaItemId": item["id"], "assignmentId": assignments[0]["id"], "clientId": str(world.principals[Role.housing_system].id),
        "consentId": consent["id"], "contactMomentId": moment["id"], "goalId": goal["id"],
        "interventionId": intervention["id"], "koppelId": koppel,
        "membershipId": str(hoods.koppel_a.memberships[Role.opbouwwerker]), "needId": need["id"], "noteId": note["id"],
        "offerId": offer["id"], "organisationId": str(world.organisations["woningcorporatie"].id),
        "presenceId": presence["id"], "referralId": referral["id"], "residentId": resident["id"], "reviewId": review["id"],
        "serviceAreaId": area["id"], "signalId": signal["id"], "userId": str(world.principals[Role.opbouwwerker].id),
        "wijkId": wijk,
    }


def b_never_reaches_a(ctx: Any, response: Any, case: Any) -> None:
    """A custom schemathesis check for requests B sent with A's ids: the object does not exist for B."""
    del ctx
    operation = DOCUMENT["paths"][case.operation.path][case.method.lower()]
    may_call = Role.opbouwwerker.value in operation["x-roles"]
    allowed = BEFORE_ANY_LOOKUP | ({404} if may_call else {403})
    if response.status_code not in allowed:
        raise AssertionError(
            f"koppel member B got {response.status_code} for koppel A's object at {case.method} {case.formatted_path}"
            f" (expected one of {sorted(allowed)}): {response.text[:300]}"
        )


def send_as_b(world: World, operation: Any, ids: dict[str, str], b: dict[str, str]) -> Counter[int]:
    """Generated requests for `operation` with A's ids in the path, sent as B and checked; B's statuses."""
    names = set(re.findall(r"{(\w+)}", operation.path))
    seen: Counter[int] = Counter()

    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    def check(case: Any) -> None:
        case.path_parameters = {name: ids[name] for name in names}
        kwargs = case.as_transport_kwargs(base_url="http://testserver/api/v1", headers=b)
        response = world.client.request(**_for_httpx(kwargs))
        case.validate_response(response, checks=[b_never_reaches_a], transport_kwargs=kwargs)
        seen[response.status_code] += 1

    check()
    return seen


def test_a_koppel_member_never_reaches_another_wijks_objects(world: World, api_schema: Any) -> None:
    hoods = build_neighbourhoods(world)
    ids = objects_of_koppel_a(world, hoods)
    a = world.headers(Role.opbouwwerker)
    b = world.headers_for(hoods.koppel_b.members[Role.opbouwwerker])
    statuses: dict[str, Counter[int]] = {}
    for method, path in PATH_OPERATIONS:
        statuses[f"{method} {path}"] = send_as_b(world, api_schema[path][method], ids, b)
        if method == "GET" and Role.opbouwwerker.value in DOCUMENT["paths"][path]["get"]["x-roles"]:
            url = "/api/v1" + path.format(**ids)
            assert world.client.get(url, headers=a).status_code == 200, f"A cannot read its own {url}"
    # Every operation got at least one request as far as the object (not all refused on their body).
    unexercised = [op for op, seen in statuses.items() if not set(seen) - BEFORE_ANY_LOOKUP]
    assert unexercised == [], unexercised


def test_schemathesis_object_level_authorization_between_two_wijken(
    world: World, app: FastAPI, tmp_path: Path
) -> None:
    """Schemathesis's own `object_level_authorization` check, in its engine, with the two opbouwwerkers
    as WFC peers: A's successful reads, whose ids the engine collected from A's earlier answers, are
    replayed as B and must not give B the same object. The engine only ever replays reads, so the run
    is limited to GET operations (fuzzing phase, KOPPELWERK_FUZZ_EXAMPLES per operation)."""
    hoods = build_neighbourhoods(world)
    objects_of_koppel_a(world, hoods)
    peers = {
        "koppel-a": world.token(world.principals[Role.opbouwwerker]),
        "koppel-b": world.token(hoods.koppel_b.members[Role.opbouwwerker]),
    }
    document = tmp_path / "wfc-auth.json"
    document.write_bytes(orjson.dumps({
        "auth": [
            {"name": name, "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {token}"}]}
            for name, token in peers.items()
        ]
    }))
    config = SchemathesisConfig.from_dict({
        "seed": 20260601,
        "cache": {"enabled": False},
        "auth": {"wfc": {"path": str(document), "peers": list(peers)}},
        "checks": {"enabled": False, "object_level_authorization": {"enabled": True}},
        "phases": {"examples": {"enabled": False}, "coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "generation": {"max-examples": EXAMPLES, "deterministic": True, "database": "none"},
    })
    # The engine runs the app's lifespan on its own event loop, which replaces the app's database
    # engine: it gets an app of its own (on the same database), stopped again when the run is over.
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(app.state.settings), config=config)
    failures, errors = [], []
    try:
        for event in schemathesis.engine.from_schema(schema.include(method="GET")).execute():
            if isinstance(event, engine_events.NonFatalError | engine_events.FatalError):
                errors.append(event)
            if isinstance(event, engine_events.ScenarioFinished):
                failures += [c.failure_info for checks in event.recorder.checks.values() for c in checks if c.failure_info]
    finally:
        shutdown_lifespans()
    assert errors == [], errors
    assert failures == [], "\n\n".join(f"{f.failure.title}: {f.failure.message}\n{f.code_sample}" for f in failures)
    provider = escalating_provider(schema)
    assert provider is not None
    compared = {operation for kind, operation, *_ in provider._probed if kind == "read"}
    # The check compared B's answers with A's for many reads (it cannot fail where it never compared).
    assert len(compared) >= 10, sorted(compared)
