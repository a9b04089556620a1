"""What each integrator receives, held against an explicit allow-list of keys at every nesting level.

The allow-lists below are the contract, written out by hand: a key the service starts sending to the
police, a housing corporation, the gemeente or an agency is a failure here until someone deliberately
adds it. They are not derived from the response models, so a field added to a model by accident shows.

The data fills every optional field a leak could come through — residents with every personal field,
notes of every visibility, consents, referral notes and reasons, internal signal texts, links between
signals, interventions and agenda items, answers and references — and every integrator's answers are
also scanned for the values it must never see. Equality with the allow-list (not only inclusion)
proves the data reached every nested object the contract names.

Also: system-facing POSTs refuse a body that smuggles fields (owner, status, role, organisation,
version …) with a 400 naming each one, and store nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from domain.identity import Role
from persistence.tables_casework import SignalRow
from tests.api.test_housing_intake import admin_patch_wijk, serve, signal
from tests.factories import Neighbourhoods, World, build_neighbourhoods
from tests.resident_support import AuditedApi, add_consent, add_note, create_resident

API = "/api/v1"
O311 = "/open311/v2"
SIGNAL = SignalRow.__table__


def under(prefix: str, keys: Iterable[str]) -> set[str]:
    """`keys` as paths below `prefix` (`a.b`; `[]` stands for every element of a list)."""
    return {f"{prefix}.{k}" if prefix else k for k in keys}


# --- the contracts -----------------------------------------------------------------------------

WIJK_LABEL = {"code", "name", "municipalityCode"}
POLICE_ITEM = {
    "id", "version", "wijk", "title", "description", "theme", "priority", "status", "addresseeReference", "response",
    "submittedAt", "closedAt", "updatedAt",
} | under("wijk", WIJK_LABEL)
POLICE_FEED = (
    {"items", "nextCursor", "hasMore"}
    | under("items[]", {"sequence", "change", "agendaItemId", "itemVersion", "status", "occurredAt", "item", "withdrawalReason"})
    | under("items[].item", POLICE_ITEM)
)

RECEIPT = {
    "id", "externalReference", "wijkId", "source", "category", "urgency", "status", "firstActionAt", "closedAt",
    "createdAt", "updatedAt",
}
SIGNAL_FEED = (
    {"items", "nextCursor", "hasMore"}
    | under("items[]", {"sequence", "change", "signalId", "signalVersion", "status", "occurredAt", "signal"})
    | under("items[].signal", RECEIPT)
)
RECEIPT_PAGE = {"items", "nextCursor"} | under("items[]", RECEIPT)
PROBLEM = {"type", "title", "status", "detail", "instance", "invalidParams"} | under(
    "invalidParams[]", {"name", "code", "reason"}
)
BATCH = (
    {"created", "existing", "rejected", "results"}
    | under("results[]", {"index", "outcome", "signal", "problem"})
    | under("results[].signal", RECEIPT)
    | under("results[].problem", PROBLEM)
)
OPEN311_CREATED = {"[]"} | under("[]", {"service_request_id", "service_notice", "account_id"})
OPEN311_REQUESTS = {"[]"} | under(
    "[]",
    {
        "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
        "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
        "address", "address_id", "zipcode", "lat", "long", "media_url",
    },
)

ADDRESSEE_ITEM = {
    "id", "wijkId", "title", "description", "theme", "priority", "addressee", "status", "addresseeReference",
    "response", "withdrawalReason", "submittedAt", "closedAt", "updatedAt",
} | under("addressee", {"kind", "organisationId"})
ADDRESSEE_PAGE = {"items", "nextCursor"} | under("items[]", ADDRESSEE_ITEM)
STATISTICS = (
    {
        "wijkId", "from", "to", "minimumCount", "signals", "contactMoments", "interventions", "referrals",
        "signalFirstAction", "overdueFollowUps",
    }
    | under("signals[]", {"period", "category", "count"})
    | under("contactMoments[]", {"period", "kind", "count"})
    | under("interventions[]", {"period", "phase", "count"})
    | under("referrals[]", {"period", "status", "count"})
    | under("signalFirstAction", {"signals", "medianHours", "averageHours"})
)

SHARED_RESIDENT = {"id", "sharedScope", "consentIds", "givenName", "familyName", "address", "phone", "email"} | under(
    "address", {"postcode", "huisnummer", "toevoeging", "nummeraanduidingId"}
)
AGENCY_REFERRAL = {
    "id", "offerId", "offerTitle", "category", "urgency", "mediation", "status", "note", "needDescription",
    "rejectionReason", "residents", "registeredAt", "closedAt",
} | under("residents[]", SHARED_RESIDENT)
AGENCY_REFERRAL_PAGE = {"items", "nextCursor"} | under("items[]", AGENCY_REFERRAL)


def key_paths(value: Any, prefix: str = "") -> set[str]:
    """Every key of a JSON value at every level, as a path (`items[].item.wijk.code`)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            path = f"{prefix}.{key}" if prefix else key
            found.add(path)
            found |= key_paths(inner, path)
    elif isinstance(value, list):
        path = f"{prefix}[]"
        if not prefix:
            found.add(path)
        for inner in value:
            found |= key_paths(inner, path)
    return found


def assert_contract(response: httpx.Response, allowed: set[str], never: Iterable[str] = (), status: int = 200) -> Any:
    """The answer's keys, at every level, are exactly the allow-list; none of `never` is in its text."""
    assert response.status_code == status, response.text
    body = response.json()
    found = key_paths(body)
    assert found - allowed == set(), f"{response.request.method} {response.request.url.path} sends keys outside its contract"
    assert found == allowed, f"the data did not reach {sorted(allowed - found)}: fill them so a leak would show"
    for value in never:
        assert value not in response.text, f"{response.request.url.path} leaks {value!r}"
    return body


# --- a wijk where everything is filled in ------------------------------------------------------


@dataclass
class FilledWijk:
    """Wijk A with all of it: residents with every personal field, notes, consents, needs, a referral
    in progress and a refused one, signals from the corporation and from the koppel linked to an
    intervention and agenda items, items for the police and the gemeente answered and withdrawn."""

    hoods: Neighbourhoods
    resident: dict[str, Any]
    neighbour: dict[str, Any]
    notes: list[dict[str, Any]]
    koppel_signal: dict[str, Any]
    housing_signal: dict[str, Any]
    housing_closed: dict[str, Any]
    intervention: dict[str, Any]
    police_item: dict[str, Any]
    police_withdrawn: dict[str, Any]
    gemeente_item: dict[str, Any]
    referral: dict[str, Any]
    refused_referral: dict[str, Any]
    offer: dict[str, Any]
    open311_id: str

    @property
    def personal(self) -> list[str]:
        """Values of the residents' own data and the koppel's internal texts."""
        r, n = self.resident, self.neighbour
        return [
            r["givenName"], r["familyName"], r["phone"], r["email"], n["givenName"], n["phone"], n["email"],
            *(note["text"] for note in self.notes), "El Khatib", "06 4321", "voorbeeld.nl",
        ]

    def koppel_work(self, world: World) -> list[str]:
        """What belongs to the koppel's own record: ids of its casework and who did it."""
        member = world.principals[Role.wijkagent]
        return [
            self.resident["id"], self.neighbour["id"], self.intervention["id"], self.koppel_signal["id"],
            self.koppel_signal["description"], self.intervention["title"], str(self.hoods.koppel_a.id),
            str(member.id), world.usernames[Role.wijkagent], world.usernames[Role.opbouwwerker],
        ]


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


def with_version(headers: dict[str, str], version: int) -> dict[str, str]:
    return {**headers, "If-Match": f'"{version}"'}


def build(world: World) -> FilledWijk:
    hoods = build_neighbourhoods(world)
    client = world.client
    admin_patch_wijk(world, hoods.wijk_a.id, postcodeRanges=[{"fromPostcode": "9401", "toPostcode": "9402"}])
    serve(world, wijkId=str(hoods.wijk_a.id))
    agent, opbouw = world.headers(Role.wijkagent), world.headers(Role.opbouwwerker)
    housing, police, gemeente = (world.headers(r) for r in (Role.housing_system, Role.police_system, Role.gemeente))
    agency_id = world.organisations["instantie"].id
    api = AuditedApi(world)
    wijk_id = str(hoods.wijk_a.id)

    resident = create_resident(
        api, opbouw, hoods.wijk_a.id,
        address={"postcode": "9402 zx", "huisnummer": 17, "toevoeging": "b", "nummeraanduidingId": "0106200000012345"},
    )
    neighbour = create_resident(
        api, opbouw, hoods.wijk_a.id, givenName="Kees", familyName="Brouwer", phone="06 9876 5432",
        email="kees.brouwer@voorbeeld.nl", address={"postcode": "9402 zx", "huisnummer": 19},
    )
    notes = [
        add_note(api, opbouw, resident["id"], f"Vertrouwelijk: {visibility} — slaapt slecht sinds de inbraak", visibility)
        for visibility in ("koppel", "organisation", "author")
    ]
    for person in (resident, neighbour):
        add_consent(api, opbouw, person["id"], agency_id, ("identity", "contact_details", "need_description"))

    koppel_signal = ok(client.post(f"{API}/signals", json={
        "wijkId": wijk_id, "source": "bewoner", "category": "burenruzie",
        "description": "Mevrouw El Khatib meldt ruzie met de buren op nummer 19",
        "location": {"address": {"postcode": "9402ZX", "houseNumber": 17, "houseNumberAddition": "b"},
                     "point": {"latitude": 52.99, "longitude": 6.56}},
    }, headers=agent), 201)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    housing_signal = ok(client.post(f"{API}/signals", json=signal(
        "TA-2026-1", description="Lekkage bij El Khatib, bel 06 4321 8765",
        location={"address": {"postcode": "9401AB", "houseNumber": 12, "houseNumberAddition": "A"},
                  "point": {"latitude": 52.99, "longitude": 6.56}},
    ), headers={**housing, **key}), 201)
    housing_closed = ok(client.post(f"{API}/signals", json=signal("TA-2026-2"), headers={
        **housing, "Idempotency-Key": str(uuid.uuid4()),
    }), 201)
    intervention = ok(client.post(f"{API}/interventions", json={
        "wijkId": wijk_id, "koppelId": str(hoods.koppel_a.id), "kind": "overlastaanpak", "title": "Burenruzie nummer 17",
        "description": "Gesprekken met beide gezinnen", "signalIds": [koppel_signal["id"], housing_signal["id"]],
    }, headers=agent), 201)
    ok(client.post(f"{API}/signals/{housing_signal['id']}/status-changes", json={"to": "in_behandeling"},
                   headers=with_version(agent, 1)))
    ok(client.post(f"{API}/signals/{housing_closed['id']}/status-changes",
                   json={"to": "afgewezen", "reason": "Geen zaak voor de koppel: mevrouw El Khatib belt zelf"},
                   headers=with_version(agent, 1)))
    ok(client.post(f"{API}/contact-moments", json={
        "wijkId": wijk_id, "koppelId": str(hoods.koppel_a.id), "kind": "huisbezoek",
        "occurredAt": datetime.now(UTC).isoformat(), "place": "Bij mevrouw thuis",
        "summary": "Kennismaking, zorgen over de schulden", "residentIds": [resident["id"]],
    }, headers=opbouw), 201)

    def agenda_item(addressee: dict[str, Any], title: str) -> dict[str, Any]:
        raised = ok(client.post(f"{API}/agenda-items", json={
            "wijkId": wijk_id, "title": title, "description": "Elke avond overlast na 22 uur.", "theme": "veiligheid",
            "priority": "hoog", "addressee": addressee, "signalIds": [koppel_signal["id"]],
            "interventionIds": [intervention["id"]],
        }, headers=agent), 201)
        return ok(client.post(f"{API}/agenda-items/{raised['id']}/status-changes", json={"to": "geagendeerd"},
                              headers=with_version(agent, 1)))

    police_item = agenda_item({"kind": "politie"}, "Jongeren bij het winkelcentrum")
    police_withdrawn = agenda_item({"kind": "politie"}, "Fietsendiefstal bij het station")
    ok(client.post(f"{API}/agenda-items/{police_withdrawn['id']}/status-changes",
                   json={"to": "ingetrokken", "reason": "Opgelost met de gemeente"}, headers=with_version(agent, 2)))
    taken = ok(client.post(f"{API}/agenda-items/{police_item['id']}/answers",
                           json={"status": "in_behandeling", "addresseeReference": "BVH-2026-1"},
                           headers={**police, "Idempotency-Key": str(uuid.uuid4())}))
    assert taken["status"] == "in_behandeling"
    gemeente_item = agenda_item({"kind": "gemeente"}, "Verlichting in het park")
    for to, extra, version in (("in_behandeling", {"addresseeReference": "Z-2026-7"}, 2),
                               ("afgehandeld", {"response": "Extra lantaarns geplaatst"}, 3)):
        ok(client.post(f"{API}/agenda-items/{gemeente_item['id']}/status-changes", json={"to": to, **extra},
                       headers=with_version(gemeente, version)))

    offer = ok(client.post(f"{API}/offers", json={
        "providerOrganisationId": str(agency_id), "title": "Schuldhulpmaatje", "description": "Hulp bij de post",
        "categories": ["schulden", "burenconflict"], "wijkIds": [wijk_id], "contactRoute": "Via de opbouwwerker",
        "capacity": 5,
    }, headers=world.headers(Role.admin)), 201)

    def referral(category: str, note: str, **fields: Any) -> dict[str, Any]:
        need = ok(client.post(f"{API}/needs", json={
            "wijkId": wijk_id, "koppelId": str(hoods.koppel_a.id), "residentId": resident["id"], "category": category,
            "description": "Rekeningen stapelen zich op sinds het ontslag", "urgency": "hoog",
        }, headers=opbouw), 201)
        proposed = ok(client.post(f"{API}/referrals", json={
            "needId": need["id"], "offerId": offer["id"], "note": note, **fields,
        }, headers=opbouw), 201)
        return ok(client.post(f"{API}/referrals/{proposed['id']}/status-changes", json={"to": "aangemeld"},
                              headers=with_version(opbouw, 1)))

    sent = referral("burenconflict", "Beide partijen willen praten", residentIds=[resident["id"], neighbour["id"]])
    refused = referral("schulden", "Graag contact in de ochtend")
    ok(client.patch(f"{API}/referrals/{sent['id']}", json={"note": "Beide partijen willen praten, liefst 's avonds"},
                    headers=with_version(opbouw, 2)))
    agency = world.headers(Role.agency_worker)
    ok(client.post(f"{API}/referrals/{refused['id']}/status-changes",
                   json={"to": "afgewezen", "reason": "Valt buiten onze doelgroep"}, headers=with_version(agency, 2)))

    created = ok(client.post(f"{O311}/requests.json", data={
        "service_code": "vocht_schimmel", "address_string": "Oosterstraat 12A, 9401 AB Assen",
        "description": "Schimmel bij El Khatib", "email": "huurder@example.nl", "first_name": "Fatima",
    }, headers=housing), 201)
    return FilledWijk(
        hoods, resident, neighbour, notes, koppel_signal, housing_signal, housing_closed, intervention, police_item,
        police_withdrawn, gemeente_item, sent, refused, offer, created[0]["service_request_id"],
    )


@pytest.fixture
def wijk(world: World) -> FilledWijk:
    return build(world)


# --- the police --------------------------------------------------------------------------------


def test_the_police_receive_only_their_feed_and_answer_models(world: World, wijk: FilledWijk) -> None:
    police = world.headers(Role.police_system)
    never = [*wijk.personal, *wijk.koppel_work(world), str(wijk.hoods.wijk_a.id), "raisedBy", "signalIds"]
    feed = assert_contract(world.client.get(f"{API}/feeds/agenda-items", headers=police), POLICE_FEED, never)
    changes = {(e["agendaItemId"], e["change"]) for e in feed["items"]}
    assert (wijk.police_withdrawn["id"], "withdrawn") in changes, "a tombstone is part of what was checked"
    assert wijk.gemeente_item["id"] not in {e["agendaItemId"] for e in feed["items"]}
    answered = world.client.post(
        f"{API}/agenda-items/{wijk.police_item['id']}/answers",
        json={"status": "afgehandeld", "response": "Extra surveillance ingezet", "addresseeReference": "BVH-2026-1"},
        headers={**police, "Idempotency-Key": str(uuid.uuid4())},
    )
    item = assert_contract(answered, POLICE_ITEM, never)
    assert item["closedAt"] and item["response"] == "Extra surveillance ingezet"
    replayed = world.client.get(f"{API}/feeds/agenda-items", headers=police)
    assert_contract(replayed, POLICE_FEED, never)


# --- the housing corporation -------------------------------------------------------------------


def test_a_housing_system_receives_only_receipts_of_its_own_signals(world: World, wijk: FilledWijk) -> None:
    housing = world.headers(Role.housing_system)
    # Its own texts and addresses do not come back either: a receipt is status and dates.
    never = [
        *wijk.personal, *wijk.koppel_work(world), "Lekkage", "9401AB", "Geen zaak voor de koppel",
        wijk.intervention["id"], wijk.police_item["id"],
    ]
    feed = assert_contract(world.client.get(f"{API}/feeds/signals", headers=housing), SIGNAL_FEED, never)
    assert {e["signalId"] for e in feed["items"]} == {wijk.housing_signal["id"], wijk.housing_closed["id"], wijk.open311_id}
    listed = assert_contract(world.client.get(f"{API}/signals", headers=housing), RECEIPT_PAGE, never)
    assert wijk.koppel_signal["id"] not in {s["id"] for s in listed["items"]}
    for own in (wijk.housing_signal, wijk.housing_closed):
        read = assert_contract(world.client.get(f"{API}/signals/{own['id']}", headers=housing), RECEIPT, never)
        assert read["firstActionAt"]
    again = world.client.post(
        f"{API}/signals", json=signal("TA-2026-1"), headers={**housing, "Idempotency-Key": str(uuid.uuid4())}
    )
    assert_contract(again, RECEIPT, never)
    fresh = world.client.post(
        f"{API}/signals", json=signal("TA-2026-3", description="Vochtplek, huurder El Khatib"),
        headers={**housing, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert_contract(fresh, RECEIPT, never, status=201)
    batch = world.client.post(
        f"{API}/signal-batches",
        json={"signals": [signal("TA-2026-4"), signal("TA-2026-1"), signal("TA-2026-5", category="inbraak")]},
        headers={**housing, "Idempotency-Key": str(uuid.uuid4())},
    )
    outcomes = [r["outcome"] for r in assert_contract(batch, BATCH, never)["results"]]
    assert outcomes == ["created", "existing", "rejected"]


def test_an_open311_client_receives_only_the_specs_fields_without_texts(world: World, wijk: FilledWijk) -> None:
    housing = world.headers(Role.housing_system)
    never = [*wijk.personal, *wijk.koppel_work(world), "Schimmel", "Oosterstraat", "huurder@example.nl", "Fatima"]
    listed = assert_contract(world.client.get(f"{O311}/requests.json", headers=housing), OPEN311_REQUESTS, never)
    assert {r["service_request_id"] for r in listed} == {
        wijk.housing_signal["id"], wijk.housing_closed["id"], wijk.open311_id,
    }
    for request_id in (wijk.open311_id, wijk.housing_closed["id"]):
        assert_contract(world.client.get(f"{O311}/requests/{request_id}.json", headers=housing), OPEN311_REQUESTS, never)
    created = world.client.post(
        f"{O311}/requests.json",
        data={"service_code": "onderhoud", "address_string": "Markt 1, 9401 AB Assen", "description": "Deur klemt"},
        headers=housing,
    )
    assert_contract(created, OPEN311_CREATED, never, status=201)


# --- the gemeente ------------------------------------------------------------------------------


def test_the_gemeente_receives_counts_and_its_own_agenda_items(world: World, wijk: FilledWijk) -> None:
    gemeente = world.headers(Role.gemeente)
    never = [*wijk.personal, *wijk.koppel_work(world), "raisedBy", "signalIds", "interventionIds"]
    statistics = world.client.get(f"{API}/wijken/{wijk.hoods.wijk_a.id}/statistics", headers=gemeente)
    assert_contract(statistics, STATISTICS, never)
    listed = assert_contract(world.client.get(f"{API}/agenda-items", headers=gemeente), ADDRESSEE_PAGE, never)
    assert [i["id"] for i in listed["items"]] == [wijk.gemeente_item["id"]]
    item = assert_contract(
        world.client.get(f"{API}/agenda-items/{wijk.gemeente_item['id']}", headers=gemeente), ADDRESSEE_ITEM, never
    )
    assert (item["addresseeReference"], item["response"]) == ("Z-2026-7", "Extra lantaarns geplaatst")


# --- the agency --------------------------------------------------------------------------------


def test_an_agency_receives_only_what_consent_covers(world: World, wijk: FilledWijk) -> None:
    agency = world.headers(Role.agency_worker)
    # Consent covers identity, contact details and the need: those may show. Notes, the koppel's own
    # work and who in the koppel did what never do.
    never = [*(note["text"] for note in wijk.notes), *wijk.koppel_work(world)[2:], "proposedBy", "followUpOn"]
    listed = assert_contract(world.client.get(f"{API}/referrals", headers=agency), AGENCY_REFERRAL_PAGE, never)
    assert {r["id"] for r in listed["items"]} == {wijk.referral["id"], wijk.refused_referral["id"]}
    for referral in (wijk.referral, wijk.refused_referral):
        read = assert_contract(world.client.get(f"{API}/referrals/{referral['id']}", headers=agency), AGENCY_REFERRAL, never)
        assert read["needDescription"] == "Rekeningen stapelen zich op sinds het ontslag"
    taken = world.client.post(
        f"{API}/referrals/{wijk.referral['id']}/status-changes", json={"to": "in_behandeling"},
        headers=with_version(agency, 3),
    )
    assert_contract(taken, AGENCY_REFERRAL, never)
    for person in (wijk.resident, wijk.neighbour):
        shared = world.client.get(f"{API}/residents/{person['id']}/shared-data", headers=agency)
        body = assert_contract(shared, SHARED_RESIDENT, never)
        assert set(body["sharedScope"]) == {"identity", "contact_details", "need_description"}


# --- smuggled fields on system-facing POSTs ----------------------------------------------------

SMUGGLED = ["ownerOrganisation", "status", "role", "organisationId", "version", "submittedByOrganisationId", "id"]


def stored_signals(world: World) -> int:
    async def work(uow):  # type: ignore[no-untyped-def]
        return (await uow.session.execute(select(func.count()).select_from(SIGNAL))).scalar_one()

    return world.run(work)


def smuggle(body: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    values = {"ownerOrganisation": str(uuid.uuid4()), "status": "afgehandeld", "role": "admin",
              "organisationId": str(uuid.uuid4()), "version": 7, "submittedByOrganisationId": str(uuid.uuid4()),
              "id": str(uuid.uuid4()), "wijkId": str(uuid.uuid4()), "raisedBy": "politie"}
    return {**body, **{f: values[f] for f in fields}}


def named(response: httpx.Response) -> set[str]:
    assert response.status_code == 400, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    return {p["name"] for p in response.json()["invalidParams"]}


@pytest.fixture
def served(world: World) -> dict[str, Any]:
    """Wijk A served by the corporation, and an item on the police's agenda that they took up."""
    hoods = build_neighbourhoods(world)
    admin_patch_wijk(world, hoods.wijk_a.id, postcodeRanges=[{"fromPostcode": "9401", "toPostcode": "9401"}])
    serve(world, wijkId=str(hoods.wijk_a.id))
    agent = world.headers(Role.wijkagent)
    raised = ok(world.client.post(f"{API}/agenda-items", json={
        "wijkId": str(hoods.wijk_a.id), "title": "Jongeren bij het winkelcentrum", "description": "Overlast",
        "theme": "veiligheid", "addressee": {"kind": "politie"},
    }, headers=agent), 201)
    ok(world.client.post(f"{API}/agenda-items/{raised['id']}/status-changes", json={"to": "geagendeerd"},
                         headers=with_version(agent, 1)))
    return raised


def test_a_housing_system_cannot_smuggle_fields_into_a_signal(world: World, served: dict[str, Any]) -> None:
    housing = world.headers(Role.housing_system)
    for field in SMUGGLED:
        response = world.client.post(
            f"{API}/signals", json=smuggle(signal("TA-SMUGGLED"), [field]),
            headers={**housing, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert named(response) == {field}
    everything = world.client.post(
        f"{API}/signals", json=smuggle(signal("TA-SMUGGLED"), SMUGGLED),
        headers={**housing, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert named(everything) == set(SMUGGLED)
    assert stored_signals(world) == 0
    clean = world.client.post(
        f"{API}/signals", json=signal("TA-SMUGGLED"), headers={**housing, "Idempotency-Key": str(uuid.uuid4())}
    )
    assert clean.status_code == 201, "the same signal without the smuggled fields is taken"


def test_a_batch_refuses_smuggled_fields_on_itself_and_on_each_item(world: World, served: dict[str, Any]) -> None:
    housing = world.headers(Role.housing_system)
    before = stored_signals(world)
    whole = world.client.post(
        f"{API}/signal-batches", json=smuggle({"signals": [signal("TA-B1")]}, ["ownerOrganisation", "status"]),
        headers={**housing, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert named(whole) == {"ownerOrganisation", "status"}
    assert stored_signals(world) == before
    items = [smuggle(signal(f"TA-B{n}"), [field]) for n, field in enumerate(SMUGGLED)] + [signal("TA-CLEAN")]
    response = world.client.post(
        f"{API}/signal-batches", json={"signals": items}, headers={**housing, "Idempotency-Key": str(uuid.uuid4())}
    )
    result = assert_contract(response, BATCH)
    assert (result["created"], result["rejected"]) == (1, len(SMUGGLED))
    for field, outcome in zip(SMUGGLED, result["results"], strict=False):
        assert outcome["outcome"] == "rejected" and outcome["signal"] is None
        assert {p["name"] for p in outcome["problem"]["invalidParams"]} == {field}
    assert stored_signals(world) == before + 1


def test_the_police_cannot_smuggle_fields_into_an_answer(world: World, served: dict[str, Any]) -> None:
    police = world.headers(Role.police_system)
    url = f"{API}/agenda-items/{served['id']}/answers"
    for field in ["ownerOrganisation", "role", "organisationId", "version", "wijkId", "raisedBy", "id"]:
        response = world.client.post(
            url, json=smuggle({"status": "in_behandeling", "addresseeReference": "BVH-9"}, [field]),
            headers={**police, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert named(response) == {field}
    item = world.client.get(f"{API}/agenda-items/{served['id']}", headers=world.headers(Role.wijkagent)).json()
    assert (item["status"], item["addresseeReference"]) == ("geagendeerd", None), "a refused answer changes nothing"


def test_an_open311_client_cannot_smuggle_parameters(world: World, served: dict[str, Any]) -> None:
    housing = world.headers(Role.housing_system)
    before = stored_signals(world)
    sent = {"service_code": "onderhoud", "address_string": "Markt 1, 9401 AB Assen", "description": "Deur klemt",
            "status": "closed", "organisationId": str(uuid.uuid4()), "role": "admin", "version": "7"}
    response = world.client.post(f"{O311}/requests.json", data=sent, headers=housing)
    assert response.status_code == 400, response.text
    described = " ".join(error["description"] for error in response.json())
    for name in ("status", "organisationId", "role", "version"):
        assert f"{name}:" in described
    assert stored_signals(world) == before
