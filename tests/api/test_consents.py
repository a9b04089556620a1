"""Consent gates what an agency sees of a resident, and a withdrawal cuts it in the very next request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from domain import accounts
from domain.consents import ConsentScope, valid_consent
from domain.identity import OrganisationKind, Role
from tests.factories import Neighbourhoods, World, build_neighbourhoods
from tests.resident_support import API, AuditedApi, add_consent, audit_events, create_resident


@pytest.fixture
def hoods(world: World) -> Neighbourhoods:
    return build_neighbourhoods(world)


@pytest.fixture
def api(world: World) -> AuditedApi:
    return AuditedApi(world)


def test_an_agency_sees_only_what_a_valid_consent_covers_until_it_is_withdrawn(
    world: World, hoods: Neighbourhoods, api: AuditedApi
) -> None:
    opbouw, agency = world.headers(Role.opbouwwerker), world.headers(Role.agency_worker)
    resident = create_resident(api, opbouw, hoods.wijk_a.id)
    shared_url = f"{API}/residents/{resident['id']}/shared-data"
    assert api.get(shared_url, agency).status_code == 404  # no consent: the resident does not exist for it

    identity = add_consent(api, opbouw, resident["id"], world.organisations["instantie"].id, scope=["identity"])
    assert identity["organisationName"] == "Test instantie" and identity["withdrawnAt"] is None
    assert identity["recordedById"] == str(world.principals[Role.opbouwwerker].id)
    view = api.get(shared_url, agency)
    assert view.status_code == 200 and view.headers["Cache-Control"] == "no-store"
    assert view.json() == {
        "id": resident["id"],
        "sharedScope": ["identity"],
        "consentIds": [identity["id"]],
        "givenName": "Fatima",
        "familyName": "El Khatib-Ümit",
        "address": resident["address"],
        "phone": None,
        "email": None,
    }
    [read] = audit_events(world, request_id=view.headers["X-Request-ID"])
    assert read.action == "read" and read.actor_role is Role.agency_worker
    assert read.fields == ("address", "familyName", "givenName") and identity["id"] in (read.purpose or "")

    contact = add_consent(api, world.headers(Role.wijkagent), resident["id"], world.organisations["instantie"].id, scope=["contact_details"])
    both = api.get(shared_url, agency).json()
    assert both["sharedScope"] == ["contact_details", "identity"] and both["phone"] == "06 4321 8765"

    # another agency sees nothing; the koppel's own view is not this one
    world.organisations["andere"] = world.run(
        lambda uow: accounts.create_organisation(
            uow, accounts.NewOrganisation("Andere instantie", OrganisationKind.instantie), datetime.now(UTC)
        )
    )
    outsider = world.headers_for(world.add_user(Role.agency_worker, organisation="andere"))
    assert api.get(shared_url, outsider).status_code == 404
    assert api.get(f"{API}/residents/{resident['id']}", agency).status_code == 403
    assert api.get(shared_url, opbouw).status_code == 403

    withdrawn = api.post(f"{API}/residents/{resident['id']}/consents/{contact['id']}/withdrawal", world.headers(Role.wijkbeheerder))
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawnAt"] is not None
    assert withdrawn.json()["withdrawnById"] == str(world.principals[Role.wijkbeheerder].id)
    [event] = audit_events(world, request_id=withdrawn.headers["X-Request-ID"])
    assert event.action == "consent_withdrawn"
    # the very next request: contact details are gone, identity remains
    after = api.get(shared_url, agency).json()
    assert after["sharedScope"] == ["identity"] and after["phone"] is None and after["email"] is None
    again = api.post(f"{API}/residents/{resident['id']}/consents/{contact['id']}/withdrawal", opbouw)
    assert again.status_code == 409

    api.post(f"{API}/residents/{resident['id']}/consents/{identity['id']}/withdrawal", opbouw)
    assert api.get(shared_url, agency).status_code == 404  # and with the last one, everything
    listed = api.get(f"{API}/residents/{resident['id']}/consents", opbouw).json()["items"]
    assert [c["id"] for c in listed] == [identity["id"], contact["id"]]
    assert all(c["withdrawnAt"] for c in listed)


def test_a_consent_is_recorded_with_care(world: World, hoods: Neighbourhoods, api: AuditedApi) -> None:
    opbouw = world.headers(Role.opbouwwerker)
    resident = create_resident(api, opbouw, hoods.wijk_a.id)
    url = f"{API}/residents/{resident['id']}/consents"
    good = {
        "organisationId": str(world.organisations["instantie"].id),
        "scope": ["identity"],
        "purpose": "aanmelding bij het schuldhulpmaatje",
        "givenHow": "written",
    }
    for change, name, code in (
        ({"organisationId": str(world.organisations["politie"].id)}, "organisationId", "organisation_kind"),
        ({"organisationId": str(world.organisations["gemeente"].id)}, "organisationId", "organisation_kind"),
        ({"organisationId": "00000000-0000-4000-8000-000000000000"}, "organisationId", "unknown_reference"),
        ({"scope": []}, "scope", "too_short"),
        ({"scope": ["bsn"]}, "scope.0", "enum"),
        ({"givenHow": "nodded"}, "givenHow", "enum"),
        ({"purpose": "bel haar op 06-12345678"}, "purpose", "personal_data_phone"),
        ({"purpose": "aanmelding\u0000"}, "purpose", "control_characters"),
        ({"givenAt": (datetime.now(UTC) + timedelta(days=1)).isoformat()}, "givenAt", "future"),
    ):
        response = api.post(url, opbouw, json={**good, **change})
        assert response.status_code == 400, (change, response.text)
        assert {"name": name, "code": code} in [
            {"name": p["name"], "code": p["code"]} for p in response.json()["invalidParams"]
        ], change
    given = (datetime.now(UTC) - timedelta(days=2)).replace(microsecond=0)
    created = api.post(url, opbouw, json={**good, "givenAt": given.isoformat()})
    assert created.status_code == 201
    assert datetime.fromisoformat(created.json()["givenAt"]) == given
    assert created.headers["Location"].endswith(created.json()["id"])
    read = api.get(created.headers["Location"], world.headers(Role.wijkagent))
    assert read.status_code == 200 and read.json() == created.json()
    koppel_b = world.headers_for(hoods.koppel_b.members[Role.wijkagent])
    assert api.get(created.headers["Location"], koppel_b).status_code == 404
    assert api.post(url, koppel_b, json=good).status_code == 404
    assert api.get(f"{url}/00000000-0000-4000-8000-000000000000", opbouw).status_code == 404


def test_valid_consent_is_the_question_sharing_code_asks(world: World, hoods: Neighbourhoods, api: AuditedApi) -> None:
    opbouw = world.headers(Role.opbouwwerker)
    resident = create_resident(api, opbouw, hoods.wijk_a.id)
    agency = world.organisations["instantie"].id
    consent = add_consent(api, opbouw, resident["id"], agency, scope=["identity", "need_description"])

    def ask(item: ConsentScope, organisation: object = agency, at: datetime | None = None) -> str | None:
        found = world.run(
            lambda uow: valid_consent(uow, UUID(resident["id"]), organisation, item, at or datetime.now(UTC))  # type: ignore[arg-type]
        )
        return str(found.id) if found else None

    assert ask(ConsentScope.identity) == consent["id"]
    assert ask(ConsentScope.need_description) == consent["id"]
    assert ask(ConsentScope.contact_details) is None
    assert ask(ConsentScope.identity, organisation=world.organisations["welzijn"].id) is None
    assert ask(ConsentScope.identity, at=datetime.fromisoformat(consent["givenAt"]) - timedelta(seconds=1)) is None
    api.post(f"{API}/residents/{resident['id']}/consents/{consent['id']}/withdrawal", opbouw)
    assert ask(ConsentScope.identity) is None
