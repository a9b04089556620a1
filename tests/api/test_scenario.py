"""One story end to end, over HTTP, asserting at each step what every role sees.

Fatima lives in Assen-Oost (wijk A, koppel A). She tells the wijkagent about a noisy neighbour and her
debts: a signal from a resident; the opbouwwerker visits her at home (a contact moment); the koppel
starts an intervention that moves through all six phases of the method; her debt need is matched to
a neighbour's offer and to an agency; she consents to the agency, is referred, and later withdraws her
consent; the koppel raises the social issue behind it with the police; the partners review their
shared goal for the quarter; and the gemeente reads the wijk's statistics — in which she cannot be
found.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from domain.dates import LOCAL_ZONE
from domain.identity import Role
from tests.factories import World, build_neighbourhoods, today
from tests.resident_support import AuditedApi, add_consent, audit_events, create_resident

API = "/api/v1"
OUTSIDERS = (Role.admin, Role.gemeente, Role.agency_worker, Role.privacy_officer, Role.police_system, Role.housing_system)


def status(world: World, url: str, role: Role) -> int:
    return world.client.get(url, headers=world.headers(role)).status_code


def created(response) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def moved(response) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_one_story_from_signal_to_statistics(world: World) -> None:
    hoods = build_neighbourhoods(world)
    api = AuditedApi(world)
    client = world.client
    agent, opbouw = world.headers(Role.wijkagent), world.headers(Role.opbouwwerker)
    agent_b = world.headers_for(hoods.koppel_b.members[Role.wijkagent])
    wijk, koppel = str(hoods.wijk_a.id), str(hoods.koppel_a.id)

    # --- 1. a signal from a resident ---------------------------------------------------------
    fatima = create_resident(api, agent, hoods.wijk_a.id)
    signal = created(client.post(f"{API}/signals", headers=agent, json={
        "wijkId": wijk, "source": "bewoner", "category": "geluidsoverlast", "urgency": "hoog",
        "description": "Bewoonster meldt harde muziek van de bovenburen, elke nacht.",
    }))
    signal_url = f"{API}/signals/{signal['id']}"
    assert status(world, signal_url, Role.opbouwwerker) == 200 and status(world, signal_url, Role.wijkbeheerder) == 200
    assert client.get(signal_url, headers=agent_b).status_code == 404
    assert status(world, signal_url, Role.housing_system) == 404, "not the corporation's own signal"
    for role in (Role.admin, Role.gemeente, Role.agency_worker, Role.privacy_officer, Role.police_system):
        assert status(world, signal_url, role) == 403, role
    signal = moved(client.post(f"{signal_url}/status-changes", json={"to": "in_behandeling"}, headers={**agent, "If-Match": '"1"'}))
    assert signal["firstActionAt"] is not None

    # --- 2. a home visit ---------------------------------------------------------------------
    visit_response = client.post(f"{API}/contact-moments", headers=opbouw, json={
        "wijkId": wijk, "koppelId": koppel, "kind": "huisbezoek", "place": "Bij Fatima thuis",
        # Local midnight: today in Amsterdam and never in the future, whatever the hour the suite runs.
        "occurredAt": datetime.combine(today(), time(0), LOCAL_ZONE).isoformat(), "residentIds": [fatima["id"]],
        "summary": "Zorgen over geluid en over rekeningen die blijven liggen.",
    })
    visit = created(visit_response)
    assert [e.action for e in audit_events(world, request_id=visit_response.headers["X-Request-ID"])] == ["create"]
    visit_url = f"{API}/contact-moments/{visit['id']}"
    assert client.get(visit_url, headers=agent).json()["residentIds"] == [fatima["id"]]
    assert client.get(visit_url, headers=agent_b).status_code == 404
    for role in OUTSIDERS:
        assert status(world, visit_url, role) == 403, role

    # --- 3. an intervention through all six phases --------------------------------------------
    intervention = created(client.post(f"{API}/interventions", headers=opbouw, json={
        "wijkId": wijk, "koppelId": koppel, "kind": "bemiddeling", "title": "Geluidsoverlast in de flat",
        "signalIds": [signal["id"]],
    }))
    url = f"{API}/interventions/{intervention['id']}"
    steps = [
        {"to": "activeren"},
        {"to": "toeleiden", "note": "Naar buurtbemiddeling en schuldhulp"},
        {"to": "nazorg", "followUpOn": (today() + timedelta(days=14)).isoformat()},
        {"to": "agenderen"},
        {"to": "evaluatie", "outcome": {"result": "deels_geslaagd", "text": "De buren praten weer; schulden in aanpak."}},
    ]
    for version, step in enumerate(steps, start=1):
        intervention = moved(client.post(f"{url}/phase-changes", json=step, headers={**opbouw, "If-Match": f'"{version}"'}))
        assert intervention["phase"] == step["to"]
    assert intervention["closedAt"] is not None
    history = client.get(f"{url}/phase-changes", headers=agent).json()["items"]
    assert [h["toPhase"] for h in history] == [
        "kwartier_maken", "activeren", "toeleiden", "nazorg", "agenderen", "evaluatie",
    ]
    closed = client.patch(url, json={"title": "Iets anders"}, headers={**opbouw, "If-Match": '"6"'})
    assert closed.status_code == 409, "closed is read-only"
    assert client.get(url, headers=agent_b).status_code == 404
    for role in OUTSIDERS:
        assert status(world, url, role) == 403, role
    assert client.get(signal_url, headers=agent).json()["interventionIds"] == [intervention["id"]]

    # --- 4. a need matched to a neighbour's offer and to an agency --------------------------------
    henk = create_resident(api, opbouw, hoods.wijk_a.id, givenName="Henk", familyName="Smit", email="henk@voorbeeld.nl")
    neighbour_offer = created(client.post(f"{API}/offers", headers=opbouw, json={
        "providerOrganisationId": str(world.organisations["welzijn"].id), "title": "Buurman helpt met de post",
        "description": "Een oud-boekhouder uit de straat helpt met post en betalingen.", "categories": ["schulden"],
        "wijkIds": [wijk], "capacity": 1, "contactRoute": "Via de opbouwwerker", "volunteerResidentId": henk["id"],
    }))
    agency_id = world.organisations["instantie"].id
    agency_offer = created(client.post(f"{API}/offers", headers=world.headers(Role.admin), json={
        "providerOrganisationId": str(agency_id), "title": "Schuldhulpmaatje", "description": "Een jaar lang hulp.",
        "categories": ["schulden", "financien"], "municipalityCode": hoods.wijk_a.municipality_code, "capacity": 3,
        "contactRoute": "Aanmelden via de koppel",
    }))
    need = created(client.post(f"{API}/needs", headers=opbouw, json={
        "wijkId": wijk, "koppelId": koppel, "residentId": fatima["id"], "category": "schulden",
        "description": "Achterstand huur en energie; post blijft ongeopend.", "urgency": "hoog",
    }))
    matches = client.get(f"{API}/needs/{need['id']}/matches", headers=opbouw).json()["items"]
    assert [(m["offerId"], m["neighbour"]) for m in matches] == [(neighbour_offer["id"], True), (agency_offer["id"], False)]
    assert "a neighbour from this wijk volunteers" in matches[0]["reasons"] and "1 place left" in matches[0]["reasons"]
    assert "serves all of GM0106" in matches[1]["reasons"]
    assert henk["id"] not in client.get(f"{API}/offers/{neighbour_offer['id']}", headers=world.headers(Role.admin)).text
    for role in OUTSIDERS:
        assert status(world, f"{API}/needs/{need['id']}", role) == 403, role

    # --- 5. consent given, the agency sees; consent withdrawn, it does not -----------------------
    agency = world.headers(Role.agency_worker)
    referral = created(client.post(f"{API}/referrals", headers=opbouw, json={
        "needId": need["id"], "offerId": agency_offer["id"], "note": "Graag een vrouwelijke vrijwilliger.",
    }))
    referral_url = f"{API}/referrals/{referral['id']}"
    assert client.get(referral_url, headers=agency).status_code == 404, "proposed: not yet the agency's"
    no_consent = client.post(f"{referral_url}/status-changes", json={"to": "aangemeld"}, headers={**opbouw, "If-Match": '"1"'})
    assert no_consent.status_code == 409
    consent = add_consent(api, opbouw, fatima["id"], agency_id, ("identity", "contact_details", "need_description"))
    sent = moved(client.post(f"{referral_url}/status-changes", json={"to": "aangemeld"}, headers={**opbouw, "If-Match": '"1"'}))
    assert sent["status"] == "aangemeld" and sent["followUpOn"] == (today() + timedelta(days=14)).isoformat()
    seen = client.get(referral_url, headers=agency).json()
    assert seen["residents"][0]["familyName"] == fatima["familyName"] and seen["needDescription"] == need["description"]
    assert "followUpOn" not in seen and "residentIds" not in seen and "wijkId" not in seen
    assert client.get(f"{API}/residents/{fatima['id']}/shared-data", headers=agency).status_code == 200
    assert client.get(f"{API}/residents/{fatima['id']}", headers=agency).status_code == 403
    taken = moved(client.post(f"{referral_url}/status-changes", json={"to": "in_behandeling"}, headers={**agency, "If-Match": '"2"'}))
    assert taken["status"] == "in_behandeling"
    for role in (Role.admin, Role.gemeente, Role.privacy_officer, Role.police_system, Role.housing_system):
        assert status(world, referral_url, role) == 403, role

    withdrawal = client.post(f"{API}/residents/{fatima['id']}/consents/{consent['id']}/withdrawal", headers=opbouw)
    assert withdrawal.status_code == 200, withdrawal.text
    assert client.get(referral_url, headers=agency).status_code == 404
    assert client.get(f"{API}/referrals", headers=agency).json()["items"] == []
    assert client.get(f"{API}/residents/{fatima['id']}/shared-data", headers=agency).status_code == 404
    assert client.get(referral_url, headers=opbouw).json()["status"] == "in_behandeling"
    follow_ups = client.get(
        f"{API}/koppels/{koppel}/follow-ups?due={(today() + timedelta(days=14)).isoformat()}", headers=agent
    ).json()["items"]
    assert [f["referralId"] for f in follow_ups] == [referral["id"]]

    # --- 6. an agenda item raised to the police ------------------------------------------------
    leak = client.post(f"{API}/agenda-items", headers=agent, json={
        "wijkId": wijk, "title": "Nachtelijke overlast in de flats", "theme": "veiligheid",
        "description": "Melder bereikbaar op 06-12345678.", "addressee": {"kind": "politie"},
    })
    assert leak.status_code == 400, "no personal data towards the police"
    item = created(client.post(f"{API}/agenda-items", headers=agent, json={
        "wijkId": wijk, "title": "Nachtelijke overlast in de flats", "theme": "veiligheid", "priority": "hoog",
        "description": "Structureel geluidsoverlast en burenruzies in de portiekflats aan de oostkant.",
        "addressee": {"kind": "politie"}, "signalIds": [signal["id"]], "interventionIds": [intervention["id"]],
    }))
    item_url = f"{API}/agenda-items/{item['id']}"
    item = moved(client.post(f"{item_url}/status-changes", json={"to": "geagendeerd"}, headers={**agent, "If-Match": '"1"'}))
    assert item["status"] == "geagendeerd"
    assert status(world, item_url, Role.opbouwwerker) == 200
    assert status(world, item_url, Role.gemeente) == 404, "addressed to the police, not to the gemeente"
    assert client.get(item_url, headers=agent_b).status_code == 404
    for role in (Role.admin, Role.agency_worker, Role.privacy_officer, Role.police_system, Role.housing_system):
        assert status(world, item_url, role) == 403, role  # the police read it through their feed (issue 6)
    assert fatima["familyName"] not in client.get(item_url, headers=agent).text

    # --- 7. a quarterly review of a shared goal -----------------------------------------------
    goals_url = f"{API}/wijken/{wijk}/goals"
    goal = created(client.post(goals_url, headers=opbouw, json={
        "year": today().year, "title": "Minder burenoverlast", "indicator": "Meldingen van burenoverlast per kwartaal",
        "target": {"value": 10, "unit": "meldingen"},
    }))
    review = created(client.post(f"{goals_url}/{goal['id']}/reviews", headers=agent, json={
        "year": today().year, "quarter": (today().month - 1) // 3 + 1, "value": 14, "note": "Bemiddeling loopt.",
    }))
    gemeente = world.headers(Role.gemeente)
    assert client.get(f"{goals_url}/{goal['id']}/reviews", headers=gemeente).json()["items"] == [review]
    assert client.post(f"{goals_url}/{goal['id']}/reviews", headers=gemeente, json={
        "year": today().year, "quarter": 4, "value": 1,
    }).status_code == 403, "the gemeente reads, the partners in the wijk review"
    for role in (Role.agency_worker, Role.privacy_officer, Role.police_system, Role.housing_system):
        assert status(world, goals_url, role) == 403, role

    # --- 8. the wijk's statistics ---------------------------------------------------------------
    stats_url = f"{API}/wijken/{wijk}/statistics"
    stats = client.get(stats_url, headers=gemeente)
    assert stats.status_code == 200, stats.text
    body = stats.json()
    month = today().strftime("%Y-%m")
    assert {"period": month, "category": "geluidsoverlast", "count": "<5"} in body["signals"]
    assert {"period": month, "kind": "huisbezoek", "count": "<5"} in body["contactMoments"]
    assert {"period": month, "phase": "evaluatie", "count": "<5"} in body["interventions"]
    assert {"period": month, "status": "in_behandeling", "count": "<5"} in body["referrals"]
    assert body["signalFirstAction"] == {"signals": "<5", "medianHours": None, "averageHours": None}
    for private in (fatima["id"], fatima["familyName"], henk["familyName"], "rekeningen"):
        assert private not in stats.text
    assert client.get(stats_url, headers=agent).json() == body
    for role in (Role.admin, Role.agency_worker, Role.privacy_officer, Role.police_system, Role.housing_system):
        assert status(world, stats_url, role) == 403, role

    # --- and Fatima may ask what is held on her, and who saw it ------------------------------------
    exported = api.get(f"{API}/residents/{fatima['id']}/export", world.headers(Role.privacy_officer)).json()
    assert [m["id"] for m in exported["contactMoments"]] == [visit["id"]]
    assert [n["id"] for n in exported["needs"]] == [need["id"]]
    assert [r["id"] for r in exported["referrals"]] == [referral["id"]]
    roles_that_saw_her = {a["actorRole"] for a in exported["accesses"]}
    assert {"wijkagent", "opbouwwerker", "agency_worker", "privacy_officer"} <= roles_that_saw_her
    assert "gemeente" not in roles_that_saw_her and "admin" not in roles_that_saw_her
