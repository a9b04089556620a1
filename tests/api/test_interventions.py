"""Interventions over HTTP: the six phases by the method's rules, history, closing, links to signals,
scope, If-Match, filters and pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from domain.identity import Role
from tests.factories import Neighbourhoods, World, build_neighbourhoods, today

API = "/api/v1"


@pytest.fixture
def hoods(world: World) -> Neighbourhoods:
    return build_neighbourhoods(world)


def body(hoods: Neighbourhoods, **fields: Any) -> dict[str, Any]:
    return {
        "wijkId": str(hoods.wijk_a.id),
        "koppelId": str(hoods.koppel_a.id),
        "kind": "bemiddeling",
        "title": "Burenruzie Oosterstraat",
        "description": "Twee buren, al maanden geluidsoverlast over en weer.",
        **fields,
    }


def start(world: World, hoods: Neighbourhoods, headers: dict[str, str] | None = None, **fields: Any):  # type: ignore[no-untyped-def]
    return world.client.post(
        f"{API}/interventions", json=body(hoods, **fields), headers=headers or world.headers(Role.opbouwwerker)
    )


def started(world: World, hoods: Neighbourhoods, **fields: Any) -> dict[str, Any]:
    response = start(world, hoods, **fields)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def phase(world: World, intervention: dict[str, Any], etag: str, headers: dict[str, str] | None = None, **change: Any):  # type: ignore[no-untyped-def]
    return world.client.post(
        f"{API}/interventions/{intervention['id']}/phase-changes",
        json=change,
        headers={**(headers or world.headers(Role.opbouwwerker)), "If-Match": etag},
    )


def ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_an_intervention_moves_through_all_six_phases_and_closes(world: World, hoods: Neighbourhoods) -> None:
    worker, agent = world.headers(Role.opbouwwerker), world.headers(Role.wijkagent)
    signal = world.client.post(
        f"{API}/signals",
        json={"wijkId": str(hoods.wijk_a.id), "source": "bewoner", "category": "burenruzie", "description": "Ruzie"},
        headers=agent,
    ).json()
    intervention = started(world, hoods, signalIds=[signal["id"]])
    assert (intervention["phase"], intervention["closedAt"], intervention["outcome"]) == ("kwartier_maken", None, None)
    assert intervention["signalIds"] == [signal["id"]]
    assert world.client.get(f"{API}/signals/{signal['id']}", headers=agent).json()["interventionIds"] == [
        intervention["id"]
    ]

    follow_up = (today() + timedelta(days=14)).isoformat()
    steps: list[dict[str, Any]] = [
        {"to": "activeren"},
        {"to": "toeleiden", "note": "Naar buurtbemiddeling (Beter Buren)"},
        {"to": "nazorg", "followUpOn": follow_up},
        {"to": "agenderen"},
        {"to": "evaluatie", "outcome": {"result": "deels_geslaagd", "text": "De buren praten weer met elkaar."}},
    ]
    etag = '"1"'
    for n, step in enumerate(steps, start=2):
        moved = phase(world, intervention, etag, headers=worker if n % 2 else agent, **step)
        assert moved.status_code == 200, moved.text
        assert moved.json()["phase"] == step["to"]
        etag = moved.headers["ETag"]
        assert etag == f'"{n}"'
    closed = moved.json()
    assert closed["closedAt"] and closed["followUpOn"] == follow_up
    assert closed["outcome"] == {"result": "deels_geslaagd", "text": "De buren praten weer met elkaar."}

    # closed is read-only: no phase change, no edit
    assert phase(world, intervention, etag, to="activeren", reason="opnieuw").status_code == 409
    url = f"{API}/interventions/{intervention['id']}"
    assert world.client.patch(url, json={"title": "Anders"}, headers={**worker, "If-Match": etag}).status_code == 409
    assert world.client.get(url, headers=worker).json() == closed

    history = world.client.get(f"{url}/phase-changes", headers=agent).json()["items"]
    assert [(h["fromPhase"], h["toPhase"]) for h in history] == [
        (None, "kwartier_maken"),
        ("kwartier_maken", "activeren"),
        ("activeren", "toeleiden"),
        ("toeleiden", "nazorg"),
        ("nazorg", "agenderen"),
        ("agenderen", "evaluatie"),
    ]
    assert history[2]["note"] == "Naar buurtbemiddeling (Beter Buren)"
    assert history[3]["followUpOn"] == follow_up
    assert [h["changedBy"]["displayName"] for h in history] == [
        "opbouwwerker",
        "wijkagent",
        "opbouwwerker",
        "wijkagent",
        "opbouwwerker",
        "wijkagent",
    ]


def test_forward_is_free_back_needs_a_reason_and_guards_hold(world: World, hoods: Neighbourhoods) -> None:
    intervention = started(world, hoods)
    skip = phase(world, intervention, '"1"', to="agenderen")  # skipping phases forward is fine
    assert skip.status_code == 200, skip.text
    back = phase(world, intervention, '"2"', to="activeren")
    assert back.status_code == 400 and back.json()["invalidParams"][0]["name"] == "reason"
    back = phase(world, intervention, '"2"', to="activeren", reason="Bewoners willen zelf eerst iets doen")
    assert back.status_code == 200
    same = phase(world, intervention, '"3"', to="activeren")
    assert same.status_code == 409
    for change, field in (
        ({"to": "toeleiden"}, "note"),
        ({"to": "nazorg"}, "followUpOn"),
        ({"to": "nazorg", "followUpOn": today().isoformat()}, "followUpOn"),
        ({"to": "nazorg", "followUpOn": (today() - timedelta(days=1)).isoformat()}, "followUpOn"),
        ({"to": "evaluatie"}, "outcome"),
        ({"to": "evaluatie", "outcome": {"result": "geslaagd"}}, "outcome.text"),
        ({"to": "evaluatie", "outcome": {"result": "mooi", "text": "x"}}, "outcome.result"),
        ({"to": "agenderen", "followUpOn": (today() + timedelta(days=5)).isoformat()}, "followUpOn"),
        ({"to": "onbekend"}, "to"),
    ):
        refused = phase(world, intervention, '"3"', **change)
        assert refused.status_code == 400, (change, refused.text)
        assert field in {p["name"] for p in refused.json()["invalidParams"]}, (change, refused.json())
    assert phase(world, intervention, '"3"', to="nazorg", followUpOn=(today() + timedelta(days=1)).isoformat()).status_code == 200


def test_links_koppel_and_wijk_must_fit(world: World, hoods: Neighbourhoods) -> None:
    agent_b = world.headers_for(hoods.koppel_b.members[Role.wijkagent])
    signal_b = world.client.post(
        f"{API}/signals",
        json={"wijkId": str(hoods.wijk_b.id), "source": "koppel", "category": "vervuiling", "description": "Afval"},
        headers=agent_b,
    ).json()
    for fields, field in (
        ({"koppelId": str(hoods.koppel_b.id)}, "koppelId"),  # does not work in wijk A
        ({"signalIds": [signal_b["id"]]}, "signalIds"),  # another wijk, out of reach
        ({"wijkId": str(hoods.wijk_b.id)}, "wijkId"),
        ({"kind": "feest"}, "kind"),
        ({"title": ""}, "title"),
        ({"phase": "nazorg"}, "phase"),  # it starts in kwartier_maken
    ):
        refused = start(world, hoods, **fields)
        assert refused.status_code == 400, (fields, refused.text)
        assert refused.json()["invalidParams"][0]["name"] == field
    # koppel B links its own signal in its own wijk
    own = start(
        world,
        hoods,
        agent_b,
        wijkId=str(hoods.wijk_b.id),
        koppelId=str(hoods.koppel_b.id),
        signalIds=[signal_b["id"]],
    )
    assert own.status_code == 201, own.text


def test_scope_etags_filters_and_pages(world: World, hoods: Neighbourhoods) -> None:
    worker = world.headers(Role.opbouwwerker)
    first = started(world, hoods, title="Eerste")
    second = started(world, hoods, title="Tweede", kind="buurtactiviteit")
    third = started(world, hoods, title="Derde")
    assert phase(world, second, '"1"', to="activeren").status_code == 200
    assert phase(
        world, third, '"1"', to="evaluatie", outcome={"result": "niet_geslaagd", "text": "Niemand kwam."}
    ).status_code == 200

    agent_b = world.headers_for(hoods.koppel_b.members[Role.wijkagent])
    assert world.client.get(f"{API}/interventions/{first['id']}", headers=agent_b).status_code == 404
    assert world.client.get(f"{API}/interventions/{first['id']}/phase-changes", headers=agent_b).status_code == 404
    assert ids(world.client.get(f"{API}/interventions", headers=agent_b)) == []
    for role in (Role.admin, Role.gemeente, Role.agency_worker, Role.police_system, Role.housing_system):
        assert world.client.get(f"{API}/interventions/{first['id']}", headers=world.headers(role)).status_code == 403

    def listed(query: str) -> list[str]:
        return ids(world.client.get(f"{API}/interventions?{query}", headers=worker))

    assert listed("") == [first["id"], second["id"], third["id"]]
    assert listed("phase=activeren") == [second["id"]]
    assert listed("open=false") == [third["id"]]
    assert listed("open=true") == [first["id"], second["id"]]
    assert listed(f"koppelId={hoods.koppel_a.id}&wijkId={hoods.wijk_a.id}") == [first["id"], second["id"], third["id"]]
    assert listed(f"koppelId={hoods.koppel_b.id}") == []
    page = world.client.get(f"{API}/interventions?limit=2", headers=worker)
    assert ids(page) == [first["id"], second["id"]]
    assert ids(world.client.get(page.headers["Link"][1 : page.headers["Link"].index(">")], headers=worker)) == [third["id"]]

    url = f"{API}/interventions/{first['id']}"
    assert world.client.patch(url, json={"title": "Nieuw"}, headers=worker).status_code == 428
    renamed = world.client.patch(url, json={"title": "Nieuw", "kind": "overig"}, headers={**worker, "If-Match": '"1"'})
    assert renamed.status_code == 200 and renamed.json()["title"] == "Nieuw" and renamed.headers["ETag"] == '"2"'
    assert world.client.patch(url, json={"title": "Oud"}, headers={**worker, "If-Match": '"1"'}).status_code == 412
    assert phase(world, first, '"1"', to="activeren").status_code == 412
    assert world.client.patch(url, json={"title": None}, headers={**worker, "If-Match": '"2"'}).status_code == 400
