"""Every resident route × every role × in and out of scope, against one expectation table.

The resident lives in wijk A. Callers: the koppel of wijk A (its wijkagent wrote the note: the
author), the koppel of wijk B (out of scope: 404), an agency with and one without consent, and
every other role. Inside the scope without the right is 403; outside it, 404. Each call that
changes something gets a fresh resident, so every call sees the same state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI

from api.authz import mounted_routes
from domain.identity import Role
from tests.factories import Neighbourhoods, World, build_neighbourhoods
from tests.resident_support import API, AuditedApi, add_consent, add_note, create_resident, resident_body

# caller categories
KOPPEL = "koppel of the wijk"
AUTHOR = "note author in the koppel"
OTHER_KOPPEL = "koppel of another wijk"
AGENCY = "agency without consent"
CONSENTED = "agency with consent"
ADMIN, GEMEENTE, POLICE, HOUSING, PRIVACY = "admin", "gemeente", "police_system", "housing_system", "privacy_officer"
CATEGORIES = (KOPPEL, AUTHOR, OTHER_KOPPEL, AGENCY, CONSENTED, ADMIN, GEMEENTE, POLICE, HOUSING, PRIVACY)


def row(koppel: int, author: int, other: int, agency: int, consented: int, admin: int, gemeente: int,
        police: int, housing: int, privacy: int) -> dict[str, int]:
    return dict(zip(CATEGORIES, (koppel, author, other, agency, consented, admin, gemeente, police, housing, privacy),
                    strict=True))


# fmt: off
#                                       koppel author other agency consented admin gemeente police housing privacy
CASEWORK_READ = row(200, 200, 404, 403, 403, 403, 403, 403, 403, 403)
EXPECTED: dict[str, dict[str, int]] = {
    "listResidents":             row(200, 200, 200, 403, 403, 403, 403, 403, 403, 400),
    "createResident":            row(201, 201, 400, 403, 403, 403, 403, 403, 403, 403),
    "getResident":               CASEWORK_READ,
    "updateResident":            CASEWORK_READ,
    # a role that may never call a route is refused (403) whatever the resident: that says nothing
    # about existence, so koppel members in and out of scope get the same answer there
    "getSharedResident":         row(403, 403, 403, 404, 200, 403, 403, 403, 403, 403),
    "exportResident":            row(403, 403, 403, 403, 403, 403, 403, 403, 403, 200),
    "eraseResident":             row(403, 403, 403, 403, 403, 403, 403, 403, 403, 200),
    "listResidentNotes":         CASEWORK_READ,
    "createResidentNote":        row(201, 201, 404, 403, 403, 403, 403, 403, 403, 403),
    "getResidentNote":           CASEWORK_READ,
    "updateResidentNote":        row(403, 200, 404, 403, 403, 403, 403, 403, 403, 403),
    "retractResidentNote":       row(403, 204, 404, 403, 403, 403, 403, 403, 403, 403),
    "listResidentNoteRevisions": CASEWORK_READ,
    "listResidentConsents":      CASEWORK_READ,
    "createResidentConsent":     row(201, 201, 404, 403, 403, 403, 403, 403, 403, 403),
    "getResidentConsent":        CASEWORK_READ,
    "withdrawResidentConsent":   CASEWORK_READ,
    "listAuditEvents":           row(403, 403, 403, 403, 403, 403, 403, 403, 403, 200),
    "createRetentionRun":        row(403, 403, 403, 403, 403, 200, 403, 403, 403, 200),
}
# fmt: on


@dataclass(frozen=True)
class Target:
    resident: str
    note: str
    consent: str


@pytest.fixture
def hoods(world: World) -> Neighbourhoods:
    return build_neighbourhoods(world)


def test_the_table_covers_every_route_about_residents_and_their_audit(app: FastAPI) -> None:
    operations = {
        r.operation_id
        for r in mounted_routes(app, API)
        if r.path.startswith((f"{API}/residents", f"{API}/audit-events", f"{API}/retention-runs"))
    }
    assert operations == set(EXPECTED)


def test_every_resident_route_with_every_role_in_and_out_of_scope(world: World, hoods: Neighbourhoods) -> None:
    api = AuditedApi(world)
    agency_org = world.organisations["instantie"].id
    koppel_b = hoods.koppel_b.members
    callers: dict[str, list[dict[str, str]]] = {
        KOPPEL: [world.headers(Role.opbouwwerker), world.headers(Role.wijkbeheerder)],
        AUTHOR: [world.headers(Role.wijkagent)],
        OTHER_KOPPEL: [world.headers_for(koppel_b[Role.wijkagent]), world.headers_for(koppel_b[Role.opbouwwerker])],
        AGENCY: [world.headers_for(world.add_user(Role.agency_worker, organisation="welzijn"))],
        CONSENTED: [world.headers(Role.agency_worker)],
        ADMIN: [world.headers(Role.admin)],
        GEMEENTE: [world.headers(Role.gemeente)],
        POLICE: [world.headers(Role.police_system)],
        HOUSING: [world.headers(Role.housing_system)],
        PRIVACY: [world.headers(Role.privacy_officer)],
    }
    covered = {_role(world, headers) for headers_list in callers.values() for headers in headers_list}
    assert covered == set(Role)

    def fresh() -> Target:
        resident = create_resident(api, world.headers(Role.opbouwwerker), hoods.wijk_a.id)
        note = add_note(api, world.headers(Role.wijkagent), resident["id"], "Kort gesproken bij de deur.")
        consent = add_consent(api, world.headers(Role.opbouwwerker), resident["id"], agency_org)
        return Target(resident["id"], note["id"], consent["id"])

    shared = fresh()
    consent_body = {"organisationId": str(agency_org), "scope": ["identity"], "purpose": "aanmelding", "givenHow": "spoken"}
    calls: dict[str, tuple[str, str, dict[str, Any] | None, bool]] = {
        # operation: method, path (with {r} {n} {c}), body, changes state (so: a fresh target per call)
        "listResidents": ("GET", "/residents", None, False),
        "createResident": ("POST", "/residents", resident_body(hoods.wijk_a.id), False),
        "getResident": ("GET", "/residents/{r}", None, False),
        "updateResident": ("PATCH", "/residents/{r}", {"isKeyFigure": False}, True),
        "getSharedResident": ("GET", "/residents/{r}/shared-data", None, False),
        "exportResident": ("GET", "/residents/{r}/export", None, False),
        "eraseResident": ("POST", "/residents/{r}/erasure", None, True),
        "listResidentNotes": ("GET", "/residents/{r}/notes", None, False),
        "createResidentNote": ("POST", "/residents/{r}/notes", {"text": "Nog een notitie.", "category": "contact"}, False),
        "getResidentNote": ("GET", "/residents/{r}/notes/{n}", None, False),
        "updateResidentNote": ("PATCH", "/residents/{r}/notes/{n}", {"text": "Verbeterd."}, True),
        "retractResidentNote": ("DELETE", "/residents/{r}/notes/{n}", None, True),
        "listResidentNoteRevisions": ("GET", "/residents/{r}/notes/{n}/revisions", None, False),
        "listResidentConsents": ("GET", "/residents/{r}/consents", None, False),
        "createResidentConsent": ("POST", "/residents/{r}/consents", consent_body, False),
        "getResidentConsent": ("GET", "/residents/{r}/consents/{c}", None, False),
        "withdrawResidentConsent": ("POST", "/residents/{r}/consents/{c}/withdrawal", None, True),
        "listAuditEvents": ("GET", "/audit-events", None, False),
        "createRetentionRun": ("POST", "/retention-runs", None, False),
    }
    assert set(calls) == set(EXPECTED)
    failures = []
    for operation, (method, template, body, changes) in calls.items():
        for category, headers_list in callers.items():
            for headers in headers_list:
                target = fresh() if changes else shared
                path = API + template.format(r=target.resident, n=target.note, c=target.consent)
                response = api.request(method, path, {**headers, "If-Match": '"1"'}, json=body)
                expected = EXPECTED[operation][category]
                if response.status_code != expected:
                    failures.append(f"{operation} as {category}: {response.status_code}, expected {expected}")
                elif operation == "listResidents" and category == OTHER_KOPPEL:
                    assert shared.resident not in response.text  # a list only holds what you may see
    assert failures == [], "\n".join(failures)
    assert api.checked > 40  # the audit of every personal-data answer was checked along the way


def _role(world: World, headers: dict[str, str]) -> Role:
    claims = world.app.state.tokens.verify(headers["Authorization"].removeprefix("Bearer "))
    return Role(claims.role)
