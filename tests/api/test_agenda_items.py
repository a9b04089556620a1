"""Agenda items over HTTP: raised by the koppel, answered by the addressee, never carrying personal data;
withdrawal and deletion leave tombstones in a strictly ordered change log; scope, views, If-Match,
filters and pages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from domain import accounts
from domain.identity import OrganisationKind, Role
from tests.factories import Neighbourhoods, World, build_neighbourhoods

API = "/api/v1"


@pytest.fixture
def hoods(world: World) -> Neighbourhoods:
    return build_neighbourhoods(world)


def item_body(hoods: Neighbourhoods, **fields: Any) -> dict[str, Any]:
    return {
        "wijkId": str(hoods.wijk_a.id),
        "title": "Jongeren bij het winkelcentrum",
        "description": "Elke avond overlast na 22 uur; bewoners durven er niet meer langs.",
        "theme": "veiligheid",
        "addressee": {"kind": "politie"},
        **fields,
    }


def raise_item(world: World, hoods: Neighbourhoods, headers: dict[str, str] | None = None, **fields: Any):  # type: ignore[no-untyped-def]
    return world.client.post(
        f"{API}/agenda-items", json=item_body(hoods, **fields), headers=headers or world.headers(Role.opbouwwerker)
    )


def raised(world: World, hoods: Neighbourhoods, **fields: Any) -> dict[str, Any]:
    response = raise_item(world, hoods, **fields)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def move(world: World, item: dict[str, Any], etag: str, headers: dict[str, str], **change: Any):  # type: ignore[no-untyped-def]
    return world.client.post(
        f"{API}/agenda-items/{item['id']}/status-changes", json=change, headers={**headers, "If-Match": etag}
    )


def ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def change_log(world: World, item_id: str) -> list[tuple[int, str, str]]:
    entries = world.run(lambda uow: uow.agenda_items.changes(UUID(item_id)))
    return [(e.sequence, e.kind.value, e.status.value) for e in entries]


def test_the_koppel_raises_an_item_and_the_gemeente_answers_it(world: World, hoods: Neighbourhoods) -> None:
    worker, gemeente = world.headers(Role.opbouwwerker), world.headers(Role.gemeente)
    item = raised(world, hoods, addressee={"kind": "gemeente"}, theme="leefbaarheid", priority="hoog")
    assert (item["status"], item["priority"], item["addressee"]) == (
        "concept",
        "hoog",
        {"kind": "gemeente", "organisationId": None},
    )
    assert item["raisedBy"]["displayName"] == "opbouwwerker"
    url = f"{API}/agenda-items/{item['id']}"
    # a concept stays inside the koppel
    assert world.client.get(url, headers=gemeente).status_code == 404
    assert ids(world.client.get(f"{API}/agenda-items", headers=gemeente)) == []

    submitted = move(world, item, '"1"', worker, to="geagendeerd")
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["submittedAt"]
    seen = world.client.get(url, headers=gemeente)
    assert seen.status_code == 200
    assert "raisedBy" not in seen.json() and "signalIds" not in seen.json()
    assert seen.json()["status"] == "geagendeerd"
    assert ids(world.client.get(f"{API}/agenda-items", headers=gemeente)) == [item["id"]]

    # the addressee answers; the koppel cannot answer for it, and the gemeente cannot edit the item
    assert move(world, item, '"2"', worker, to="in_behandeling").status_code == 403
    taken = move(world, item, '"2"', gemeente, to="in_behandeling", addresseeReference="Z/26/001")
    assert taken.status_code == 200, taken.text
    assert taken.json()["addresseeReference"] == "Z/26/001" and "raisedBy" not in taken.json()
    assert world.client.patch(url, json={"priority": "laag"}, headers={**gemeente, "If-Match": '"3"'}).status_code == 403
    too_late = world.client.patch(url, json={"priority": "laag"}, headers={**worker, "If-Match": '"3"'})
    assert too_late.status_code == 409
    no_answer = move(world, item, '"3"', gemeente, to="afgehandeld")
    assert no_answer.status_code == 400 and no_answer.json()["invalidParams"][0]["name"] == "response"
    leak = move(world, item, '"3"', gemeente, to="afgehandeld", response="Bel wethouder op 06-12345678")
    assert leak.status_code == 400 and leak.json()["invalidParams"][0]["name"] == "response"
    done = move(world, item, '"3"', gemeente, to="afgehandeld", response="Extra verlichting en een jongerenwerker.")
    assert done.status_code == 200
    assert done.json()["closedAt"] and done.json()["response"] == "Extra verlichting en een jongerenwerker."
    assert move(world, item, '"4"', worker, to="ingetrokken").status_code == 409  # finished is final
    # the koppel reads the whole item, with the answer
    full = world.client.get(url, headers=world.headers(Role.wijkagent)).json()
    assert (full["status"], full["addresseeReference"], full["raisedBy"]["displayName"]) == (
        "afgehandeld",
        "Z/26/001",
        "opbouwwerker",
    )
    assert [kind for _, kind, _ in change_log(world, item["id"])] == ["created", "submitted", "updated", "updated"]


@pytest.mark.parametrize(
    ("field", "text", "code"),
    [
        ("title", "Overlast rond 9401 AB 12", "personal_data_address"),
        ("description", "De melder is bereikbaar op 0592-123456.", "personal_data_phone"),
        ("description", "Zie mail van jan.jansen@example.nl", "personal_data_email"),
        ("title", "Bewoner met BSN 111222333", "personal_data_bsn"),
    ],
)
def test_texts_with_personal_data_are_refused_naming_the_field(
    world: World, hoods: Neighbourhoods, field: str, text: str, code: str
) -> None:
    response = raise_item(world, hoods, **{field: text})
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert [(p["name"], p["code"]) for p in response.json()["invalidParams"]] == [(field, code)]
    # and on a change too
    item = raised(world, hoods)
    changed = world.client.patch(
        f"{API}/agenda-items/{item['id']}",
        json={field: text},
        headers={**world.headers(Role.opbouwwerker), "If-Match": '"1"'},
    )
    assert changed.status_code == 400 and changed.json()["invalidParams"][0]["name"] == field


def test_withdrawal_and_deletion_leave_tombstones_in_order(world: World, hoods: Neighbourhoods) -> None:
    worker, gemeente = world.headers(Role.opbouwwerker), world.headers(Role.gemeente)
    item = raised(world, hoods, addressee={"kind": "gemeente"})
    assert move(world, item, '"1"', worker, to="geagendeerd").status_code == 200
    withdrawn = move(world, item, '"2"', worker, to="ingetrokken", reason="De gemeente pakt het al op.")
    assert withdrawn.status_code == 200, withdrawn.text
    assert (withdrawn.json()["status"], withdrawn.json()["withdrawalReason"]) == ("ingetrokken", "De gemeente pakt het al op.")
    # the addressee still sees what happened to it
    assert world.client.get(f"{API}/agenda-items/{item['id']}", headers=gemeente).json()["status"] == "ingetrokken"
    assert move(world, item, '"3"', gemeente, to="in_behandeling").status_code == 409

    concept = raised(world, hoods)
    url = f"{API}/agenda-items/{concept['id']}"
    assert world.client.delete(url, headers=worker).status_code == 428
    assert world.client.delete(url, headers={**worker, "If-Match": '"9"'}).status_code == 412
    assert world.client.delete(url, headers={**worker, "If-Match": '"1"'}).status_code == 204
    assert world.client.get(url, headers=worker).status_code == 404
    assert world.client.delete(url, headers={**worker, "If-Match": '"1"'}).status_code == 404
    # an item on the agenda is withdrawn, not deleted
    assert world.client.delete(f"{API}/agenda-items/{item['id']}", headers={**worker, "If-Match": '"3"'}).status_code == 409

    first, second = change_log(world, item["id"]), change_log(world, concept["id"])
    assert [(kind, status) for _, kind, status in first] == [
        ("created", "concept"),
        ("submitted", "geagendeerd"),
        ("withdrawn", "ingetrokken"),
    ]
    assert [(kind, status) for _, kind, status in second] == [("created", "concept"), ("deleted", "concept")]
    sequence = [n for n, _, _ in first] + [n for n, _, _ in second]
    assert sequence == sorted(sequence) and len(set(sequence)) == len(sequence)


def test_addressees_must_fit(world: World, hoods: Neighbourhoods) -> None:
    corporation = world.organisations["woningcorporatie"].id
    elsewhere = world.run(
        lambda uow: accounts.create_organisation(
            uow, accounts.NewOrganisation("Gemeente Elders", OrganisationKind.gemeente, "GM0363"), datetime.now(UTC)
        )
    )
    for addressee, code in (
        ({"kind": "woningcorporatie"}, "required"),
        ({"kind": "politie", "organisationId": str(corporation)}, "kind_mismatch"),
        ({"kind": "gemeente", "organisationId": str(elsewhere.id)}, "other_municipality"),
        ({"kind": "politie", "organisationId": "00000000-0000-0000-0000-000000000001"}, "unknown_reference"),
    ):
        response = raise_item(world, hoods, addressee=addressee)
        assert response.status_code == 400, response.text
        assert response.json()["invalidParams"][0] == {
            "name": "addressee.organisationId",
            "code": code,
            "reason": response.json()["invalidParams"][0]["reason"],
        }
    assert raise_item(world, hoods, addressee={"kind": "instantie"}).status_code == 400
    named = raise_item(world, hoods, addressee={"kind": "gemeente", "organisationId": str(world.organisations["gemeente"].id)})
    assert named.status_code == 201


def test_the_wijkbeheerder_records_the_answer_of_its_own_corporation(world: World, hoods: Neighbourhoods) -> None:
    worker, beheerder = world.headers(Role.opbouwwerker), world.headers(Role.wijkbeheerder)
    item = raised(world, hoods, addressee={"kind": "woningcorporatie", "organisationId": str(world.organisations["woningcorporatie"].id)}, theme="wonen")
    assert move(world, item, '"1"', worker, to="geagendeerd").status_code == 200
    assert move(world, item, '"2"', worker, to="in_behandeling").status_code == 403
    answered = move(world, item, '"2"', beheerder, to="in_behandeling", response="Op de planning voor het voorjaar.")
    assert answered.status_code == 200, answered.text
    assert "raisedBy" in answered.json()  # the wijkbeheerder is also in the raising koppel


def test_links_scope_filters_and_pages(world: World, hoods: Neighbourhoods) -> None:
    worker, agent = world.headers(Role.opbouwwerker), world.headers(Role.wijkagent)
    signal = world.client.post(
        f"{API}/signals",
        json={"wijkId": str(hoods.wijk_a.id), "source": "buurtapp", "category": "jongerenoverlast", "description": "Hangjongeren"},
        headers=agent,
    ).json()
    intervention = world.client.post(
        f"{API}/interventions",
        json={"wijkId": str(hoods.wijk_a.id), "koppelId": str(hoods.koppel_a.id), "kind": "overlastaanpak", "title": "Hangplek"},
        headers=agent,
    ).json()
    first = raised(world, hoods, signalIds=[signal["id"]], interventionIds=[intervention["id"]])
    assert (first["signalIds"], first["interventionIds"]) == ([signal["id"]], [intervention["id"]])
    assert world.client.get(f"{API}/signals/{signal['id']}", headers=agent).json()["agendaItemIds"] == [first["id"]]
    assert world.client.get(f"{API}/interventions/{intervention['id']}", headers=agent).json()["agendaItemIds"] == [
        first["id"]
    ]
    second = raised(world, hoods, theme="openbare_ruimte", priority="laag", addressee={"kind": "gemeente"})
    third = raised(world, hoods, theme="jeugd")
    assert move(world, third, '"1"', worker, to="geagendeerd").status_code == 200

    agent_b = world.headers_for(hoods.koppel_b.members[Role.wijkagent])
    other_wijk = raise_item(world, hoods, agent_b, wijkId=str(hoods.wijk_b.id), signalIds=[signal["id"]])
    assert other_wijk.status_code == 400 and other_wijk.json()["invalidParams"][0]["name"] == "signalIds"
    assert raise_item(world, hoods, agent_b).status_code == 400  # wijk A is not theirs
    assert world.client.get(f"{API}/agenda-items/{first['id']}", headers=agent_b).status_code == 404
    assert ids(world.client.get(f"{API}/agenda-items", headers=agent_b)) == []
    for role in (Role.admin, Role.agency_worker, Role.police_system, Role.housing_system):
        assert world.client.get(f"{API}/agenda-items", headers=world.headers(role)).status_code == 403

    def listed(query: str) -> list[str]:
        return ids(world.client.get(f"{API}/agenda-items?{query}", headers=worker))

    assert listed("") == [first["id"], second["id"], third["id"]]
    assert listed("status=geagendeerd") == [third["id"]]
    assert listed("addresseeKind=gemeente") == [second["id"]]
    assert listed("theme=jeugd") == [third["id"]]
    assert listed("priority=laag") == [second["id"]]
    assert listed(f"wijkId={hoods.wijk_b.id}") == []
    page = world.client.get(f"{API}/agenda-items?limit=2", headers=worker)
    assert ids(page) == [first["id"], second["id"]]
    assert ids(world.client.get(page.headers["Link"][1 : page.headers["Link"].index(">")], headers=worker)) == [third["id"]]

    url = f"{API}/agenda-items/{first['id']}"
    assert world.client.patch(url, json={"theme": "wonen"}, headers=worker).status_code == 428
    unlinked = world.client.patch(url, json={"signalIds": [], "addressee": {"kind": "gemeente"}}, headers={**worker, "If-Match": '"1"'})
    assert unlinked.status_code == 200, unlinked.text
    assert unlinked.json()["signalIds"] == [] and unlinked.json()["addressee"]["kind"] == "gemeente"
    assert world.client.patch(url, json={"theme": "wonen"}, headers={**worker, "If-Match": '"1"'}).status_code == 412
    # once on the agenda, the addressee no longer changes
    assert move(world, third, '"2"', worker, to="geagendeerd").status_code == 409
    readdress = world.client.patch(
        f"{API}/agenda-items/{third['id']}", json={"addressee": {"kind": "gemeente"}}, headers={**worker, "If-Match": '"2"'}
    )
    assert readdress.status_code == 409
