"""The police's agenda feed and answers over HTTP: what appears (from the moment an item is on the
police's agenda), tombstones for withdrawals, cursors that resume, 304s, a model that never carries a
field outside its allow-list, and answers that are idempotent. The concurrent-writer tests are in
tests/integration/test_feed_concurrency.py."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from domain import accounts
from domain.feeds import encode_cursor
from domain.identity import OrganisationKind, Role
from tests.factories import Neighbourhoods, World, build_neighbourhoods

API = "/api/v1"
FEED = f"{API}/feeds/agenda-items"
# Every key the police's system may ever receive from the feed or an answer.
ENTRY_KEYS = {"sequence", "change", "agendaItemId", "itemVersion", "status", "occurredAt", "item", "withdrawalReason"}
ITEM_KEYS = {
    "id", "version", "wijk", "title", "description", "theme", "priority", "status", "addresseeReference",
    "response", "submittedAt", "closedAt", "updatedAt",
}
WIJK_KEYS = {"code", "name", "municipalityCode"}
PAGE_KEYS = {"items", "nextCursor", "hasMore"}


@pytest.fixture
def hoods(world: World) -> Neighbourhoods:
    return build_neighbourhoods(world)


def raise_item(world: World, hoods: Neighbourhoods, **fields: Any) -> dict[str, Any]:
    body = {
        "wijkId": str(hoods.wijk_a.id),
        "title": "Jongeren bij het winkelcentrum",
        "description": "Elke avond overlast na 22 uur.",
        "theme": "veiligheid",
        "addressee": {"kind": "politie"},
        **fields,
    }
    response = world.client.post(f"{API}/agenda-items", json=body, headers=world.headers(Role.wijkagent))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def koppel_move(world: World, item_id: str, version: int, **change: Any) -> dict[str, Any]:
    headers = {**world.headers(Role.wijkagent), "If-Match": f'"{version}"'}
    response = world.client.post(f"{API}/agenda-items/{item_id}/status-changes", json=change, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def submitted(world: World, hoods: Neighbourhoods, **fields: Any) -> dict[str, Any]:
    item = raise_item(world, hoods, **fields)
    return koppel_move(world, item["id"], 1, to="geagendeerd")


def answer(world: World, item_id: str, key: str | None = None, if_match: str | None = None, **body: Any):  # type: ignore[no-untyped-def]
    headers = world.headers(Role.police_system)
    headers["Idempotency-Key"] = key or str(uuid.uuid4())
    if if_match:
        headers["If-Match"] = if_match
    return world.client.post(f"{API}/agenda-items/{item_id}/answers", json=body, headers=headers)


def poll(world: World, since: str | None = None, limit: int = 100, **headers: str):  # type: ignore[no-untyped-def]
    params: dict[str, Any] = {"limit": limit}
    if since is not None:
        params["since"] = since
    return world.client.get(FEED, params=params, headers={**world.headers(Role.police_system), **headers})


def drain(world: World, since: str | None = None, limit: int = 2) -> tuple[list[dict[str, Any]], str]:
    """Poll page after page from `since` until nothing more is waiting."""
    entries: list[dict[str, Any]] = []
    while True:
        response = poll(world, since, limit)
        assert response.status_code == 200, response.text
        page = response.json()
        entries += page["items"]
        since = page["nextCursor"]
        if not page["hasMore"]:
            return entries, since


def reconstruct(entries: list[dict[str, Any]]) -> dict[str, tuple[int, str]]:
    held: dict[str, tuple[int, str]] = {}
    for entry in entries:
        if entry["change"] in ("withdrawn", "deleted"):
            assert entry["item"] is None
            held.pop(entry["agendaItemId"], None)
        else:
            held[entry["agendaItemId"]] = (entry["item"]["version"], entry["item"]["status"])
    return held


def test_the_feed_shows_the_polices_agenda_from_submission_on_with_tombstones(world: World, hoods: Neighbourhoods) -> None:
    concept = raise_item(world, hoods, title="Nog een concept")
    assert drain(world)[0] == []  # a concept stays inside the koppel
    kept = submitted(world, hoods)
    withdrawn = submitted(world, hoods, title="Fietsendiefstal bij het station")
    raise_item(world, hoods, addressee={"kind": "gemeente"}, title="Voor de gemeente")
    gemeente_item = raise_item(world, hoods, addressee={"kind": "gemeente"}, title="Ook voor de gemeente")
    koppel_move(world, gemeente_item["id"], 1, to="geagendeerd")
    edited = world.client.patch(
        f"{API}/agenda-items/{kept['id']}",
        json={"priority": "hoog"},
        headers={**world.headers(Role.wijkagent), "If-Match": '"2"'},
    )
    assert edited.status_code == 200
    koppel_move(world, withdrawn["id"], 2, to="ingetrokken", reason="Opgelost door de gemeente")
    deleted = world.client.delete(
        f"{API}/agenda-items/{concept['id']}", headers={**world.headers(Role.wijkagent), "If-Match": '"1"'}
    )
    assert deleted.status_code == 204

    entries, _ = drain(world)
    assert [(e["agendaItemId"], e["change"], e["status"]) for e in entries] == [
        (kept["id"], "created", "geagendeerd"),
        (withdrawn["id"], "created", "geagendeerd"),
        (kept["id"], "updated", "geagendeerd"),
        (withdrawn["id"], "withdrawn", "ingetrokken"),
    ]
    sequences = [e["sequence"] for e in entries]
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
    tombstone = entries[-1]
    assert tombstone["item"] is None and tombstone["withdrawalReason"] == "Opgelost door de gemeente"
    created = entries[0]
    assert created["itemVersion"] == 2 and created["item"]["version"] == 3  # the item as it is now
    assert created["item"]["wijk"] == {"code": "WK010601", "name": "Assen-Oost", "municipalityCode": "GM0106"}
    assert created["item"]["priority"] == "hoog" and created["withdrawalReason"] is None
    assert reconstruct(entries) == {kept["id"]: (3, "geagendeerd")}


def test_an_item_for_another_police_organisation_stays_out(world: World, hoods: Neighbourhoods) -> None:
    other = world.run(
        lambda uow: accounts.create_organisation(
            uow, accounts.NewOrganisation("Politie Elders", OrganisationKind.politie, None), datetime.now(UTC)
        )
    )
    mine = submitted(world, hoods, addressee={"kind": "politie", "organisationId": str(world.organisations["politie"].id)})
    submitted(world, hoods, addressee={"kind": "politie", "organisationId": str(other.id)})
    general = submitted(world, hoods)
    entries, _ = drain(world)
    assert [e["agendaItemId"] for e in entries] == [mine["id"], general["id"]]
    assert answer(world, entries[0]["agendaItemId"], status="in_behandeling").status_code == 200


def test_a_cursor_resumes_exactly_where_the_client_stopped(world: World, hoods: Neighbourhoods) -> None:
    first = submitted(world, hoods)
    page = poll(world, limit=1).json()
    assert [e["agendaItemId"] for e in page["items"]] == [first["id"]] and page["hasMore"] is False
    cursor = page["nextCursor"]
    empty = poll(world, cursor).json()
    assert empty["items"] == [] and empty["nextCursor"] == cursor  # nothing new: the cursor stays
    second = submitted(world, hoods, title="Tweede")
    koppel_move(world, second["id"], 2, to="ingetrokken")
    third = submitted(world, hoods, title="Derde")
    one = poll(world, cursor, limit=1)
    assert one.json()["hasMore"] is True and 'rel="next"' in one.headers["Link"]
    entries, last = drain(world, cursor, limit=1)
    assert [(e["agendaItemId"], e["change"]) for e in entries] == [
        (second["id"], "created"),
        (second["id"], "withdrawn"),
        (third["id"], "created"),
    ]
    assert poll(world, last).json()["items"] == []
    # from the beginning, the whole history reconstructs the current agenda
    assert reconstruct(drain(world, None, limit=1)[0]) == {first["id"]: (2, "geagendeerd"), third["id"]: (2, "geagendeerd")}


@pytest.mark.parametrize(
    "since",
    ["not-a-cursor", encode_cursor("signals", 3), encode_cursor("agenda-items", -1), "W10", "WyJhZ2VuZGEtaXRlbXMiLCJ4Il0"],
)
def test_a_foreign_or_malformed_cursor_is_a_400(world: World, since: str) -> None:
    response = poll(world, since)
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "since"


def test_an_unchanged_feed_answers_304(world: World, hoods: Neighbourhoods) -> None:
    item = submitted(world, hoods)
    first = poll(world)
    tag = first.headers["ETag"]
    same = poll(world, **{"If-None-Match": tag})
    assert same.status_code == 304 and same.content == b"" and same.headers["ETag"] == tag
    assert poll(world, **{"If-None-Match": f'"other", W/{tag}'}).status_code == 304
    assert answer(world, item["id"], status="in_behandeling").status_code == 200
    changed = poll(world, **{"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag


def _keys(value: Any, found: set[str], path: str = "") -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            found.add(f"{path}{key}")
            _keys(inner, found, f"{path}{key}." if key in ("item", "wijk") else path)
    elif isinstance(value, list):
        for inner in value:
            _keys(inner, found, path)


def test_the_police_never_receive_a_field_outside_their_model(world: World, hoods: Neighbourhoods) -> None:
    """Keys are checked against an allow-list, and nothing of the koppel's own work leaks through values:
    linked signals and interventions, who raised the item."""
    signal = world.client.post(
        f"{API}/signals",
        json={
            "wijkId": str(hoods.wijk_a.id), "source": "bewoner", "category": "jongerenoverlast",
            "description": "Melding van mevrouw Jansen, 9401AB 12", "location": {"address": {"postcode": "9401AB", "houseNumber": 12}},
        },
        headers=world.headers(Role.wijkagent),
    ).json()
    intervention = world.client.post(
        f"{API}/interventions",
        json={"wijkId": str(hoods.wijk_a.id), "koppelId": str(hoods.koppel_a.id), "kind": "overlastaanpak", "title": "Hangplek"},
        headers=world.headers(Role.wijkagent),
    ).json()
    item = submitted(world, hoods, signalIds=[signal["id"]], interventionIds=[intervention["id"]])
    withdrawn = submitted(world, hoods, title="Ingetrokken")
    koppel_move(world, withdrawn["id"], 2, to="ingetrokken", reason="Dubbel")
    answered = answer(world, item["id"], status="in_behandeling", addresseeReference="BVH-2026-1")
    assert answered.status_code == 200
    feed = poll(world)
    texts = [feed.text, answered.text]
    found: set[str] = set()
    _keys(feed.json(), found)
    _keys({"item": answered.json()}, found)
    allowed = PAGE_KEYS | ENTRY_KEYS | {f"item.{k}" for k in ITEM_KEYS} | {f"item.wijk.{k}" for k in WIJK_KEYS}
    assert found - allowed == set()
    assert {f"item.{k}" for k in ITEM_KEYS} <= found  # the allow-list is what the model really is
    principal = world.principals[Role.wijkagent]
    for text in texts:
        for secret in (signal["id"], intervention["id"], str(principal.id), "9401AB", "Jansen", str(hoods.wijk_a.id), "wijkagent"):
            assert secret not in text


def test_answers_move_the_item_and_are_idempotent(world: World, hoods: Neighbourhoods) -> None:
    item = submitted(world, hoods)
    taken = answer(world, item["id"], key="ack-1", status="in_behandeling", addresseeReference="BVH-2026-00042")
    assert taken.status_code == 200, taken.text
    assert (taken.json()["status"], taken.json()["addresseeReference"], taken.json()["version"]) == (
        "in_behandeling",
        "BVH-2026-00042",
        3,
    )
    assert taken.headers["ETag"] == '"3"'
    replayed = answer(world, item["id"], key="ack-1", status="in_behandeling", addresseeReference="BVH-2026-00042")
    assert replayed.content == taken.content and replayed.headers["Idempotent-Replayed"] == "true"
    # the same answer under a new key changes nothing either
    again = answer(world, item["id"], status="in_behandeling", addresseeReference="BVH-2026-00042")
    assert again.status_code == 200 and again.json()["version"] == 3
    assert answer(world, item["id"], key="ack-1", status="afgewezen", response="Nee").status_code == 409
    # a reference or response alone is attached without a move
    noted = answer(world, item["id"], response="Extra surveillance ingepland.")
    assert (noted.json()["status"], noted.json()["response"], noted.json()["version"]) == (
        "in_behandeling",
        "Extra surveillance ingepland.",
        4,
    )
    assert answer(world, item["id"], status="afgehandeld", if_match='"3"', response="Klaar").status_code == 412
    no_response = answer(world, item["id"], status="afgewezen")
    assert no_response.status_code == 400 and no_response.json()["invalidParams"][0]["name"] == "response"
    done = answer(world, item["id"], status="afgehandeld", if_match='"4"', response="Hangplek is rustig.")
    assert done.status_code == 200 and done.json()["closedAt"] is not None
    assert answer(world, item["id"], status="afgehandeld", response="Hangplek is rustig.").json()["version"] == 5
    closed = answer(world, item["id"], addresseeReference="BVH-ANDERS")
    assert closed.status_code == 409
    # the koppel sees the answer
    full = world.client.get(f"{API}/agenda-items/{item['id']}", headers=world.headers(Role.wijkagent)).json()
    assert (full["status"], full["response"], full["addresseeReference"]) == (
        "afgehandeld",
        "Hangplek is rustig.",
        "BVH-2026-00042",
    )
    entries, _ = drain(world)
    assert [e["change"] for e in entries] == ["created", "updated", "updated", "updated"]


@pytest.mark.parametrize(
    ("body", "status", "name"),
    [
        ({}, 400, "status"),
        ({"status": "geagendeerd"}, 400, "status"),
        ({"status": "ingetrokken"}, 400, "status"),
        ({"status": "afgehandeld", "response": "Klaar"}, 409, None),  # take it up first
        ({"response": "Bel 06-12345678 voor meer informatie"}, 400, "response"),
        ({"addresseeReference": "x" * 101}, 400, "addresseeReference"),
        ({"status": "in_behandeling", "verdict": "ja"}, 400, "verdict"),
    ],
)
def test_invalid_answers(world: World, hoods: Neighbourhoods, body: dict[str, Any], status: int, name: str | None) -> None:
    item = submitted(world, hoods)
    response = answer(world, item["id"], **body)
    assert response.status_code == status, response.text
    if name:
        assert name in {p["name"] for p in response.json()["invalidParams"]}


def test_answers_reach_only_items_on_the_polices_agenda(world: World, hoods: Neighbourhoods) -> None:
    concept = raise_item(world, hoods)
    assert answer(world, concept["id"], status="in_behandeling").status_code == 404
    gemeente = raise_item(world, hoods, addressee={"kind": "gemeente"})
    koppel_move(world, gemeente["id"], 1, to="geagendeerd")
    assert answer(world, gemeente["id"], status="in_behandeling").status_code == 404
    assert answer(world, str(uuid.uuid4()), status="in_behandeling").status_code == 404
    withdrawn = submitted(world, hoods)
    koppel_move(world, withdrawn["id"], 2, to="ingetrokken")
    assert answer(world, withdrawn["id"], status="in_behandeling").status_code == 409
    item = submitted(world, hoods)
    headers = world.headers(Role.police_system)
    missing_key = world.client.post(f"{API}/agenda-items/{item['id']}/answers", json={"status": "in_behandeling"}, headers=headers)
    assert missing_key.status_code == 400
    assert missing_key.json()["invalidParams"][0]["name"] == "Idempotency-Key"
    # the police system reads items only through its feed, not through the koppel's routes
    assert world.client.get(f"{API}/agenda-items/{item['id']}", headers=headers).status_code == 403
