"""Koppels over HTTP: composition, activation, history, and scope (404 outside, access ends the day
a member leaves)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.identity import Role
from tests.factories import Neighbourhoods, World, build_neighbourhoods, make_koppel, today

API = "/api/v1"


@pytest.fixture
def hoods(world: World) -> Neighbourhoods:
    return build_neighbourhoods(world)


def ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_a_koppel_member_of_wijk_a_never_reaches_the_koppel_of_wijk_b(
    world: World, hoods: Neighbourhoods
) -> None:
    a, b = hoods.koppel_a.id, hoods.koppel_b.id
    for role in (Role.wijkagent, Role.opbouwwerker, Role.wijkbeheerder):
        headers = world.headers(role)
        assert ids(world.client.get(f"{API}/koppels", headers=headers)) == [str(a)]
        assert ids(world.client.get(f"{API}/koppels?wijkId={hoods.wijk_b.id}", headers=headers)) == []
        assert world.client.get(f"{API}/koppels/{a}", headers=headers).status_code == 200
        for path in (
            "",
            "/members",
            "/wijken",
            "/presence",
            f"/members/{hoods.koppel_b.memberships[Role.wijkagent]}",
        ):
            response = world.client.get(f"{API}/koppels/{b}{path}", headers=headers)
            assert response.status_code == 404, f"{role} on koppel B{path}: {response.status_code}"
    # and the other way round
    agent_b = world.headers_for(hoods.koppel_b.members[Role.wijkagent])
    assert ids(world.client.get(f"{API}/koppels", headers=agent_b)) == [str(b)]
    assert world.client.get(f"{API}/koppels/{a}", headers=agent_b).status_code == 404


def test_gemeente_sees_the_koppels_in_its_wijken_and_admin_sees_all(
    world: World, hoods: Neighbourhoods
) -> None:
    expected = sorted([str(hoods.koppel_a.id), str(hoods.koppel_b.id)])
    assert sorted(ids(world.client.get(f"{API}/koppels", headers=world.headers(Role.gemeente)))) == expected
    assert sorted(ids(world.client.get(f"{API}/koppels", headers=world.headers(Role.admin)))) == expected


def test_the_koppel_shows_its_current_members_and_wijken(world: World, hoods: Neighbourhoods) -> None:
    koppel = world.client.get(
        f"{API}/koppels/{hoods.koppel_a.id}", headers=world.headers(Role.opbouwwerker)
    ).json()
    assert koppel["status"] == "actief" and koppel["active"] is True
    assert sorted(m["koppelRole"] for m in koppel["members"]) == [
        "opbouwwerker",
        "wijkagent",
        "wijkbeheerder",
    ]
    assert {m["displayName"] for m in koppel["members"]} == {"wijkagent", "opbouwwerker", "wijkbeheerder"}
    assert [(w["wijkCode"], w["wijkName"]) for w in koppel["wijken"]] == [("WK010601", "Assen-Oost")]


def end_membership(world: World, koppel_id: object, membership_id: object, left_on: str):  # type: ignore[no-untyped-def]
    admin = world.headers(Role.admin)
    url = f"{API}/koppels/{koppel_id}/members/{membership_id}"
    current = world.client.get(url, headers=admin)
    return world.client.patch(
        url, json={"leftOn": left_on}, headers={**admin, "If-Match": current.headers["ETag"]}
    )


def test_a_member_who_leaves_loses_access_the_same_day(world: World, hoods: Neighbourhoods) -> None:
    agent = world.headers(Role.wijkagent)
    koppel_url = f"{API}/koppels/{hoods.koppel_a.id}"
    assert world.client.get(koppel_url, headers=agent).status_code == 200

    # the only wijkagent of an active koppel cannot just leave: the koppel would be incomplete
    refused = end_membership(
        world, hoods.koppel_a.id, hoods.koppel_a.memberships[Role.wijkagent], today().isoformat()
    )
    assert refused.status_code == 409
    assert "wijkagent" in refused.json()["detail"]

    successor = world.add_user(Role.wijkagent, username="agent.opvolger")
    added = world.client.post(
        f"{koppel_url}/members",
        json={"userId": str(successor.id), "koppelRole": "wijkagent"},
        headers=world.headers(Role.admin),
    )
    assert added.status_code == 201, added.text
    assert added.json()["joinedOn"] == today().isoformat()
    ended = end_membership(
        world, hoods.koppel_a.id, hoods.koppel_a.memberships[Role.wijkagent], today().isoformat()
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["leftOn"] == today().isoformat()

    # the same day, with the same token: the koppel, its wijk and its presence are gone for them
    assert world.client.get(koppel_url, headers=agent).status_code == 404
    assert world.client.get(f"{koppel_url}/presence", headers=agent).status_code == 404
    assert ids(world.client.get(f"{API}/koppels", headers=agent)) == []
    assert ids(world.client.get(f"{API}/wijken", headers=agent)) == []
    assert world.client.get(f"{API}/wijken/{hoods.wijk_a.id}", headers=agent).status_code == 404
    # the successor has it
    assert world.client.get(koppel_url, headers=world.headers_for(successor)).status_code == 200
    # the membership is kept as history, not deleted
    history = world.client.get(f"{koppel_url}/members", headers=world.headers(Role.admin)).json()["items"]
    assert len(history) == 4
    current = world.client.get(koppel_url, headers=world.headers(Role.admin)).json()["members"]
    assert str(world.principals[Role.wijkagent].id) not in {m["userId"] for m in current}


def test_a_member_leaving_in_the_future_keeps_access_until_then(world: World, hoods: Neighbourhoods) -> None:
    world.client.post(
        f"{API}/koppels/{hoods.koppel_a.id}/members",
        json={"userId": str(world.add_user(Role.wijkagent).id), "koppelRole": "wijkagent"},
        headers=world.headers(Role.admin),
    )
    tomorrow = (today() + timedelta(days=1)).isoformat()
    ended = end_membership(world, hoods.koppel_a.id, hoods.koppel_a.memberships[Role.wijkagent], tomorrow)
    assert ended.status_code == 200, ended.text
    assert (
        world.client.get(
            f"{API}/koppels/{hoods.koppel_a.id}", headers=world.headers(Role.wijkagent)
        ).status_code
        == 200
    )


def test_activation_needs_a_wijkagent_and_an_opbouwwerker(world: World, hoods: Neighbourhoods) -> None:
    admin = world.headers(Role.admin)
    created = world.client.post(
        f"{API}/koppels", json={"name": "Koppel Noord", "startsOn": today().isoformat()}, headers=admin
    )
    assert created.status_code == 201, created.text
    koppel = created.json()
    assert koppel["status"] == "concept" and koppel["active"] is False and koppel["members"] == []
    url = f"{API}/koppels/{koppel['id']}"
    worker = world.add_user(Role.opbouwwerker)
    assert (
        world.client.post(
            f"{url}/members", json={"userId": str(worker.id), "koppelRole": "opbouwwerker"}, headers=admin
        ).status_code
        == 201
    )
    etag = world.client.get(url, headers=admin).headers["ETag"]
    assert etag == '"2"', "adding a member changes the koppel's representation, so its version"
    refused = world.client.patch(url, json={"status": "actief"}, headers={**admin, "If-Match": etag})
    assert refused.status_code == 409
    agent = world.add_user(Role.wijkagent)
    assert (
        world.client.post(
            f"{url}/members", json={"userId": str(agent.id), "koppelRole": "wijkagent"}, headers=admin
        ).status_code
        == 201
    )
    stale = world.client.patch(url, json={"status": "actief"}, headers={**admin, "If-Match": etag})
    assert stale.status_code == 412
    etag = world.client.get(url, headers=admin).headers["ETag"]
    activated = world.client.patch(url, json={"status": "actief"}, headers={**admin, "If-Match": etag})
    assert activated.status_code == 200, activated.text
    assert activated.json()["active"] is True
    back = world.client.patch(
        url, json={"status": "concept"}, headers={**admin, "If-Match": activated.headers["ETag"]}
    )
    assert back.status_code == 409
    assert (
        world.client.delete(url, headers={**admin, "If-Match": activated.headers["ETag"]}).status_code == 409
    )
    ended = world.client.patch(
        url, json={"endsOn": today().isoformat()}, headers={**admin, "If-Match": activated.headers["ETag"]}
    )
    assert (
        ended.status_code == 400 and ended.json()["invalidParams"][0]["name"] == "endsOn"
    )  # not after startsOn
    ended = world.client.patch(
        url,
        json={"endsOn": (today() + timedelta(days=1)).isoformat()},
        headers={**admin, "If-Match": activated.headers["ETag"]},
    )
    assert ended.status_code == 200 and ended.json()["active"] is True


def test_a_concept_koppel_can_be_deleted(world: World, hoods: Neighbourhoods) -> None:
    admin = world.headers(Role.admin)
    concept = make_koppel(
        world,
        "Vergissing",
        {Role.opbouwwerker: world.add_user(Role.opbouwwerker)},
        [hoods.wijk_a.id],
        activate=False,
    )
    url = f"{API}/koppels/{concept.id}"
    etag = world.client.get(url, headers=admin).headers["ETag"]
    assert world.client.delete(url, headers=admin).status_code == 428
    assert world.client.delete(url, headers={**admin, "If-Match": '"1"'}).status_code == 412
    assert world.client.delete(url, headers={**admin, "If-Match": etag}).status_code == 204
    assert world.client.get(url, headers=admin).status_code == 404


def test_a_member_must_fit_the_koppel_role(world: World, hoods: Neighbourhoods) -> None:
    admin = world.headers(Role.admin)
    url = f"{API}/koppels/{hoods.koppel_b.id}/members"
    wrong_role = world.client.post(
        url,
        json={"userId": str(world.principals[Role.opbouwwerker].id), "koppelRole": "wijkagent"},
        headers=admin,
    )
    assert wrong_role.status_code == 400
    assert wrong_role.json()["invalidParams"][0] == {
        "name": "koppelRole",
        "code": "role_mismatch",
        "reason": wrong_role.json()["invalidParams"][0]["reason"],
    }
    agency = world.client.post(
        url,
        json={"userId": str(world.principals[Role.agency_worker].id), "koppelRole": "opbouwwerker"},
        headers=admin,
    )
    assert agency.status_code == 400
    unknown = world.client.post(
        url, json={"userId": "00000000-0000-0000-0000-000000000000", "koppelRole": "wijkagent"}, headers=admin
    )
    assert unknown.status_code == 400 and unknown.json()["invalidParams"][0]["name"] == "userId"
    bad_role = world.client.post(
        url, json={"userId": str(world.principals[Role.wijkagent].id), "koppelRole": "admin"}, headers=admin
    )
    assert bad_role.status_code == 400 and bad_role.json()["invalidParams"][0]["name"] == "koppelRole"
    # a second, overlapping membership of the same user is a conflict
    again = world.client.post(
        url,
        json={"userId": str(hoods.koppel_b.members[Role.wijkagent].id), "koppelRole": "wijkagent"},
        headers=admin,
    )
    assert again.status_code == 409


def test_who_worked_a_wijk_on_a_day(world: World, hoods: Neighbourhoods) -> None:
    admin = world.headers(Role.admin)
    url = f"{API}/wijken/{hoods.wijk_a.id}/koppel-members"
    now = world.client.get(url, headers=admin)
    assert now.status_code == 200, now.text
    assert now.json()["on"] == today().isoformat()
    assert sorted(m["koppelRole"] for m in now.json()["items"]) == [
        "opbouwwerker",
        "wijkagent",
        "wijkbeheerder",
    ]
    assert {m["koppelName"] for m in now.json()["items"]} == {"Koppel Oost"}
    before = (hoods.joined_on - timedelta(days=1)).isoformat()
    assert world.client.get(f"{url}?on={before}", headers=admin).json()["items"] == []

    # the wijkagent leaves tomorrow (a successor joins): still listed today, not the day after
    world.client.post(
        f"{API}/koppels/{hoods.koppel_a.id}/members",
        json={
            "userId": str(world.add_user(Role.wijkagent, username="agent.nieuw").id),
            "koppelRole": "wijkagent",
        },
        headers=admin,
    )
    tomorrow = today() + timedelta(days=1)
    assert (
        end_membership(
            world, hoods.koppel_a.id, hoods.koppel_a.memberships[Role.wijkagent], tomorrow.isoformat()
        ).status_code
        == 200
    )
    agents_today = [
        m["userId"]
        for m in world.client.get(url, headers=admin).json()["items"]
        if m["koppelRole"] == "wijkagent"
    ]
    assert str(world.principals[Role.wijkagent].id) in agents_today
    later = world.client.get(f"{url}?on={tomorrow.isoformat()}", headers=admin).json()["items"]
    assert [m["displayName"] for m in later if m["koppelRole"] == "wijkagent"] == ["agent.nieuw"]

    # scope applies: a member of koppel B cannot ask about wijk A; a system may not ask at all
    assert (
        world.client.get(url, headers=world.headers_for(hoods.koppel_b.members[Role.wijkagent])).status_code
        == 404
    )
    assert world.client.get(url, headers=world.headers(Role.police_system)).status_code == 403
    assert world.client.get(f"{url}?on=gisteren", headers=admin).status_code == 400


def test_wijk_assignments_are_kept_with_dates(world: World, hoods: Neighbourhoods) -> None:
    admin = world.headers(Role.admin)
    url = f"{API}/koppels/{hoods.koppel_a.id}/wijken"
    added = world.client.post(url, json={"wijkId": str(hoods.wijk_b.id)}, headers=admin)
    assert added.status_code == 201, added.text
    assert world.client.post(url, json={"wijkId": str(hoods.wijk_b.id)}, headers=admin).status_code == 409
    # the koppel's members now reach wijk B too
    assert len(ids(world.client.get(f"{API}/wijken", headers=world.headers(Role.wijkagent)))) == 2
    assignment_url = f"{url}/{added.json()['id']}"
    ended = world.client.patch(
        assignment_url,
        json={"endsOn": today().isoformat()},
        headers={**admin, "If-Match": added.headers["ETag"]},
    )
    assert ended.status_code == 400  # a period needs at least one day: it started today
    stale = world.client.patch(
        assignment_url,
        json={"endsOn": (today() + timedelta(days=7)).isoformat()},
        headers={**admin, "If-Match": '"9"'},
    )
    assert stale.status_code == 412
    moved = world.client.patch(
        assignment_url,
        json={"startsOn": (today() - timedelta(days=7)).isoformat(), "endsOn": today().isoformat()},
        headers={**admin, "If-Match": added.headers["ETag"]},
    )
    assert moved.status_code == 200, moved.text
    assert len(ids(world.client.get(f"{API}/wijken", headers=world.headers(Role.wijkagent)))) == 1
    history = world.client.get(url, headers=admin).json()["items"]
    assert [w["wijkCode"] for w in history] == ["WK010601", "WK010602"]
    unknown = world.client.post(url, json={"wijkId": "00000000-0000-0000-0000-000000000000"}, headers=admin)
    assert unknown.status_code == 400 and unknown.json()["invalidParams"][0]["name"] == "wijkId"


def test_koppel_filters_and_pagination(world: World, hoods: Neighbourhoods) -> None:
    admin = world.headers(Role.admin)
    make_koppel(
        world, "Koppel Concept", {Role.opbouwwerker: world.add_user(Role.opbouwwerker)}, [], activate=False
    )
    assert len(ids(world.client.get(f"{API}/koppels?status=concept", headers=admin))) == 1
    assert len(ids(world.client.get(f"{API}/koppels?active=true", headers=admin))) == 2
    assert len(ids(world.client.get(f"{API}/koppels?active=false", headers=admin))) == 1
    assert ids(world.client.get(f"{API}/koppels?wijkId={hoods.wijk_b.id}", headers=admin)) == [
        str(hoods.koppel_b.id)
    ]
    names: list[str] = []
    url: str | None = f"{API}/koppels?limit=2"
    while url:
        page = world.client.get(url, headers=admin)
        names += [k["name"] for k in page.json()["items"]]
        link = page.headers.get("Link")
        url = link[1 : link.index(">")] if link else None
    assert names == ["Koppel Concept", "Koppel Oost", "Koppel Pittelo"]
    assert world.client.get(f"{API}/koppels?cursor=nonsense", headers=admin).status_code == 400
