"""Notes: each read only by whom its visibility allows, through every route; corrections keep the
earlier versions; retraction keeps the record; visibility changes are audited."""

from __future__ import annotations

from typing import Any

import pytest

from domain.identity import Principal, Role
from tests.factories import Neighbourhoods, World, build_neighbourhoods
from tests.resident_support import API, AuditedApi, add_note, audit_events, create_resident, join_koppel

WELFARE_SECRET = "Mevrouw vertelde over schulden bij de energieleverancier en slaapt slecht."
POLICE_SECRET = "Zoon eerder aangehouden voor heling, zaak loopt nog bij het OM."
AUTHOR_SECRET = "Eigen aantekening: terugbellen na de vakantie, zelf nog even nadenken."
SHARED = "Kennismaking bij de voordeur, vriendelijk contact."


@pytest.fixture
def hoods(world: World) -> Neighbourhoods:
    return build_neighbourhoods(world)


@pytest.fixture
def api(world: World) -> AuditedApi:
    return AuditedApi(world)


@pytest.fixture
def colleague(world: World, hoods: Neighbourhoods) -> Principal:
    """A second welfare worker in koppel A: same organisation as the opbouwwerker."""
    principal = world.add_user(Role.opbouwwerker, username="opbouw.collega")
    join_koppel(world, hoods.koppel_a.id, principal, hoods.joined_on)
    return principal


@pytest.fixture
def notes(world: World, hoods: Neighbourhoods, api: AuditedApi) -> dict[str, Any]:
    opbouw, agent = world.headers(Role.opbouwwerker), world.headers(Role.wijkagent)
    resident = create_resident(api, opbouw, hoods.wijk_a.id)
    rid = resident["id"]
    return {
        "resident": rid,
        "welfare": add_note(api, opbouw, rid, WELFARE_SECRET, "organisation", "zorgsignaal"),
        "police": add_note(api, agent, rid, POLICE_SECRET, "organisation", "veiligheid"),
        "author": add_note(api, opbouw, rid, AUTHOR_SECRET, "author", "afspraak"),
        "shared": add_note(api, agent, rid, SHARED, "koppel", "contact"),
    }


def _listed(api: AuditedApi, headers: dict[str, str], rid: str, **params: Any) -> set[str]:
    response = api.get(f"{API}/residents/{rid}/notes", headers, params=params)
    assert response.status_code == 200, response.text
    return {n["text"] for n in response.json()["items"]}


def test_each_note_reaches_exactly_the_readers_its_visibility_names(
    world: World, hoods: Neighbourhoods, api: AuditedApi, notes: dict[str, Any], colleague: Principal
) -> None:
    rid = notes["resident"]
    readers = {
        "opbouwwerker (welfare, author)": (world.headers(Role.opbouwwerker), {WELFARE_SECRET, AUTHOR_SECRET, SHARED}),
        "welfare colleague": (world.headers_for(colleague), {WELFARE_SECRET, SHARED}),
        "wijkagent (police)": (world.headers(Role.wijkagent), {POLICE_SECRET, SHARED}),
        "wijkbeheerder (housing)": (world.headers(Role.wijkbeheerder), {SHARED}),
    }
    for who, (headers, expected) in readers.items():
        assert _listed(api, headers, rid) == expected, who
        for kind, note in notes.items():
            if kind == "resident":
                continue
            response = api.get(f"{API}/residents/{rid}/notes/{note['id']}", headers)
            assert response.status_code == (200 if note["text"] in expected else 404), (who, kind)


def test_a_police_user_never_receives_a_welfare_organisation_note_through_any_route(
    world: World, hoods: Neighbourhoods, api: AuditedApi, notes: dict[str, Any]
) -> None:
    rid, welfare = notes["resident"], notes["welfare"]
    opbouw = world.headers(Role.opbouwwerker)
    # the author corrects it once, so it has an earlier version too
    corrected = api.patch(
        f"{API}/residents/{rid}/notes/{welfare['id']}", {**opbouw, "If-Match": '"1"'},
        json={"text": WELFARE_SECRET + " Huisarts ingeschakeld."},
    )
    assert corrected.status_code == 200
    police_users = [world.headers(Role.wijkagent), world.headers_for(world.add_user(Role.wijkagent, username="agent.elders"))]
    paths = [
        f"{API}/residents",
        f"{API}/residents/{rid}",
        f"{API}/residents/{rid}/notes",
        f"{API}/residents/{rid}/notes?includeRetracted=true",
        f"{API}/residents/{rid}/notes/{welfare['id']}",
        f"{API}/residents/{rid}/notes/{welfare['id']}/revisions",
        f"{API}/residents/{rid}/consents",
        f"{API}/residents/{rid}/export",
        f"{API}/residents/{rid}/shared-data",
        f"{API}/audit-events?residentId={rid}",
    ]
    for headers in police_users:
        for path in paths:
            response = api.get(path, headers)
            assert "energieleverancier" not in response.text, path
            if response.status_code < 300:
                assert str(welfare["id"]) not in response.text, path  # not even that it exists
            elif response.status_code == 404:  # answered exactly like a note that does not exist
                missing = api.get(path.replace(str(welfare["id"]), "00000000-0000-4000-8000-000000000000"), headers)
                assert {k: v for k, v in response.json().items() if k != "instance"} == {
                    k: v for k, v in missing.json().items() if k != "instance"
                }, path
        changed = api.patch(
            f"{API}/residents/{rid}/notes/{welfare['id']}", {**headers, "If-Match": '"2"'}, json={"text": "x"}
        )
        assert changed.status_code == 404
        assert api.delete(f"{API}/residents/{rid}/notes/{welfare['id']}", {**headers, "If-Match": '"2"'}).status_code == 404
    # and the reverse: the police's organisation note never reaches welfare or housing staff
    for headers in (opbouw, world.headers(Role.wijkbeheerder)):
        for path in paths:
            response = api.get(path.replace(str(welfare["id"]), str(notes["police"]["id"])), headers)
            assert "heling" not in response.text, path


def test_only_the_author_corrects_and_every_earlier_version_is_kept(
    world: World, hoods: Neighbourhoods, api: AuditedApi, notes: dict[str, Any], colleague: Principal
) -> None:
    rid, note = notes["resident"], notes["shared"]
    url = f"{API}/residents/{rid}/notes/{note['id']}"
    agent, opbouw = world.headers(Role.wijkagent), world.headers(Role.opbouwwerker)
    # a colleague who can read the note cannot change it
    assert api.patch(url, {**opbouw, "If-Match": '"1"'}, json={"text": "anders"}).status_code == 403
    assert api.delete(url, {**opbouw, "If-Match": '"1"'}).status_code == 403
    assert api.patch(url, agent, json={"text": "zonder If-Match"}).status_code == 428
    first = api.patch(url, {**agent, "If-Match": '"1"'}, json={"text": "Kennismaking bij de voordeur."})
    assert first.status_code == 200 and first.json()["revision"] == 2 and first.headers["ETag"] == '"2"'
    assert api.patch(url, {**agent, "If-Match": '"1"'}, json={"text": "verouderd"}).status_code == 412
    second = api.patch(url, {**agent, "If-Match": '"2"'}, json={"category": "afspraak"})
    assert second.json()["revision"] == 3 and second.json()["category"] == "afspraak"
    revisions = api.get(f"{url}/revisions", opbouw).json()["items"]
    assert [(r["revision"], r["text"], r["category"]) for r in revisions] == [
        (1, SHARED, "contact"),
        (2, "Kennismaking bij de voordeur.", "contact"),
    ]
    [update] = audit_events(world, request_id=second.headers["X-Request-ID"])
    assert update.action == "update" and update.fields == ("category",) and str(update.record_id) == note["id"]
    # a correction that changes nothing adds no version
    same = api.patch(url, {**agent, "If-Match": '"3"'}, json={"category": "afspraak"})
    assert same.status_code == 200 and same.json()["revision"] == 3


def test_a_visibility_change_is_audited_and_never_publishes_earlier_versions(
    world: World, hoods: Neighbourhoods, api: AuditedApi, notes: dict[str, Any], colleague: Principal
) -> None:
    rid, note = notes["resident"], notes["author"]
    url = f"{API}/residents/{rid}/notes/{note['id']}"
    opbouw = world.headers(Role.opbouwwerker)
    widened = api.patch(
        url, {**opbouw, "If-Match": '"1"'}, json={"text": "Terugbellen na de vakantie.", "visibility": "koppel"}
    )
    assert widened.status_code == 200
    events = audit_events(world, request_id=widened.headers["X-Request-ID"])
    assert sorted(e.action for e in events) == ["update", "visibility_change"]
    change = next(e for e in events if e.action == "visibility_change")
    assert change.purpose == "author -> koppel" and change.fields == ("visibility",)
    # the colleague reads the note now, but not the version written for the author alone
    colleague_headers = world.headers_for(colleague)
    assert api.get(url, colleague_headers).json()["text"] == "Terugbellen na de vakantie."
    assert api.get(f"{url}/revisions", colleague_headers).json()["items"] == []
    assert [r["text"] for r in api.get(f"{url}/revisions", opbouw).json()["items"]] == [AUTHOR_SECRET]
    # narrowing again hides it from the colleague altogether
    narrowed = api.patch(url, {**opbouw, "If-Match": '"2"'}, json={"visibility": "organisation"})
    assert narrowed.status_code == 200
    assert api.get(url, colleague_headers).status_code == 200  # same organisation
    assert api.get(url, world.headers(Role.wijkagent)).status_code == 404


def test_a_retracted_note_leaves_daily_lists_but_not_the_record(
    world: World, hoods: Neighbourhoods, api: AuditedApi, notes: dict[str, Any]
) -> None:
    rid, note = notes["resident"], notes["shared"]
    url = f"{API}/residents/{rid}/notes/{note['id']}"
    agent = world.headers(Role.wijkagent)
    assert api.delete(url, agent).status_code == 428
    retracted = api.delete(url, {**agent, "If-Match": '"1"'})
    assert retracted.status_code == 204
    [event] = audit_events(world, request_id=retracted.headers["X-Request-ID"])
    assert event.action == "delete" and event.purpose == "retracted by its author"
    assert SHARED not in _listed(api, agent, rid)
    assert SHARED in _listed(api, agent, rid, includeRetracted="true")
    shown = api.get(url, agent).json()
    assert shown["retractedAt"] is not None and shown["text"] == SHARED
    assert api.patch(url, {**agent, "If-Match": '"2"'}, json={"text": "toch"}).status_code == 409
    assert api.delete(url, {**agent, "If-Match": '"2"'}).status_code == 409
    exported = api.get(f"{API}/residents/{rid}/export", world.headers(Role.privacy_officer)).json()
    assert any(n["text"] == SHARED and n["retractedAt"] for n in exported["notes"])


def test_notes_are_validated(world: World, hoods: Neighbourhoods, api: AuditedApi, notes: dict[str, Any]) -> None:
    url = f"{API}/residents/{notes['resident']}/notes"
    agent = world.headers(Role.wijkagent)
    for body, name in (
        ({"text": "   ", "category": "contact"}, "text"),
        ({"text": "x", "category": "roddel"}, "category"),
        ({"text": "x", "category": "contact", "visibility": "iedereen"}, "visibility"),
        ({"text": "x" * 10_001, "category": "contact"}, "text"),
        ({"text": "tekst met \u0000 erin", "category": "contact"}, "text"),
        ({"text": "x", "category": "contact", "authorId": "00000000-0000-4000-8000-000000000000"}, "authorId"),
    ):
        response = api.post(url, agent, json=body)
        assert response.status_code == 400, body
        assert response.json()["invalidParams"][0]["name"] == name
    note_url = f"{url}/{notes['shared']['id']}"
    assert api.patch(note_url, {**agent, "If-Match": '"1"'}, json={"visibility": None}).status_code == 400
