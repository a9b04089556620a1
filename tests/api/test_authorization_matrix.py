"""Every route × every role, from the app itself, against one declared expectation table.

The table below is deliberately a second copy of who may call what: a route added without a row,
or a role requirement changed in code but not here, fails the build.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import FastAPI

from api.authz import PUBLIC, MountedRoute, mounted_routes, route_roles
from api.open311 import PREFIX as OPEN311_PREFIX
from api.openapi import API_PREFIX
from domain.identity import Role
from tests.factories import World

A = Role.admin
OPB, AGT, BEH = Role.opbouwwerker, Role.wijkagent, Role.wijkbeheerder
AGENCY, GEM = Role.agency_worker, Role.gemeente
POLICE, HOUSING = Role.police_system, Role.housing_system
PRIV = Role.privacy_officer
KOPPEL = frozenset({OPB, AGT, BEH})

EXPECTED: dict[str, Any] = {
    # health and the token endpoint are public, deliberately and only these
    "getLiveness": PUBLIC,
    "getReadiness": PUBLIC,
    "createToken": PUBLIC,
    # identity administration
    "listOrganisations": {A},
    "createOrganisation": {A},
    "getOrganisation": {A},
    "updateOrganisation": {A},
    "deactivateOrganisation": {A},
    "listServiceAreas": {A},
    "createServiceArea": {A},
    "getServiceArea": {A},
    "deleteServiceArea": {A},
    "listUsers": {A},
    "createUser": {A},
    "getUser": {A},
    "updateUser": {A},
    "deactivateUser": {A},
    "listClients": {A},
    "createClient": {A},
    "getClient": {A},
    "updateClient": {A},
    "rotateClientSecret": {A},
    "deactivateClient": {A},
    # wijken: every role reads its own scope (systems: an empty one); the admin manages
    "listWijken": {A, *KOPPEL, AGENCY, GEM, PRIV, POLICE, HOUSING},
    "createWijk": {A},
    "getWijk": {A, *KOPPEL, AGENCY, GEM, PRIV, POLICE, HOUSING},
    "updateWijk": {A},
    "deactivateWijk": {A},
    "listWijkKoppelMembers": {A, *KOPPEL, AGENCY, GEM, PRIV},
    # koppels: the admin composes them; members and the gemeente read them
    "listKoppels": {A, *KOPPEL, GEM},
    "createKoppel": {A},
    "getKoppel": {A, *KOPPEL, GEM},
    "updateKoppel": {A},
    "deleteKoppel": {A},
    "listKoppelMembers": {A, *KOPPEL, GEM},
    "addKoppelMember": {A},
    "getKoppelMember": {A, *KOPPEL, GEM},
    "updateKoppelMember": {A},
    "listKoppelWijken": {A, *KOPPEL, GEM},
    "addKoppelWijk": {A},
    "getKoppelWijk": {A, *KOPPEL, GEM},
    "updateKoppelWijk": {A},
    # presence: planned by the koppel (the policy narrows it to the koppel's own members), public page
    "listPresence": {A, *KOPPEL, GEM},
    "createPresence": {A, *KOPPEL},
    "getPresence": {A, *KOPPEL, GEM},
    "updatePresence": {A, *KOPPEL},
    "deletePresence": {A, *KOPPEL},
    "getPublicWijkPresence": PUBLIC,
    # offers: casework roles read, the admin and koppel members manage
    "listOffers": {A, *KOPPEL, AGENCY},
    "createOffer": {A, *KOPPEL},
    "getOffer": {A, *KOPPEL, AGENCY},
    "updateOffer": {A, *KOPPEL},
    "archiveOffer": {A, *KOPPEL},
    # residents' personal data: the koppel of the wijk; an agency only its consented view; the privacy
    # officer answers residents' requests and reads the audit trail; admin, gemeente, systems never
    "listResidents": {*KOPPEL, PRIV},
    "createResident": KOPPEL,
    "getResident": KOPPEL,
    "updateResident": KOPPEL,
    "getSharedResident": {AGENCY},
    "exportResident": {PRIV},
    "eraseResident": {PRIV},
    "listResidentNotes": KOPPEL,
    "createResidentNote": KOPPEL,
    "getResidentNote": KOPPEL,
    "updateResidentNote": KOPPEL,
    "retractResidentNote": KOPPEL,
    "listResidentNoteRevisions": KOPPEL,
    "listResidentConsents": KOPPEL,
    "createResidentConsent": KOPPEL,
    "getResidentConsent": KOPPEL,
    "withdrawResidentConsent": KOPPEL,
    "listAuditEvents": {PRIV},
    "createRetentionRun": {A, PRIV},
    # signals: the koppel of the wijk works with them; housing systems submit them in the wijken they
    # serve (one or a batch) and read back their own as receipts and through their feed
    "listSignals": {*KOPPEL, HOUSING},
    "createSignal": {*KOPPEL, HOUSING},
    "createSignalBatch": {HOUSING},
    "getSignalFeed": {HOUSING},
    "getSignal": {*KOPPEL, HOUSING},
    "updateSignal": KOPPEL,
    "listSignalStatusChanges": KOPPEL,
    "changeSignalStatus": KOPPEL,
    # interventions: the koppel's own work, in its wijken
    "listInterventions": KOPPEL,
    "createIntervention": KOPPEL,
    "getIntervention": KOPPEL,
    "updateIntervention": KOPPEL,
    "listInterventionPhaseChanges": KOPPEL,
    "changeInterventionPhase": KOPPEL,
    # agenda items: the raising koppel; the gemeente for items addressed to it; the police's system
    # follows its feed and answers with its own model
    "listAgendaItems": {*KOPPEL, GEM},
    "createAgendaItem": KOPPEL,
    "getAgendaItem": {*KOPPEL, GEM},
    "updateAgendaItem": KOPPEL,
    "deleteAgendaItem": KOPPEL,
    "changeAgendaItemStatus": {*KOPPEL, GEM},
    "getAgendaItemFeed": {POLICE},
    "answerAgendaItem": {POLICE},
    # goals and reviews: the admin and the koppel manage; the gemeente reads its municipality's
    "listGoals": {A, *KOPPEL, GEM},
    "createGoal": {A, *KOPPEL},
    "getGoal": {A, *KOPPEL, GEM},
    "updateGoal": {A, *KOPPEL},
    "listGoalReviews": {A, *KOPPEL, GEM},
    "createGoalReview": {A, *KOPPEL},
    "getGoalReview": {A, *KOPPEL, GEM},
    "updateGoalReview": {A, *KOPPEL},
    # contact moments: the koppel's own record (they may name residents), in its wijken
    "listContactMoments": KOPPEL,
    "createContactMoment": KOPPEL,
    "getContactMoment": KOPPEL,
    "updateContactMoment": KOPPEL,
    # needs and matching: the koppel's own record, in its wijken
    "listNeeds": KOPPEL,
    "createNeed": KOPPEL,
    "getNeed": KOPPEL,
    "updateNeed": KOPPEL,
    "listNeedMatches": KOPPEL,
    # referrals: the koppel proposes, sends and withdraws; the receiving agency reads under consent and
    # answers by status; the history and nazorg are the koppel's
    "listReferrals": {*KOPPEL, AGENCY},
    "createReferral": KOPPEL,
    "getReferral": {*KOPPEL, AGENCY},
    "updateReferral": KOPPEL,
    "listReferralStatusChanges": KOPPEL,
    "changeReferralStatus": {*KOPPEL, AGENCY},
    "listKoppelFollowUps": KOPPEL,
    # statistics: anonymous counts for the koppel of the wijk and the gemeente (not the admin)
    "getWijkStatistics": {*KOPPEL, GEM},
    # Open311 GeoReport v2 (outside /api/v1): the service list is public, requests a corporation's
    "listOpen311Services": PUBLIC,
    "createOpen311Request": {HOUSING},
    "listOpen311Requests": {HOUSING},
    "getOpen311Request": {HOUSING},
}


def api_routes(app: FastAPI) -> list[MountedRoute]:
    """Every route of both APIs: /api/v1 and the Open311 adapter."""
    return mounted_routes(app, API_PREFIX) + mounted_routes(app, OPEN311_PREFIX)


def test_no_route_lies_outside_the_walked_prefixes(app: FastAPI) -> None:
    """A route added under a new prefix is walked too, or fails here. (/metrics is the operators'
    Prometheus endpoint, served on an internal network: README, Operations.)"""
    walked = {id(r.route) for r in api_routes(app)}
    others = [m.path for m in mounted_routes(app, "/") if id(m.route) not in walked]
    assert others == ["/metrics"]


def _expected(operation_id: str) -> Any:
    value = EXPECTED[operation_id]
    return value if value is PUBLIC else frozenset(value)


def test_every_route_has_a_row_and_every_row_a_route(app: FastAPI) -> None:
    operations = {r.operation_id for r in api_routes(app)}
    assert None not in operations, "every route needs an explicit operation_id"
    assert sorted(operations - set(EXPECTED)) == [], "routes without a row in EXPECTED"
    assert sorted(set(EXPECTED) - operations) == [], "rows in EXPECTED without a route"


def test_every_route_declares_exactly_the_expected_roles(app: FastAPI) -> None:
    mismatches = {
        r.operation_id: (route_roles(r.route), _expected(r.operation_id or ""))
        for r in api_routes(app)
        if route_roles(r.route) != _expected(r.operation_id or "")
    }
    assert mismatches == {}


def _url(route: MountedRoute) -> str:
    path = route.path
    for name in route.route.param_convertors:
        path = path.replace("{" + name + "}", str(uuid.uuid4()))
    # path parameters declared by alias (e.g. {wijkId}) are strings or UUIDs; a random UUID fits both
    return path


def _call(world: World, route: MountedRoute, headers: dict[str, str]) -> int:
    method = route.method
    kwargs: dict[str, Any] = {"headers": headers}
    if method in {"POST", "PUT", "PATCH"}:
        kwargs["json"] = {}
    return world.client.request(method, _url(route), **kwargs).status_code


def test_every_route_with_every_role_and_without_a_token(world: World, app: FastAPI) -> None:
    """No token → 401; a role not in the row → 403; a role in the row gets past authorization
    (404 for a random id, 400 for an empty body, 428 without If-Match, 2xx for lists) — never 5xx."""
    failures: list[str] = []
    checked = 0
    for route in api_routes(app):
        expected = _expected(route.operation_id or "")
        if expected is PUBLIC:
            continue
        status = _call(world, route, {})
        checked += 1
        if status != 401:
            failures.append(f"{route.operation_id} without token: {status}")
        for role in Role:
            status = _call(world, route, world.headers(role))
            checked += 1
            if role in expected:
                if status in (401, 403) or status >= 500:
                    failures.append(f"{route.operation_id} as {role}: {status}, expected to pass authorization")
            elif status != 403:
                failures.append(f"{route.operation_id} as {role}: {status}, expected 403")
    assert failures == []
    assert checked >= len(EXPECTED)
