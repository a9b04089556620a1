"""Helpers for the residents tests: data through the API, and an HTTP wrapper that checks, after every
call that returns a resident's data, that the audit trail recorded it under that request's id."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import httpx

from domain import koppels
from domain.audit import AuditAction, AuditEvent, AuditFilter
from domain.identity import Principal
from domain.koppels import KoppelRole, NewMember
from domain.pagination import PageRequest
from persistence.uow import SqlUnitOfWork
from tests.factories import World, admin_scope

API = "/api/v1"
RESIDENT_PATH = re.compile(r"^/api/v1/residents/(?P<resident>[0-9a-f-]{36})(?:/|$)")


def audit_events(world: World, **filters: Any) -> list[AuditEvent]:
    """Every audit event matching the filters, oldest first (all pages)."""
    if "action" in filters:
        filters["action"] = AuditAction(filters["action"])
    for name in ("resident_id", "actor_id"):
        if isinstance(filters.get(name), str):
            filters[name] = UUID(filters[name])

    async def work(uow: SqlUnitOfWork) -> list[AuditEvent]:
        found: list[AuditEvent] = []
        cursor = None
        while True:
            page = await uow.audit.list(PageRequest(limit=200, cursor=cursor), AuditFilter(**filters))
            found.extend(page.items)
            if page.next_cursor is None:
                return found
            cursor = page.next_cursor

    return world.run(work)


def _listed_ids(body: Any) -> list[str]:
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return [item["id"] for item in body["items"] if isinstance(item, dict) and "id" in item]
    return []


class AuditedApi:
    """world.client, plus: every 2xx answer under /residents must have its audit events — one per
    resident in a search result, one per note or consent in a list, at least one otherwise — all with
    the X-Request-ID of that very response."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.checked = 0

    def request(self, method: str, url: str, headers: dict[str, str], **kwargs: Any) -> httpx.Response:
        response = self.world.client.request(method, url, headers=headers, **kwargs)
        if url.startswith(f"{API}/residents") and 200 <= response.status_code < 300:
            self._check(url.split("?")[0], response)
        return response

    def get(self, url: str, headers: dict[str, str], **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, headers, **kwargs)

    def post(self, url: str, headers: dict[str, str], **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, headers, **kwargs)

    def patch(self, url: str, headers: dict[str, str], **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", url, headers, **kwargs)

    def delete(self, url: str, headers: dict[str, str], **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, headers, **kwargs)

    def _check(self, path: str, response: httpx.Response) -> None:
        assert response.headers["Cache-Control"] == "no-store", path
        events = audit_events(self.world, request_id=response.headers["X-Request-ID"])
        body = response.json() if response.content else None
        listed = _listed_ids(body)
        match = RESIDENT_PATH.match(path)
        if path == f"{API}/residents":
            expected_residents = set(listed) if response.request.method == "GET" else {body["id"]}
            assert {str(e.resident_id) for e in events} == expected_residents, path
            if response.request.method == "GET":
                assert sorted(str(e.resident_id) for e in events) == sorted(listed), "one search_hit per result"
        elif path.endswith("/erasure") and body["alreadyErased"]:
            assert events == [], "asking again for an erasure changes and discloses nothing"
        elif isinstance(body, dict) and "items" in body and body["items"] == []:
            assert events == [], f"{path}: an empty list discloses nothing, so it writes nothing"
        else:
            assert match is not None, path
            assert events, f"{path}: a {response.status_code} with resident data but no audit event"
            assert {str(e.resident_id) for e in events} == {match["resident"]}, path
            if listed and not path.endswith("/revisions"):
                assert {str(e.record_id) for e in events} == set(listed), f"{path}: one event per item"
        self.checked += 1


def resident_body(wijk_id: UUID, **fields: Any) -> dict[str, Any]:
    return {
        "wijkId": str(wijk_id),
        "givenName": "Fatima",
        "familyName": "El Khatib-Ümit",
        "address": {"postcode": "9402 zx", "huisnummer": 17, "toevoeging": "b"},
        "phone": "06 4321 8765",
        "email": "fatima.elkhatib@voorbeeld.nl",
        "birthYear": 1968,
        "isKeyFigure": True,
        "languages": ["ar", "nl"],
        **fields,
    }


def create_resident(api: AuditedApi, headers: dict[str, str], wijk_id: UUID, **fields: Any) -> dict[str, Any]:
    response = api.post(f"{API}/residents", headers, json=resident_body(wijk_id, **fields))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def add_note(
    api: AuditedApi, headers: dict[str, str], resident_id: str, text: str, visibility: str = "koppel",
    category: str = "contact",
) -> dict[str, Any]:
    response = api.post(
        f"{API}/residents/{resident_id}/notes", headers,
        json={"text": text, "category": category, "visibility": visibility},
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def add_consent(
    api: AuditedApi,
    headers: dict[str, str],
    resident_id: str,
    organisation_id: UUID,
    scope: Iterable[str] = ("identity", "contact_details"),
    purpose: str = "aanmelding bij het schuldhulpmaatje",
) -> dict[str, Any]:
    response = api.post(
        f"{API}/residents/{resident_id}/consents", headers,
        json={"organisationId": str(organisation_id), "scope": list(scope), "purpose": purpose, "givenHow": "spoken"},
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def join_koppel(world: World, koppel_id: UUID, principal: Principal, joined_on: date) -> None:
    """Add another member (their own role) to an existing koppel."""

    async def work(uow: SqlUnitOfWork) -> None:
        await koppels.add_member(
            uow, admin_scope(world), koppel_id,
            NewMember(principal.id, KoppelRole(principal.role.value), joined_on), datetime.now(UTC),
        )

    world.run(work)
