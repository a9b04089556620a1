"""Wijken over HTTP: CBS codes and GeoJSON validated, admin manages, every role reads its own scope."""

from __future__ import annotations

import pytest

from domain.identity import Role
from tests.factories import Neighbourhoods, World, build_neighbourhoods

API = "/api/v1"
SQUARE = [[6.55, 52.99], [6.58, 52.99], [6.58, 53.01], [6.55, 53.01], [6.55, 52.99]]


@pytest.fixture
def hoods(world: World) -> Neighbourhoods:
    return build_neighbourhoods(world)


def create(world: World, **fields: object):  # type: ignore[no-untyped-def]
    body = {"code": "WK010603", "name": "Lariks", "municipalityCode": "GM0106", **fields}
    return world.client.post(f"{API}/wijken", json=body, headers=world.headers(Role.admin))


def invalid_names(response) -> set[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return {p["name"] for p in response.json()["invalidParams"]}


def test_admin_registers_a_wijk_with_buurten_boundary_and_indicators(world: World) -> None:
    response = create(
        world,
        buurten=["BU01060302", "BU01060301"],
        boundary={"type": "Polygon", "coordinates": [SQUARE]},
        indicators=["wantrouwen", "criminaliteit"],
    )
    assert response.status_code == 201, response.text
    assert response.headers["ETag"] == '"1"'
    wijk = response.json()
    assert response.headers["Location"] == f"{API}/wijken/{wijk['id']}"
    assert wijk["buurten"] == ["BU01060301", "BU01060302"]
    assert wijk["boundary"] == {"type": "Polygon", "coordinates": [SQUARE]}
    assert wijk["indicators"] == ["criminaliteit", "wantrouwen"]
    read = world.client.get(f"{API}/wijken/{wijk['id']}", headers=world.headers(Role.admin))
    assert read.json() == wijk and read.headers["ETag"] == '"1"'


def test_a_cbs_code_is_unique(world: World) -> None:
    assert create(world).status_code == 201
    duplicate = create(world, name="Nog eens Lariks")
    assert duplicate.status_code == 409
    assert duplicate.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"code": "WK01063"}, "code"),
        ({"code": "BU01060301"}, "code"),
        ({"municipalityCode": "GM106"}, "municipalityCode"),
        ({"municipalityCode": "GM0363"}, "municipalityCode"),  # WK0106.. lies in GM0106
        ({"buurten": ["BU0106030"]}, "buurten.0"),
        ({"buurten": ["BU01060301", "BU01060201"]}, "buurten.1"),  # a buurt of another wijk
        ({"indicators": ["armoede"]}, "indicators.0"),
    ],
)
def test_invalid_codes_are_400_naming_the_field(world: World, fields: dict[str, object], field: str) -> None:
    assert field in invalid_names(create(world, **fields))


@pytest.mark.parametrize(
    ("boundary", "field"),
    [
        ({"type": "Point", "coordinates": [6.5, 53.0]}, "boundary.type"),
        ({"type": "Polygon", "coordinates": [SQUARE[:4]]}, "boundary.coordinates.0"),  # not closed
        ({"type": "Polygon", "coordinates": [SQUARE[:3]]}, "boundary.coordinates.0"),  # too few positions
        (
            {"type": "Polygon", "coordinates": [[[6.55, 152.99], *SQUARE[1:4], [6.55, 152.99]]]},
            "boundary.coordinates.0.0",
        ),
        ({"type": "MultiPolygon", "coordinates": [SQUARE]}, "boundary.coordinates.0.0"),
        ({"type": "Polygon", "coordinates": [SQUARE], "crs": "EPSG:28992"}, "boundary.crs"),
    ],
)
def test_invalid_geojson_is_a_400_naming_the_field(world: World, boundary: dict, field: str) -> None:  # type: ignore[type-arg]
    assert field in invalid_names(create(world, boundary=boundary))


def test_updates_need_a_fresh_if_match_and_are_validated_as_a_whole(world: World) -> None:
    admin = world.headers(Role.admin)
    wijk = create(world, buurten=["BU01060301"]).json()
    url = f"{API}/wijken/{wijk['id']}"
    assert world.client.patch(url, json={"name": "Lariks-Noord"}, headers=admin).status_code == 428
    updated = world.client.patch(
        url,
        json={"name": "Lariks-Noord", "indicators": ["herstructurering"]},
        headers={**admin, "If-Match": '"1"'},
    )
    assert updated.status_code == 200, updated.text
    assert updated.headers["ETag"] == '"2"'
    assert updated.json()["indicators"] == ["herstructurering"]
    stale = world.client.patch(url, json={"name": "Oud"}, headers={**admin, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    # a new code must still carry its buurten: the result is checked as a whole
    assert "buurten.0" in invalid_names(
        world.client.patch(url, json={"code": "WK010604"}, headers={**admin, "If-Match": '"2"'})
    )
    assert "name" in invalid_names(
        world.client.patch(url, json={"name": None}, headers={**admin, "If-Match": '"2"'})
    )
    cleared = world.client.patch(url, json={"boundary": None}, headers={**admin, "If-Match": '"2"'})
    assert cleared.status_code == 200 and cleared.json()["boundary"] is None
    assert world.client.delete(url, headers={**admin, "If-Match": '"3"'}).status_code == 204
    assert world.client.get(url, headers=admin).json()["active"] is False


def test_renaming_to_a_taken_code_is_a_conflict(world: World, hoods: Neighbourhoods) -> None:
    response = world.client.patch(
        f"{API}/wijken/{hoods.wijk_b.id}",
        json={"code": hoods.wijk_a.code},
        headers=world.headers(Role.admin, **{"If-Match": '"1"'}),
    )
    assert response.status_code == 409


def ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [w["id"] for w in response.json()["items"]]


def test_each_role_lists_only_the_wijken_in_its_scope(world: World, hoods: Neighbourhoods) -> None:
    a, b = str(hoods.wijk_a.id), str(hoods.wijk_b.id)
    for role in (Role.wijkagent, Role.opbouwwerker, Role.wijkbeheerder):
        assert ids(world.client.get(f"{API}/wijken", headers=world.headers(role))) == [a]
    koppel_b_agent = world.headers_for(hoods.koppel_b.members[Role.wijkagent])
    assert ids(world.client.get(f"{API}/wijken", headers=koppel_b_agent)) == [b]
    assert ids(world.client.get(f"{API}/wijken", headers=world.headers(Role.gemeente))) == [a, b]
    assert ids(world.client.get(f"{API}/wijken", headers=world.headers(Role.admin))) == [a, b]
    for role in (Role.police_system, Role.housing_system, Role.agency_worker):
        assert ids(world.client.get(f"{API}/wijken", headers=world.headers(role))) == []


def test_out_of_scope_is_404_and_in_scope_without_the_right_is_403(
    world: World, hoods: Neighbourhoods
) -> None:
    agent = world.headers(Role.wijkagent)
    assert world.client.get(f"{API}/wijken/{hoods.wijk_a.id}", headers=agent).status_code == 200
    hidden = world.client.get(f"{API}/wijken/{hoods.wijk_b.id}", headers=agent)
    assert hidden.status_code == 404
    assert hidden.json()["detail"] == "wijk not found"
    # managing wijken is not a koppel member's right at all: 403 whatever the wijk (so nothing leaks)
    change = {"name": "Anders"}
    for wijk in (hoods.wijk_a, hoods.wijk_b):
        response = world.client.patch(
            f"{API}/wijken/{wijk.id}", json=change, headers={**agent, "If-Match": '"1"'}
        )
        assert response.status_code == 403
    assert (
        world.client.get(
            f"{API}/wijken/{hoods.wijk_a.id}", headers=world.headers(Role.police_system)
        ).status_code
        == 404
    )


def test_filters_and_pagination(world: World, hoods: Neighbourhoods) -> None:
    admin = world.headers(Role.admin)
    assert create(world, indicators=["criminaliteit"]).status_code == 201
    other = world.client.post(
        f"{API}/wijken",
        json={"code": "WK036301", "name": "Centrum", "municipalityCode": "GM0363"},
        headers=admin,
    )
    assert other.status_code == 201
    assert len(ids(world.client.get(f"{API}/wijken?municipalityCode=GM0106", headers=admin))) == 3
    assert ids(world.client.get(f"{API}/wijken?municipalityCode=GM0363", headers=admin)) == [
        other.json()["id"]
    ]
    criminaliteit = world.client.get(f"{API}/wijken?indicator=criminaliteit", headers=admin).json()["items"]
    assert [w["code"] for w in criminaliteit] == ["WK010601", "WK010603"]
    world.client.delete(f"{API}/wijken/{other.json()['id']}", headers={**admin, "If-Match": '"1"'})
    assert len(ids(world.client.get(f"{API}/wijken?active=true", headers=admin))) == 3
    assert ids(world.client.get(f"{API}/wijken?active=false", headers=admin)) == [other.json()["id"]]
    assert invalid_names(world.client.get(f"{API}/wijken?indicator=armoede", headers=admin)) == {"indicator"}

    codes: list[str] = []
    url: str | None = f"{API}/wijken?limit=2"
    while url:
        page = world.client.get(url, headers=admin)
        codes += [w["code"] for w in page.json()["items"]]
        link = page.headers.get("Link")
        url = link[1 : link.index(">")] if link else None
    assert codes == ["WK010601", "WK010602", "WK010603", "WK036301"]


def test_an_agency_reaches_the_wijken_its_offers_serve(world: World, hoods: Neighbourhoods) -> None:
    response = world.client.post(
        f"{API}/offers",
        json={
            "providerOrganisationId": str(world.organisations["instantie"].id),
            "title": "Schuldhulpmaatje",
            "description": "Een vrijwilliger helpt met de administratie.",
            "categories": ["schulden"],
            "wijkIds": [str(hoods.wijk_b.id)],
            "contactRoute": "Via de opbouwwerker",
        },
        headers=world.headers(Role.admin),
    )
    assert response.status_code == 201, response.text
    assert ids(world.client.get(f"{API}/wijken", headers=world.headers(Role.agency_worker))) == [
        str(hoods.wijk_b.id)
    ]
