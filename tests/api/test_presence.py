"""Presence over HTTP: planned by the koppel's own members, and public for residents without a token."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from domain.identity import Role
from tests.factories import Neighbourhoods, World, build_neighbourhoods, make_koppel, today

API = "/api/v1"


@pytest.fixture
def hoods(world: World) -> Neighbourhoods:
    return build_neighbourhoods(world)


def plan(world: World, koppel_id: object, headers: dict[str, str], **fields: object):  # type: ignore[no-untyped-def]
    body = {
        "kind": "weekly",
        "weekday": "tuesday",
        "startTime": "10:00",
        "endTime": "12:00",
        "place": "Buurthuis",
        **fields,
    }
    return world.client.post(f"{API}/koppels/{koppel_id}/presence", json=body, headers=headers)


def test_a_koppel_member_plans_and_changes_presence(world: World, hoods: Neighbourhoods) -> None:
    agent = world.headers(Role.wijkagent)
    created = plan(world, hoods.koppel_a.id, agent, note="Koffie staat klaar")
    assert created.status_code == 201, created.text
    entry = created.json()
    assert (entry["weekday"], entry["startTime"], entry["endTime"], entry["occursOn"]) == (
        "tuesday",
        "10:00",
        "12:00",
        None,
    )
    url = f"{API}/koppels/{hoods.koppel_a.id}/presence/{entry['id']}"
    assert world.client.get(url, headers=world.headers(Role.gemeente)).json() == entry
    changed = world.client.patch(
        url, json={"startTime": "09:30", "note": None}, headers={**agent, "If-Match": '"1"'}
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["startTime"], changed.json()["note"]) == ("09:30", None)
    stale = world.client.patch(url, json={"place": "Elders"}, headers={**agent, "If-Match": '"1"'})
    assert stale.status_code == 412
    after_end = world.client.patch(url, json={"startTime": "13:00"}, headers={**agent, "If-Match": '"2"'})
    assert after_end.status_code == 400 and after_end.json()["invalidParams"][0]["name"] == "endTime"
    assert world.client.delete(url, headers={**agent, "If-Match": '"2"'}).status_code == 204
    assert world.client.get(url, headers=agent).status_code == 404


def test_presence_is_listed_weekly_first_then_by_date(world: World, hoods: Neighbourhoods) -> None:
    worker = world.headers(Role.opbouwwerker)
    soon = (today() + timedelta(days=3)).isoformat()
    plan(
        world,
        hoods.koppel_a.id,
        worker,
        kind="once",
        weekday=None,
        occursOn=soon,
        startTime="08:00",
        endTime="09:00",
    )
    plan(world, hoods.koppel_a.id, worker, weekday="friday")
    plan(world, hoods.koppel_a.id, worker, weekday="monday", startTime="19:00", endTime="20:30")
    plan(world, hoods.koppel_a.id, worker, weekday="monday")
    seen: list[tuple[Any, ...]] = []
    url: str | None = f"{API}/koppels/{hoods.koppel_a.id}/presence?limit=3"
    while url:
        page = world.client.get(url, headers=worker)
        seen += [(p["weekday"], p["occursOn"], p["startTime"]) for p in page.json()["items"]]
        link = page.headers.get("Link")
        url = link[1 : link.index(">")] if link else None
    assert seen == [
        ("monday", None, "10:00"),
        ("monday", None, "19:00"),
        ("friday", None, "10:00"),
        (None, soon, "08:00"),
    ]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"weekday": None}, "weekday"),
        ({"kind": "once", "weekday": None}, "occursOn"),
        ({"startTime": "9:30"}, "startTime"),
        ({"startTime": "24:00"}, "startTime"),
        ({"endTime": "09:00"}, "endTime"),
        ({"weekday": "maandag"}, "weekday"),
        ({"place": ""}, "place"),
    ],
)
def test_invalid_presence_is_a_400_naming_the_field(
    world: World, hoods: Neighbourhoods, fields: dict, field: str
) -> None:  # type: ignore[type-arg]
    response = plan(world, hoods.koppel_a.id, world.headers(Role.wijkagent), **fields)
    assert response.status_code == 400, response.text
    assert field in {p["name"] for p in response.json()["invalidParams"]}


def test_only_the_koppels_own_members_plan_its_presence(world: World, hoods: Neighbourhoods) -> None:
    # another koppel in the same wijk: its members see koppel A (colleagues) but may not plan for it
    colleague = world.add_user(Role.opbouwwerker)
    make_koppel(
        world,
        "Koppel Oost 2",
        {Role.opbouwwerker: colleague, Role.wijkagent: world.add_user(Role.wijkagent)},
        [hoods.wijk_a.id],
    )
    headers = world.headers_for(colleague)
    assert world.client.get(f"{API}/koppels/{hoods.koppel_a.id}/presence", headers=headers).status_code == 200
    assert plan(world, hoods.koppel_a.id, headers).status_code == 403
    # a member of koppel B: koppel A does not exist for them
    assert (
        plan(world, hoods.koppel_a.id, world.headers_for(hoods.koppel_b.members[Role.wijkagent])).status_code
        == 404
    )
    # the gemeente reads, but presence is the koppel's to plan
    assert plan(world, hoods.koppel_a.id, world.headers(Role.gemeente)).status_code == 403
    assert plan(world, hoods.koppel_a.id, world.headers(Role.admin)).status_code == 201


PUBLIC_KEYS = {"wijkCode", "wijkName", "koppels"}
KOPPEL_KEYS = {"koppelName", "professionals", "weekly", "upcoming"}
PROFESSIONAL_KEYS = {"displayName", "koppelRole"}
WEEKLY_KEYS = {"weekday", "startTime", "endTime", "place", "note"}
ONE_OFF_KEYS = {"occursOn", "startTime", "endTime", "place", "note"}


def test_the_public_presence_page_needs_no_token_and_carries_no_personal_data(
    world: World, hoods: Neighbourhoods
) -> None:
    agent = world.headers(Role.wijkagent)
    plan(world, hoods.koppel_a.id, agent, note="Ook zonder afspraak welkom")
    soon, past, far = (today() + timedelta(days=d) for d in (2, -2, 70))
    for day in (soon, past, far):
        plan(
            world,
            hoods.koppel_a.id,
            agent,
            kind="once",
            weekday=None,
            occursOn=day.isoformat(),
            place=f"Plein {day}",
        )
    plan(world, hoods.koppel_b.id, world.headers_for(hoods.koppel_b.members[Role.wijkagent]), place="Elders")
    # a concept koppel in wijk A is not shown: it is not active
    make_koppel(
        world,
        "Nog niet actief",
        {Role.opbouwwerker: world.add_user(Role.opbouwwerker)},
        [hoods.wijk_a.id],
        activate=False,
    )

    world.client.headers.clear()
    response = world.client.get(f"{API}/wijken/WK010601/presence")
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "public, max-age=300"
    page = response.json()
    assert set(page) == PUBLIC_KEYS
    assert (page["wijkCode"], page["wijkName"]) == ("WK010601", "Assen-Oost")
    assert [k["koppelName"] for k in page["koppels"]] == ["Koppel Oost"]
    koppel = page["koppels"][0]
    assert set(koppel) == KOPPEL_KEYS
    assert all(set(p) == PROFESSIONAL_KEYS for p in koppel["professionals"])
    assert all(set(p) == WEEKLY_KEYS for p in koppel["weekly"])
    assert all(set(p) == ONE_OFF_KEYS for p in koppel["upcoming"])
    assert sorted((p["koppelRole"], p["displayName"]) for p in koppel["professionals"]) == [
        ("opbouwwerker", "opbouwwerker"),
        ("wijkagent", "wijkagent"),
        ("wijkbeheerder", "wijkbeheerder"),
    ]
    assert [(p["weekday"], p["note"]) for p in koppel["weekly"]] == [
        ("tuesday", "Ook zonder afspraak welkom")
    ]
    assert [p["occursOn"] for p in koppel["upcoming"]] == [
        soon.isoformat()
    ]  # not the past, not beyond 8 weeks
    # nothing that identifies an account: no ids, usernames or e-mail addresses anywhere
    text = response.text
    for principal in world.principals.values():
        assert str(principal.id) not in text
    for username in world.usernames.values():
        assert f'"{username}"' not in text
    assert "@" not in text and str(hoods.koppel_a.id) not in text


def test_public_presence_for_an_unknown_or_malformed_code(world: World, hoods: Neighbourhoods) -> None:
    world.client.headers.clear()
    assert world.client.get(f"{API}/wijken/WK019999/presence").status_code == 404
    malformed = world.client.get(f"{API}/wijken/assen-oost/presence")
    assert malformed.status_code == 400
    assert malformed.json()["invalidParams"][0]["name"] == "wijkCode"
    empty = world.client.get(f"{API}/wijken/WK010602/presence").json()
    assert [k["koppelName"] for k in empty["koppels"]] == ["Koppel Pittelo"]
    assert empty["koppels"][0]["weekly"] == []


def test_a_member_who_left_is_no_longer_named_publicly(world: World, hoods: Neighbourhoods) -> None:
    admin = world.headers(Role.admin)
    url = f"{API}/koppels/{hoods.koppel_a.id}/members/{hoods.koppel_a.memberships[Role.wijkbeheerder]}"
    ended = world.client.patch(
        url, json={"leftOn": today().isoformat()}, headers={**admin, "If-Match": '"1"'}
    )
    assert ended.status_code == 200, ended.text
    world.client.headers.clear()
    page = world.client.get(f"{API}/wijken/WK010601/presence").json()
    assert "wijkbeheerder" not in {p["koppelRole"] for p in page["koppels"][0]["professionals"]}
