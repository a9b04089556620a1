"""The offer catalogue over HTTP: who reads and manages which offers, validation, filters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain import accounts
from domain.identity import OrganisationKind, Role
from tests.factories import Neighbourhoods, World, build_neighbourhoods

API = "/api/v1"


@pytest.fixture
def hoods(world: World) -> Neighbourhoods:
    return build_neighbourhoods(world)


def offer_body(world: World, **fields: object) -> dict[str, object]:
    return {
        "providerOrganisationId": str(world.organisations["instantie"].id),
        "title": "Schuldhulpmaatje",
        "description": "Een getrainde vrijwilliger helpt met post en betalingen.",
        "categories": ["schulden", "financien"],
        "capacity": 4,
        "contactRoute": "Aanmelden via de opbouwwerker",
        **fields,
    }


def create(world: World, headers: dict[str, str] | None = None, **fields: object):  # type: ignore[no-untyped-def]
    return world.client.post(
        f"{API}/offers", json=offer_body(world, **fields), headers=headers or world.headers(Role.admin)
    )


def ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [o["id"] for o in response.json()["items"]]


def test_an_offer_in_wijk_a_is_read_by_koppel_a_and_its_agency_only(
    world: World, hoods: Neighbourhoods
) -> None:
    created = create(world, wijkIds=[str(hoods.wijk_a.id)])
    assert created.status_code == 201, created.text
    offer = created.json()
    assert offer["providerName"] == "Test instantie"
    assert offer["categories"] == ["financien", "schulden"] and offer["available"] is True
    url = f"{API}/offers/{offer['id']}"
    for headers in (
        world.headers(Role.wijkagent),
        world.headers(Role.wijkbeheerder),
        world.headers(Role.agency_worker),
    ):
        assert world.client.get(url, headers=headers).json() == offer
        assert ids(world.client.get(f"{API}/offers", headers=headers)) == [offer["id"]]
    koppel_b = world.headers_for(hoods.koppel_b.members[Role.opbouwwerker])
    assert world.client.get(url, headers=koppel_b).status_code == 404
    assert ids(world.client.get(f"{API}/offers", headers=koppel_b)) == []
    colleague = world.add_user(Role.agency_worker, organisation="instantie")
    assert world.client.get(url, headers=world.headers_for(colleague)).status_code == 200  # same agency
    # an agency worker of another agency does not see it
    world.organisations["andere"] = world.run(
        lambda uow: accounts.create_organisation(
            uow, accounts.NewOrganisation("Andere instantie", OrganisationKind.instantie), datetime.now(UTC)
        )
    )
    outsider = world.add_user(Role.agency_worker, organisation="andere")
    assert world.client.get(url, headers=world.headers_for(outsider)).status_code == 404
    assert ids(world.client.get(f"{API}/offers", headers=world.headers_for(outsider))) == []
    for role in (Role.gemeente, Role.police_system, Role.housing_system):
        assert world.client.get(url, headers=world.headers(role)).status_code == 403


def test_a_municipality_wide_offer_reaches_every_koppel_there(world: World, hoods: Neighbourhoods) -> None:
    offer = create(world, municipalityCode="GM0106").json()
    for headers in (
        world.headers(Role.opbouwwerker),
        world.headers_for(hoods.koppel_b.members[Role.wijkagent]),
    ):
        assert ids(world.client.get(f"{API}/offers", headers=headers)) == [offer["id"]]
    elsewhere = create(world, municipalityCode="GM0363", title="Elders")
    assert elsewhere.status_code == 201
    assert ids(world.client.get(f"{API}/offers", headers=world.headers(Role.opbouwwerker))) == [offer["id"]]


def test_koppel_members_manage_offers_for_their_own_wijken(world: World, hoods: Neighbourhoods) -> None:
    worker = world.headers(Role.opbouwwerker)
    own = create(world, worker, wijkIds=[str(hoods.wijk_a.id)])
    assert own.status_code == 201, own.text
    outside = create(world, worker, wijkIds=[str(hoods.wijk_b.id)])
    assert outside.status_code == 400
    assert outside.json()["invalidParams"][0] == {
        "name": "wijkIds",
        "code": "unknown_reference",
        "reason": outside.json()["invalidParams"][0]["reason"],
    }
    assert create(world, worker, municipalityCode="GM0106").status_code == 403
    url = f"{API}/offers/{own.json()['id']}"
    changed = world.client.patch(
        url, json={"available": False, "capacity": 0}, headers={**worker, "If-Match": '"1"'}
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["available"], changed.json()["capacity"]) == (False, 0)
    widened = world.client.patch(
        url,
        json={"wijkIds": [str(hoods.wijk_a.id), str(hoods.wijk_b.id)]},
        headers={**worker, "If-Match": '"2"'},
    )
    assert widened.status_code == 400
    # an offer that also serves wijk B is the admin's, though koppel A can read it
    shared = create(world, wijkIds=[str(hoods.wijk_a.id), str(hoods.wijk_b.id)]).json()
    assert world.client.get(f"{API}/offers/{shared['id']}", headers=worker).status_code == 200
    assert (
        world.client.patch(
            f"{API}/offers/{shared['id']}", json={"title": "Anders"}, headers={**worker, "If-Match": '"1"'}
        ).status_code
        == 403
    )
    # the agency reads its offers but does not manage them
    assert (
        world.client.patch(
            url, json={"title": "Anders"}, headers=world.headers(Role.agency_worker, **{"If-Match": '"2"'})
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"wijkIds": []}, "wijkIds"),  # neither wijken nor a municipality
        ({"municipalityCode": "GM0106", "wijkIds": ["WIJK"]}, "wijkIds.0"),
        ({"categories": []}, "categories"),
        ({"categories": ["armoede"]}, "categories.0"),
        ({"capacity": -1}, "capacity"),
        ({"title": ""}, "title"),
        ({"municipalityCode": "GM06"}, "municipalityCode"),
        ({"volunteerResidentId": "henk"}, "volunteerResidentId"),
    ],
)
def test_invalid_offers_are_a_400_naming_the_field(
    world: World, fields: dict[str, object], field: str
) -> None:
    response = create(world, **fields)
    assert response.status_code == 400, response.text
    assert field in {p["name"] for p in response.json()["invalidParams"]}


def test_the_provider_is_an_agency_or_welfare_organisation(world: World, hoods: Neighbourhoods) -> None:
    police = create(
        world, wijkIds=[str(hoods.wijk_a.id)], providerOrganisationId=str(world.organisations["politie"].id)
    )
    assert police.status_code == 400
    assert police.json()["invalidParams"][0]["name"] == "providerOrganisationId"
    both = create(world, wijkIds=[str(hoods.wijk_a.id)], municipalityCode="GM0106")
    assert both.status_code == 400 and both.json()["invalidParams"][0]["name"] == "municipalityCode"
    welzijn = create(
        world, wijkIds=[str(hoods.wijk_a.id)], providerOrganisationId=str(world.organisations["welzijn"].id)
    )
    assert welzijn.status_code == 201


def test_filters_pagination_and_archiving(world: World, hoods: Neighbourhoods) -> None:
    admin = world.headers(Role.admin)
    a = str(hoods.wijk_a.id)
    debt = create(world, wijkIds=[a], title="A schulden").json()
    mediation = create(
        world, wijkIds=[str(hoods.wijk_b.id)], title="B buren", categories=["burenconflict"]
    ).json()
    city = create(
        world, municipalityCode="GM0106", title="C taal", categories=["taal"], available=False
    ).json()
    assert ids(world.client.get(f"{API}/offers?category=schulden", headers=admin)) == [debt["id"]]
    assert ids(world.client.get(f"{API}/offers?wijkId={a}", headers=admin)) == [debt["id"], city["id"]]
    assert ids(world.client.get(f"{API}/offers?available=false", headers=admin)) == [city["id"]]
    assert world.client.get(f"{API}/offers?category=armoede", headers=admin).status_code == 400

    titles: list[str] = []
    url: str | None = f"{API}/offers?limit=2"
    while url:
        page = world.client.get(url, headers=admin)
        titles += [o["title"] for o in page.json()["items"]]
        link = page.headers.get("Link")
        url = link[1 : link.index(">")] if link else None
    assert titles == ["A schulden", "B buren", "C taal"]

    offer_url = f"{API}/offers/{mediation['id']}"
    assert world.client.delete(offer_url, headers=admin).status_code == 428
    assert world.client.delete(offer_url, headers={**admin, "If-Match": '"7"'}).status_code == 412
    assert world.client.delete(offer_url, headers={**admin, "If-Match": '"1"'}).status_code == 204
    archived = world.client.get(offer_url, headers=admin)
    assert (
        archived.status_code == 200
        and archived.json()["archivedAt"]
        and archived.json()["available"] is False
    )
    assert mediation["id"] not in ids(world.client.get(f"{API}/offers", headers=admin))
    assert ids(world.client.get(f"{API}/offers?archived=true", headers=admin)) == [mediation["id"]]
    again = world.client.patch(
        offer_url, json={"title": "Terug"}, headers={**admin, "If-Match": archived.headers["ETag"]}
    )
    assert again.status_code == 409


def test_switching_an_offer_from_wijken_to_the_whole_municipality(
    world: World, hoods: Neighbourhoods
) -> None:
    admin = world.headers(Role.admin)
    offer = create(world, wijkIds=[str(hoods.wijk_a.id)]).json()
    url = f"{API}/offers/{offer['id']}"
    half = world.client.patch(url, json={"municipalityCode": "GM0106"}, headers={**admin, "If-Match": '"1"'})
    assert half.status_code == 400  # still lists wijken: one or the other
    switched = world.client.patch(
        url, json={"municipalityCode": "GM0106", "wijkIds": []}, headers={**admin, "If-Match": '"1"'}
    )
    assert switched.status_code == 200, switched.text
    assert (switched.json()["wijkIds"], switched.json()["municipalityCode"]) == ([], "GM0106")
    assert switched.headers["ETag"] == '"2"'
    assert (
        world.client.patch(url, json={"title": None}, headers={**admin, "If-Match": '"2"'}).status_code == 400
    )
