"""Referrals over HTTP: proposing, sending only under consent, the agency's consented view (and its
disappearance when consent is withdrawn), who makes which move, places of an offer, a neighbour
mediation with two residents, nazorg follow-ups, the history, and erasure of a party."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from fastapi import FastAPI

from domain import referrals
from domain.audit import Access
from domain.errors import Conflict
from domain.identity import Role
from domain.referrals import ReferralMove, ReferralStatus
from domain.scope import load_scope
from persistence.uow import SqlUnitOfWork
from tests.factories import Neighbourhoods, World, build_neighbourhoods, today
from tests.resident_support import AuditedApi, add_consent, audit_events, create_resident

API = "/api/v1"
URL = f"{API}/referrals"
AGENCY_KEYS = {
    "id", "offerId", "offerTitle", "category", "urgency", "mediation", "status", "note", "needDescription",
    "rejectionReason", "residents", "registeredAt", "closedAt",
}
SHARED_KEYS = {"id", "sharedScope", "consentIds", "givenName", "familyName", "address", "phone", "email"}


@pytest.fixture
def hoods(world: World) -> Neighbourhoods:
    return build_neighbourhoods(world)


class Story:
    """A resident of wijk A with a debt need, and the agency's offer with `capacity` places."""

    def __init__(self, world: World, hoods: Neighbourhoods, capacity: int | None = 2, category: str = "schulden") -> None:
        self.world, self.hoods = world, hoods
        self.api = AuditedApi(world)
        self.koppel = world.headers(Role.opbouwwerker)
        self.agency = world.headers(Role.agency_worker)
        self.agency_id = world.organisations["instantie"].id
        self.resident = create_resident(self.api, self.koppel, hoods.wijk_a.id)
        self.need = self.post(f"{API}/needs", {
            "wijkId": str(hoods.wijk_a.id), "koppelId": str(hoods.koppel_a.id), "residentId": self.resident["id"],
            "category": category, "description": "Rekeningen stapelen zich op sinds het ontslag.",
        })
        self.offer = self.post(f"{API}/offers", {
            "providerOrganisationId": str(self.agency_id), "title": "Schuldhulpmaatje", "description": "Hulp bij post",
            "categories": [category], "wijkIds": [str(hoods.wijk_a.id)], "contactRoute": "Via de opbouwwerker",
            **({"capacity": capacity} if capacity is not None else {}),
        }, world.headers(Role.admin))

    def post(self, url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
        response = self.world.client.post(url, json=body, headers=headers or self.koppel)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def propose(self, **fields: Any) -> dict[str, Any]:
        return self.post(URL, {"needId": self.need["id"], "offerId": self.offer["id"], **fields})

    def move(self, referral: dict[str, Any], headers: dict[str, str], version: int, **body: Any):  # type: ignore[no-untyped-def]
        return self.world.client.post(
            f"{URL}/{referral['id']}/status-changes", json=body, headers={**headers, "If-Match": f'"{version}"'}
        )

    def consent(self, resident_id: str | None = None, scope: tuple[str, ...] = ("identity", "contact_details")) -> dict[str, Any]:
        return add_consent(self.api, self.koppel, resident_id or self.resident["id"], self.agency_id, scope)

    def places(self) -> int | None:
        return self.world.client.get(f"{API}/offers/{self.offer['id']}", headers=self.koppel).json()["capacity"]  # type: ignore[no-any-return]


def ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_sent_only_with_consent_seen_by_the_agency_only_under_consent(world: World, hoods: Neighbourhoods) -> None:
    story = Story(world, hoods)
    referral = story.propose(note="Graag contact in de ochtend.")
    assert (referral["status"], referral["residentIds"], referral["mediation"]) == ("voorgesteld", [story.resident["id"]], False)
    assert referral["followUpOn"] == (today() + timedelta(days=14)).isoformat()
    assert (referral["organisationId"], referral["offerTitle"]) == (str(story.agency_id), "Schuldhulpmaatje")
    url = f"{URL}/{referral['id']}"
    # proposed: nothing reaches the agency yet
    assert world.client.get(url, headers=story.agency).status_code == 404
    assert ids(world.client.get(URL, headers=story.agency)) == []

    refused = story.move(referral, story.koppel, 1, to="aangemeld")
    assert refused.status_code == 409 and story.resident["id"] in refused.json()["detail"]
    story.consent(scope=("contact_details",))  # covers no identity: still not enough
    assert story.move(referral, story.koppel, 1, to="aangemeld").status_code == 409
    consent = story.consent()
    sent = story.move(referral, story.koppel, 1, to="aangemeld")
    assert sent.status_code == 200, sent.text
    assert (sent.json()["status"], sent.json()["holdsPlace"], sent.headers["ETag"]) == ("aangemeld", True, '"2"')
    assert story.places() == 1

    response = world.client.get(url, headers=story.agency)
    assert response.status_code == 200, response.text
    seen = response.json()
    assert set(seen) == AGENCY_KEYS, "the agency's view is purpose-built"
    assert set(seen["residents"][0]) == SHARED_KEYS
    assert seen["residents"][0]["givenName"] == "Fatima" and seen["residents"][0]["phone"] == "06 4321 8765"
    assert seen["needDescription"] is None, "the consent does not cover the need's description"
    assert (seen["note"], seen["category"], seen["urgency"]) == ("Graag contact in de ochtend.", "schulden", "normaal")
    events = audit_events(world, request_id=response.headers["X-Request-ID"])
    assert [(e.action, e.record_kind, e.actor_role) for e in events] == [("read", "referral", "agency_worker")]
    assert {"givenName", "phone", "referral"} <= set(events[0].fields)
    assert [r["id"] for r in world.client.get(URL, headers=story.agency).json()["items"]] == [referral["id"]]

    # the koppel may not make the agency's moves, the agency not the koppel's
    assert story.move(referral, story.koppel, 2, to="in_behandeling").status_code == 403
    assert story.move(referral, story.agency, 2, to="ingetrokken").status_code == 403
    assert story.move(referral, story.agency, 2, to="afgerond").status_code == 409
    taken = story.move(referral, story.agency, 2, to="in_behandeling")
    assert taken.status_code == 200 and set(taken.json()) == AGENCY_KEYS and taken.json()["status"] == "in_behandeling"

    # withdrawal of consent withdraws the agency's view at the next request
    withdrawn = world.client.post(
        f"{API}/residents/{story.resident['id']}/consents/{consent['id']}/withdrawal", headers=story.koppel
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert world.client.get(url, headers=story.agency).status_code == 404
    assert ids(world.client.get(URL, headers=story.agency)) == []
    assert story.move(referral, story.agency, 3, to="afgerond").status_code == 404
    koppel_view = world.client.get(url, headers=story.koppel).json()
    assert koppel_view["status"] == "in_behandeling" and koppel_view["note"] == "Graag contact in de ochtend."

    closed = story.move(referral, story.koppel, 3, to="ingetrokken", reason="Mevrouw wil het zelf regelen")
    assert closed.status_code == 200 and closed.json()["withdrawalReason"] == "Mevrouw wil het zelf regelen"
    assert closed.json()["holdsPlace"] is False and closed.json()["closedAt"]
    assert story.places() == 2, "closing gives the place back"
    assert story.move(referral, story.koppel, 4, to="aangemeld").status_code == 409
    read_history = world.client.get(f"{url}/status-changes", headers=story.koppel)
    history = read_history.json()["items"]
    assert [e.resident_id for e in audit_events(world, request_id=read_history.headers["X-Request-ID"])] == [
        UUID(story.resident["id"])
    ]
    assert [(h["fromStatus"], h["toStatus"]) for h in history] == [
        (None, "voorgesteld"), ("voorgesteld", "aangemeld"), ("aangemeld", "in_behandeling"), ("in_behandeling", "ingetrokken"),
    ]
    assert world.client.get(f"{url}/status-changes", headers=story.agency).status_code == 403  # the koppel's record


def test_who_else_never_sees_a_referral(world: World, hoods: Neighbourhoods) -> None:
    story = Story(world, hoods)
    referral = story.propose()
    url = f"{URL}/{referral['id']}"
    agent_b = world.headers_for(hoods.koppel_b.members[Role.wijkagent])
    assert world.client.get(url, headers=agent_b).status_code == 404
    assert ids(world.client.get(URL, headers=agent_b)) == []
    other_agency = world.headers_for(world.add_user(Role.agency_worker, organisation="welzijn"))
    story.consent()
    assert story.move(referral, story.koppel, 1, to="aangemeld").status_code == 200
    assert world.client.get(url, headers=other_agency).status_code == 404
    for role in (Role.admin, Role.gemeente, Role.privacy_officer, Role.police_system, Role.housing_system):
        assert world.client.get(url, headers=world.headers(role)).status_code == 403


def test_a_refusal_needs_a_reason_and_gives_the_place_back(world: World, hoods: Neighbourhoods) -> None:
    story = Story(world, hoods, capacity=1)
    story.consent()
    referral = story.propose()
    assert story.move(referral, story.koppel, 1, to="aangemeld").status_code == 200
    assert story.places() == 0
    assert story.move(referral, story.agency, 2, to="afgewezen").status_code == 400
    refused = story.move(referral, story.agency, 2, to="afgewezen", reason="Valt buiten onze doelgroep")
    assert refused.status_code == 200 and refused.json()["rejectionReason"] == "Valt buiten onze doelgroep"
    assert story.places() == 1
    assert world.client.get(f"{URL}/{referral['id']}", headers=story.koppel).json()["status"] == "afgewezen"


def test_no_place_left_is_a_409_and_unlimited_offers_hold_no_place(world: World, hoods: Neighbourhoods) -> None:
    story = Story(world, hoods, capacity=0)
    story.consent()
    referral = story.propose()
    full = story.move(referral, story.koppel, 1, to="aangemeld")
    assert full.status_code == 409 and "no places left" in full.json()["detail"]
    assert story.places() == 0
    open_ended = Story(world, hoods, capacity=None)
    open_ended.consent()
    sent = open_ended.move(open_ended.propose(), open_ended.koppel, 1, to="aangemeld")
    assert sent.status_code == 200 and sent.json()["holdsPlace"] is False


def test_what_a_proposal_may_name(world: World, hoods: Neighbourhoods) -> None:
    story = Story(world, hoods)
    koppel = story.koppel
    other = create_resident(story.api, koppel, hoods.wijk_a.id, givenName="Kees", email="kees@voorbeeld.nl")
    language = story.post(f"{API}/offers", {
        "providerOrganisationId": str(story.agency_id), "title": "Taalcafé", "description": "Nederlands oefenen",
        "categories": ["taal"], "wijkIds": [str(hoods.wijk_a.id)], "contactRoute": "Vrijdag in de bieb",
    }, world.headers(Role.admin))
    elsewhere = story.post(f"{API}/offers", {
        "providerOrganisationId": str(story.agency_id), "title": "Elders", "description": "Hulp",
        "categories": ["schulden"], "wijkIds": [str(hoods.wijk_b.id)], "contactRoute": "Bel",
    }, world.headers(Role.admin))
    for body, field in [
        ({"needId": story.need["id"], "offerId": language["id"]}, "offerId"),  # does not help with schulden
        ({"needId": story.need["id"], "offerId": elsewhere["id"]}, "offerId"),  # not in scope for koppel A
        ({"needId": story.need["id"], "offerId": story.offer["id"], "note": "Bel 06 1234 5678"}, "note"),
        ({"needId": story.need["id"], "offerId": story.offer["id"], "residentIds": [story.resident["id"], other["id"]]}, "residentIds"),
    ]:
        response = world.client.post(URL, json=body, headers=koppel)
        assert response.status_code == 400, (field, response.text)
        assert field in [p["name"] for p in response.json()["invalidParams"]]
    agent_b = world.headers_for(hoods.koppel_b.members[Role.wijkagent])
    assert world.client.post(URL, json={"needId": story.need["id"], "offerId": story.offer["id"]}, headers=agent_b).status_code == 400
    assert world.client.post(URL, json={"needId": story.need["id"], "offerId": story.offer["id"]}, headers=story.agency).status_code == 403
    story.propose()
    assert world.client.post(URL, json={"needId": story.need["id"], "offerId": story.offer["id"]}, headers=koppel).status_code == 409


def test_a_neighbour_mediation_needs_both_parties_consent_and_shows_both_to_the_mediators(world: World, hoods: Neighbourhoods) -> None:
    story = Story(world, hoods, category="burenconflict")
    neighbour = create_resident(story.api, story.koppel, hoods.wijk_a.id, givenName="Kees", familyName="Bakker",
                                email="kees@voorbeeld.nl", phone="06 9999 0000")
    assert world.client.post(URL, json={"needId": story.need["id"], "offerId": story.offer["id"]}, headers=story.koppel).status_code == 400
    referral = story.propose(residentIds=[story.resident["id"], neighbour["id"]], note="Geluid en de schutting.")
    assert referral["mediation"] is True and set(referral["residentIds"]) == {story.resident["id"], neighbour["id"]}
    story.consent()
    one_party = story.move(referral, story.koppel, 1, to="aangemeld")
    assert one_party.status_code == 409 and "both parties" in one_party.json()["detail"] and neighbour["id"] in one_party.json()["detail"]
    story.consent(neighbour["id"], scope=("identity",))
    assert story.move(referral, story.koppel, 1, to="aangemeld").status_code == 200

    response = world.client.get(f"{URL}/{referral['id']}", headers=story.agency)
    seen = response.json()
    assert set(seen) == AGENCY_KEYS and seen["mediation"] is True
    parties = {p["givenName"]: p for p in seen["residents"]}
    assert set(parties) == {"Fatima", "Kees"}
    assert parties["Fatima"]["phone"] == "06 4321 8765"
    assert (parties["Kees"]["familyName"], parties["Kees"]["phone"], parties["Kees"]["email"]) == ("Bakker", None, None)
    assert seen["needDescription"] is None
    events = audit_events(world, request_id=response.headers["X-Request-ID"])
    assert {str(e.resident_id) for e in events} == {story.resident["id"], neighbour["id"]}
    # nothing else of either party: not their notes, not the koppel's record of them
    assert world.client.get(f"{API}/residents/{neighbour['id']}", headers=story.agency).status_code == 403
    assert world.client.get(f"{API}/needs/{story.need['id']}", headers=story.agency).status_code == 403


def test_follow_ups_due_and_overdue_per_koppel(world: World, hoods: Neighbourhoods) -> None:
    story = Story(world, hoods)
    story.consent()
    soon = story.propose()
    assert story.move(soon, story.koppel, 1, to="aangemeld", followUpOn=today().isoformat()).status_code == 200
    later = story.post(URL, {"needId": story.post(f"{API}/needs", {
        "wijkId": str(hoods.wijk_a.id), "koppelId": str(hoods.koppel_a.id), "category": "schulden",
        "description": "Tweede vraag",
    })["id"], "offerId": story.offer["id"]})
    url = f"{API}/koppels/{hoods.koppel_a.id}/follow-ups"
    due_today = world.client.get(url, headers=story.koppel)
    assert due_today.status_code == 200, due_today.text
    assert [(f["referralId"], f["overdue"]) for f in due_today.json()["items"]] == [(soon["id"], False)]
    assert "residentIds" not in due_today.json()["items"][0]
    in_two_weeks = (today() + timedelta(days=14)).isoformat()
    assert [f["referralId"] for f in world.client.get(f"{url}?due={in_two_weeks}", headers=story.koppel).json()["items"]] == [soon["id"], later["id"]]
    done = world.client.patch(f"{URL}/{soon['id']}", json={"followedUpOn": today().isoformat()}, headers={**story.koppel, "If-Match": '"2"'})
    assert done.status_code == 200, done.text
    assert world.client.get(url, headers=story.koppel).json()["items"] == []
    tomorrow = (today() + timedelta(days=1)).isoformat()
    assert world.client.patch(f"{URL}/{later['id']}", json={"followedUpOn": tomorrow}, headers={**story.koppel, "If-Match": '"1"'}).status_code == 400
    agent_b = world.headers_for(hoods.koppel_b.members[Role.wijkagent])
    assert world.client.get(url, headers=agent_b).status_code == 404
    assert world.client.get(url, headers=story.agency).status_code == 403


def test_erasing_a_party_withdraws_the_referral_and_removes_its_texts(world: World, hoods: Neighbourhoods) -> None:
    story = Story(world, hoods, capacity=1)
    story.consent()
    referral = story.propose(note="Graag snel oppakken.")
    assert story.move(referral, story.koppel, 1, to="aangemeld").status_code == 200
    privacy = world.headers(Role.privacy_officer)
    exported = story.api.get(f"{API}/residents/{story.resident['id']}/export", privacy).json()
    assert [(r["id"], r["note"], r["status"]) for r in exported["referrals"]] == [(referral["id"], "Graag snel oppakken.", "aangemeld")]
    erasure = story.api.post(f"{API}/residents/{story.resident['id']}/erasure", privacy).json()
    assert erasure["referralsRedacted"] == 1
    after = world.client.get(f"{URL}/{referral['id']}", headers=story.koppel).json()
    assert (after["status"], after["note"], after["residentIds"], after["holdsPlace"]) == ("ingetrokken", None, [], False)
    assert after["redactedAt"] is not None
    assert story.places() == 1
    history = world.client.get(f"{URL}/{referral['id']}/status-changes", headers=story.koppel).json()["items"]
    assert history[-1]["changedBy"] is None and history[-1]["toStatus"] == "ingetrokken"
    # the agency learns the referral was withdrawn, and nothing of the resident any more
    stub = world.client.get(f"{URL}/{referral['id']}", headers=story.agency).json()
    assert (stub["status"], stub["residents"], stub["note"]) == ("ingetrokken", [], None)


def test_concurrent_sends_never_take_more_places_than_there_are(
    world: World, hoods: Neighbourhoods, app: FastAPI, backend: str
) -> None:
    story = Story(world, hoods, capacity=2)
    story.consent()
    proposed = [story.propose()]
    for n in range(5):
        need = story.post(f"{API}/needs", {
            "wijkId": str(hoods.wijk_a.id), "koppelId": str(hoods.koppel_a.id), "residentId": story.resident["id"],
            "category": "schulden", "description": f"Vraag {n}",
        })
        proposed.append(story.post(URL, {"needId": need["id"], "offerId": story.offer["id"]}))
    scope = world.run(lambda uow: load_scope(uow, world.principals[Role.opbouwwerker], today()))

    async def one(referral_id: UUID) -> str:
        async with app.state.session_factory() as session:
            try:
                await referrals.move_referral(
                    SqlUnitOfWork(session), Access(scope, "race"), referral_id,
                    1, ReferralMove(ReferralStatus.aangemeld), datetime.now(UTC),
                )
                return "sent"
            except Conflict:
                return "full"
            except Exception as exc:  # a busy SQLite writer: refused, nothing stored
                return type(exc).__name__

    async def race() -> list[str]:
        return list(await asyncio.gather(*(one(UUID(r["id"])) for r in proposed)))

    assert world.client.portal is not None
    outcomes = world.client.portal.call(race)
    if backend == "postgresql":  # row locks serialise the conditional UPDATEs: exactly two win
        assert sorted(outcomes) == ["full"] * 4 + ["sent"] * 2
    assert outcomes.count("sent") <= 2
    assert story.places() == 2 - outcomes.count("sent") >= 0
    holding = [r for r in world.client.get(f"{URL}?status=aangemeld", headers=story.koppel).json()["items"] if r["holdsPlace"]]
    assert len(holding) == outcomes.count("sent")
