"""Organisations, users and clients through the admin endpoints, and the token endpoint."""

from __future__ import annotations

import pytest

from domain.identity import Role
from tests.factories import PASSWORD, World

API = "/api/v1"


def token_for(world: World, username: str, password: str = PASSWORD):
    return world.client.post(
        f"{API}/auth/token", data={"grant_type": "password", "username": username, "password": password}
    )


def test_password_grant_returns_a_short_lived_bearer_token(world: World) -> None:
    response = token_for(world, world.usernames[Role.opbouwwerker])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert 0 < body["expires_in"] <= 3600
    assert response.headers["Cache-Control"] == "no-store"


def test_client_credentials_grant_with_form_fields_and_with_basic(world: World) -> None:
    role = Role.police_system
    form = {"grant_type": "client_credentials", "client_id": world.client_ids[role], "client_secret": world.client_secrets[role]}
    assert world.client.post(f"{API}/auth/token", data=form).status_code == 200
    basic = world.client.post(
        f"{API}/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(world.client_ids[role], world.client_secrets[role]),
    )
    assert basic.status_code == 200, basic.text


def test_wrong_password_and_unknown_user_look_the_same(world: World) -> None:
    wrong = token_for(world, world.usernames[Role.wijkagent], "wrong-password-123")
    unknown = token_for(world, "nobody.here", "wrong-password-123")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert wrong.headers["content-type"] == "application/problem+json"


def test_repeated_failed_logins_are_throttled_even_with_the_right_password(world: World) -> None:
    username = world.usernames[Role.wijkagent]
    for _ in range(5):
        assert token_for(world, username, "wrong-password-123").status_code == 401
    locked = token_for(world, username)
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0


def test_missing_grant_fields_are_a_400_naming_the_field(world: World) -> None:
    response = world.client.post(f"{API}/auth/token", data={"grant_type": "password", "username": "x"})
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "username"
    bad_grant = world.client.post(f"{API}/auth/token", data={"grant_type": "implicit"})
    assert bad_grant.status_code == 400
    assert bad_grant.json()["invalidParams"][0]["name"] == "grant_type"


def test_admin_creates_reads_updates_and_deactivates_an_organisation(world: World) -> None:
    headers = world.headers(Role.admin)
    created = world.client.post(
        f"{API}/organisations",
        json={"name": "Stichting Schuldhulp", "kind": "instantie"},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    organisation = created.json()
    assert created.headers["ETag"] == '"1"'
    url = f"{API}/organisations/{organisation['id']}"
    assert world.client.get(url, headers=headers).json() == organisation

    no_if_match = world.client.patch(url, json={"name": "Schuldhulp Assen"}, headers=headers)
    assert no_if_match.status_code == 428
    updated = world.client.patch(url, json={"name": "Schuldhulp Assen"}, headers={**headers, "If-Match": '"1"'})
    assert updated.status_code == 200, updated.text
    assert updated.json()["name"] == "Schuldhulp Assen"
    assert updated.headers["ETag"] == '"2"'
    stale = world.client.patch(url, json={"name": "Other"}, headers={**headers, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"

    assert world.client.delete(url, headers={**headers, "If-Match": '"2"'}).status_code == 204
    assert world.client.get(url, headers=headers).json()["active"] is False


def test_gemeente_needs_a_valid_municipality_code(world: World) -> None:
    headers = world.headers(Role.admin)
    missing = world.client.post(f"{API}/organisations", json={"name": "Gemeente X", "kind": "gemeente"}, headers=headers)
    assert missing.status_code == 400
    assert missing.json()["invalidParams"][0]["name"] == "municipalityCode"
    wrong = world.client.post(
        f"{API}/organisations", json={"name": "Gemeente X", "kind": "gemeente", "municipalityCode": "GM12"}, headers=headers
    )
    assert wrong.status_code == 400
    assert wrong.json()["invalidParams"][0]["name"] == "municipalityCode"


def test_organisation_list_is_paginated_with_a_link_header(world: World) -> None:
    headers = world.headers(Role.admin)
    seen: list[str] = []
    url: str | None = f"{API}/organisations?limit=2"
    pages = 0
    while url:
        response = world.client.get(url, headers=headers)
        assert response.status_code == 200
        seen += [o["id"] for o in response.json()["items"]]
        link = response.headers.get("Link")
        url = link[1 : link.index(">")] if link else None
        pages += 1
    assert len(seen) == len(set(seen)) == len(world.organisations)
    assert pages == 3


def test_a_role_must_fit_the_organisation(world: World) -> None:
    response = world.client.post(
        f"{API}/users",
        json={
            "username": "agent.in.welzijn",
            "displayName": "Verkeerd",
            "password": "long-enough-password",
            "role": "wijkagent",
            "organisationId": str(world.organisations["welzijn"].id),
        },
        headers=world.headers(Role.admin),
    )
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "role"


def test_user_lifecycle_and_a_deactivated_account_loses_its_token(world: World) -> None:
    admin = world.headers(Role.admin)
    created = world.client.post(
        f"{API}/users",
        json={
            "username": "nieuwe.agent",
            "displayName": "Nieuwe agent",
            "password": "long-enough-password",
            "role": "wijkagent",
            "organisationId": str(world.organisations["politie"].id),
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert "password" not in user and "passwordHash" not in user
    duplicate = world.client.post(
        f"{API}/users",
        json={
            "username": "nieuwe.agent",
            "displayName": "Dubbel",
            "password": "long-enough-password",
            "role": "wijkagent",
            "organisationId": str(world.organisations["politie"].id),
        },
        headers=admin,
    )
    assert duplicate.status_code == 409

    token = token_for(world, "nieuwe.agent", "long-enough-password").json()["access_token"]
    own = {"Authorization": f"Bearer {token}"}
    # a wijkagent may not manage users: in scope of the route, without the right -> 403
    assert world.client.get(f"{API}/users", headers=own).status_code == 403

    assert world.client.delete(f"{API}/users/{user['id']}", headers={**admin, "If-Match": '"1"'}).status_code == 204
    after = world.client.get(f"{API}/users", headers=own)
    assert after.status_code == 401
    assert after.headers["WWW-Authenticate"].startswith("Bearer")
    assert token_for(world, "nieuwe.agent", "long-enough-password").status_code == 401


def test_smuggled_fields_are_refused(world: World) -> None:
    response = world.client.post(
        f"{API}/clients",
        json={"name": "x", "role": "police_system", "organisationId": str(world.organisations["politie"].id), "active": False, "clientSecret": "mine"},
        headers=world.headers(Role.admin),
    )
    assert response.status_code == 400
    names = {p["name"] for p in response.json()["invalidParams"]}
    assert names == {"active", "clientSecret"}


def test_client_lifecycle_secret_rotation(world: World) -> None:
    admin = world.headers(Role.admin)
    created = world.client.post(
        f"{API}/clients",
        json={"name": "Politie feed", "role": "police_system", "organisationId": str(world.organisations["politie"].id)},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    form = {"grant_type": "client_credentials", "client_id": body["clientId"], "client_secret": body["clientSecret"]}
    assert world.client.post(f"{API}/auth/token", data=form).status_code == 200
    assert "clientSecret" not in world.client.get(f"{API}/clients/{body['id']}", headers=admin).json()

    rotated = world.client.post(f"{API}/clients/{body['id']}/secrets", headers={**admin, "If-Match": '"1"'})
    assert rotated.status_code == 201
    assert world.client.post(f"{API}/auth/token", data=form).status_code == 401
    form["client_secret"] = rotated.json()["clientSecret"]
    assert world.client.post(f"{API}/auth/token", data=form).status_code == 200

    wrong_role = world.client.post(
        f"{API}/clients",
        json={"name": "x", "role": "wijkagent", "organisationId": str(world.organisations["politie"].id)},
        headers=admin,
    )
    assert wrong_role.status_code == 400


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.admin])
def test_only_admin_manages_identity(world: World, role: Role) -> None:
    for path in ("organisations", "users", "clients"):
        assert world.client.get(f"{API}/{path}", headers=world.headers(role)).status_code == 403
