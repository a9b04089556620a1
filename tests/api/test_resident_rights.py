"""The resident's rights: an export of everything held and every access; erasure that leaves no
personal value anywhere in the database; retention; and the audit trail that records it all."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import JSON, String, Text, delete, select, update
from sqlalchemy.exc import DBAPIError

from domain.identity import Role
from persistence.tables import metadata
from persistence.tables_residents import AuditEventRow, ResidentRow
from persistence.uow import SqlUnitOfWork
from tests.factories import Neighbourhoods, World, build_neighbourhoods
from tests.resident_support import API, AuditedApi, add_consent, add_note, audit_events, create_resident

NOTE_TEXT = "Vertelde over de ruzie met de bovenburen over geluidsoverlast in de nacht."
CORRECTED = "Vertelde over onenigheid met de bovenburen; bemiddeling voorgesteld."
PRIVATE = "Eigen notitie: navragen of de huisarts al betrokken is bij de klachten."
PURPOSE = "aanmelding bij buurtbemiddeling zuidoost"


@pytest.fixture
def hoods(world: World) -> Neighbourhoods:
    return build_neighbourhoods(world)


@pytest.fixture
def api(world: World) -> AuditedApi:
    return AuditedApi(world)


def _full_history(world: World, hoods: Neighbourhoods, api: AuditedApi) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A resident touched in every way there is; returns it and the accesses made, in order, as
    (action, role)."""
    opbouw, agent, beheer = (world.headers(r) for r in (Role.opbouwwerker, Role.wijkagent, Role.wijkbeheerder))
    agency = world.headers(Role.agency_worker)
    done: list[tuple[str, str]] = []
    resident = create_resident(api, opbouw, hoods.wijk_a.id)
    rid = resident["id"]
    done.append(("create", "opbouwwerker"))
    api.get(f"{API}/residents/{rid}", agent)
    done.append(("read", "wijkagent"))
    api.get(f"{API}/residents", beheer, params={"q": "fatima"})
    done.append(("search_hit", "wijkbeheerder"))
    note = add_note(api, agent, rid, NOTE_TEXT)
    done.append(("create", "wijkagent"))
    api.patch(f"{API}/residents/{rid}/notes/{note['id']}", {**agent, "If-Match": '"1"'}, json={"text": CORRECTED})
    done.append(("update", "wijkagent"))
    add_note(api, opbouw, rid, PRIVATE, visibility="author")
    done.append(("create", "opbouwwerker"))
    api.get(f"{API}/residents/{rid}/notes", beheer)  # sees the koppel note only
    done.append(("read", "wijkbeheerder"))
    consent = add_consent(api, opbouw, rid, world.organisations["instantie"].id, purpose=PURPOSE)
    done.append(("create", "opbouwwerker"))
    api.get(f"{API}/residents/{rid}/shared-data", agency)
    done.append(("read", "agency_worker"))
    api.patch(f"{API}/residents/{rid}", {**agent, "If-Match": '"1"'}, json={"email": "f.elkhatib@voorbeeld.nl"})
    done.append(("update", "wijkagent"))
    api.post(f"{API}/residents/{rid}/consents/{consent['id']}/withdrawal", beheer)
    done.append(("consent_withdrawn", "wijkbeheerder"))
    return resident, done


def test_the_export_holds_everything_and_every_access_made(world: World, hoods: Neighbourhoods, api: AuditedApi) -> None:
    resident, done = _full_history(world, hoods, api)
    rid = resident["id"]
    privacy = world.headers(Role.privacy_officer)
    response = api.get(f"{API}/residents/{rid}/export", privacy)
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    exported = response.json()
    assert exported["resident"]["email"] == "f.elkhatib@voorbeeld.nl"
    assert exported["resident"]["lastActivityAt"]
    # every note whatever its visibility, with its earlier versions
    notes = {n["text"]: n for n in exported["notes"]}
    assert set(notes) == {CORRECTED, PRIVATE}
    assert notes[PRIVATE]["visibility"] == "author"
    assert [v["text"] for v in notes[CORRECTED]["earlierVersions"]] == [NOTE_TEXT]
    assert [c["purpose"] for c in exported["consents"]] == [PURPOSE]
    # every access made above, in order, and this export as the last one
    accesses = [(a["action"], a["actorRole"]) for a in exported["accesses"]]
    assert accesses == [*done, ("export", "privacy_officer")]
    organisations = {a["organisationName"] for a in exported["accesses"]}
    assert organisations == {"Test welzijn", "Test politie", "Test woningcorporatie", "Test instantie"}
    # the same as the audit trail holds
    assert len(exported["accesses"]) == len(audit_events(world, resident_id=rid))
    for role in (Role.opbouwwerker, Role.wijkagent, Role.admin, Role.agency_worker):
        assert api.get(f"{API}/residents/{rid}/export", world.headers(role)).status_code == 403


_RANDOM_IDS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}")
# Instants, lowercased as the scan sees them ("2026-11-22t03:59:17.432151z"): their digits vary by run.
_INSTANTS = re.compile(r"\d{4}-\d{2}-\d{2}t\d{2}:\d{2}:\d{2}(\.\d+)?z")


def _personal_values() -> list[str]:
    return [
        "fatima", "khatib", "ümit", "umit", "9402zx", "4321", "voorbeeld.nl", "ruzie met de bovenburen",
        "onenigheid", "huisarts", "buurtbemiddeling zuidoost",
    ]


def _holds_text(column_type: Any) -> bool:
    # sqlmodel's AutoString is a TypeDecorator over String, not a String itself
    return isinstance(getattr(column_type, "impl", column_type), String | Text | JSON)


def _text_in_every_column(world: World) -> list[tuple[str, str, str]]:
    """(table, column, value) for every text and JSON value in every table, read with SQL."""

    async def work(uow: SqlUnitOfWork) -> list[tuple[str, str, str]]:
        found = []
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if _holds_text(c.type)]
            if not columns:
                continue
            for row in (await uow.session.execute(select(*columns))).all():
                for column, value in zip(columns, row, strict=True):
                    if value is not None:
                        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                        # random ids (request ids, uuids kept as text) may contain a short value by chance
                        found.append((table.name, column.name, _RANDOM_IDS.sub("<id>", text.lower())))
        return found

    return world.run(work)


def test_erasure_leaves_no_personal_value_anywhere_in_the_database(
    world: World, hoods: Neighbourhoods, api: AuditedApi
) -> None:
    resident, _ = _full_history(world, hoods, api)
    rid = resident["id"]
    before = _text_in_every_column(world)
    for value in _personal_values():  # the scan does find them before
        assert any(value in text for _, _, text in before), value

    privacy = world.headers(Role.privacy_officer)
    assert api.post(f"{API}/residents/{rid}/erasure", world.headers(Role.opbouwwerker)).status_code == 403
    erased = api.post(f"{API}/residents/{rid}/erasure", privacy)
    assert erased.status_code == 200, erased.text
    report = erased.json()
    assert report["alreadyErased"] is False and report["notesRemoved"] == 2 and report["consentsClosed"] == 0
    [event] = audit_events(world, request_id=erased.headers["X-Request-ID"])
    assert event.action == "erase" and event.actor_role is Role.privacy_officer

    leftovers = [(t, c) for t, c, text in _text_in_every_column(world) for v in _personal_values() if v in text]
    assert leftovers == []

    # what stays: an anonymous row for statistics, the consent skeleton, the audit trail
    async def row(uow: SqlUnitOfWork) -> Any:
        return (await uow.session.execute(select(ResidentRow.__table__).where(ResidentRow.__table__.c.id == UUID(rid)))).mappings().one()

    kept = world.run(row)
    assert kept["wijk_id"] == hoods.wijk_a.id and kept["is_key_figure"] is True and kept["birth_decade"] == 1960
    assert kept["anonymised_reason"] == "erasure" and kept["birth_year"] is None
    assert len(audit_events(world, resident_id=rid)) > 10

    # idempotent: asking again reports the erasure and changes nothing
    again = api.post(f"{API}/residents/{rid}/erasure", privacy)
    assert again.status_code == 200 and again.json()["alreadyErased"] is True
    assert again.json()["erasedAt"] == report["erasedAt"]
    # and the resident is gone from every route
    for path in ("", "/notes", "/consents", "/export"):
        headers = privacy if path == "/export" else world.headers(Role.opbouwwerker)
        assert api.get(f"{API}/residents/{rid}{path}", headers).status_code == 404, path
    assert api.get(f"{API}/residents/{rid}/shared-data", world.headers(Role.agency_worker)).status_code == 404
    assert api.get(f"{API}/residents", world.headers(Role.opbouwwerker)).json()["items"] == []


def _backdate(world: World, resident_id: str, months: int) -> None:
    async def work(uow: SqlUnitOfWork) -> None:
        t = ResidentRow.__table__
        await uow.session.execute(
            update(t).where(t.c.id == UUID(resident_id)).values(last_activity_at=datetime.now(UTC) - timedelta(days=31 * months))
        )
        await uow.commit()

    world.run(work)


def test_a_retention_run_anonymises_residents_without_activity_and_reports_it(
    world: World, hoods: Neighbourhoods, api: AuditedApi
) -> None:
    opbouw = world.headers(Role.opbouwwerker)
    quiet = create_resident(api, opbouw, hoods.wijk_a.id)
    add_note(api, opbouw, quiet["id"], NOTE_TEXT)
    revived = create_resident(api, opbouw, hoods.wijk_a.id, givenName="Karel", familyName="Doorn")
    active = create_resident(api, opbouw, hoods.wijk_a.id, givenName="Anna", familyName="Wit")
    for resident in (quiet, revived):
        _backdate(world, resident["id"], 25)
    add_note(api, opbouw, revived["id"], "Weer eens langs geweest.")  # activity restarts the clock

    for role in (Role.opbouwwerker, Role.gemeente, Role.agency_worker):
        assert world.client.post(f"{API}/retention-runs", headers=world.headers(role)).status_code == 403
    run = world.client.post(f"{API}/retention-runs", headers=world.headers(Role.admin))
    assert run.status_code == 200, run.text
    report = run.json()
    assert report["months"] == 24 and report["anonymisedResidentIds"] == [quiet["id"]]
    assert report["anonymisedCount"] == 1 and report["notesRemoved"] == 1
    [event] = audit_events(world, request_id=run.headers["X-Request-ID"])
    assert event.action == "anonymise" and event.actor_role is Role.admin and str(event.resident_id) == quiet["id"]
    assert event.purpose == "retention: no activity for 24 months"

    again = world.client.post(f"{API}/retention-runs", headers=world.headers(Role.privacy_officer)).json()
    assert again["anonymisedResidentIds"] == [] and again["anonymisedCount"] == 0
    assert api.get(f"{API}/residents/{quiet['id']}", opbouw).status_code == 404
    for resident in (revived, active):
        assert api.get(f"{API}/residents/{resident['id']}", opbouw).status_code == 200
    # an erasure request afterwards finds the work done
    erasure = api.post(f"{API}/residents/{quiet['id']}/erasure", world.headers(Role.privacy_officer)).json()
    assert erasure["alreadyErased"] is True


def test_the_privacy_officer_queries_the_audit_trail_which_holds_no_personal_values(
    world: World, hoods: Neighbourhoods, api: AuditedApi
) -> None:
    resident, done = _full_history(world, hoods, api)
    privacy = world.headers(Role.privacy_officer)

    def listed(**params: Any) -> list[dict[str, Any]]:
        response = world.client.get(f"{API}/audit-events", headers=privacy, params=params)
        assert response.status_code == 200, response.text
        return response.json()["items"]  # type: ignore[no-any-return]

    everything = listed(residentId=resident["id"], limit=200)
    assert [(e["action"], e["actorRole"]) for e in everything] == done
    agent_id = str(world.principals[Role.wijkagent].id)
    by_agent = listed(actorId=agent_id, limit=200)
    assert by_agent and all(e["actorId"] == agent_id for e in by_agent)
    assert [e["action"] for e in listed(action="consent_withdrawn")] == ["consent_withdrawn"]
    middle = everything[3]["occurredAt"]
    assert all(e["occurredAt"] >= middle for e in listed(**{"from": middle, "limit": 200}))
    assert all(e["occurredAt"] < middle for e in listed(to=middle, limit=200))
    assert world.client.get(f"{API}/audit-events", headers=privacy, params={"from": middle, "to": middle}).status_code == 400
    # paging
    first = world.client.get(f"{API}/audit-events", headers=privacy, params={"limit": 2})
    assert len(first.json()["items"]) == 2 and 'rel="next"' in first.headers["Link"]
    # Ids, request ids and instants vary by run; a short personal value such as a house number may occur
    # in one by chance, so they are masked before the scan (they are not personal values themselves).
    text = _RANDOM_IDS.sub("<id>", json.dumps(everything, ensure_ascii=False).lower())
    text = _INSTANTS.sub("<instant>", text)
    for value in _personal_values():
        assert value not in text, value
    for role in Role:
        if role is not Role.privacy_officer:
            assert world.client.get(f"{API}/audit-events", headers=world.headers(role)).status_code == 403


def test_the_database_refuses_to_change_audit_events(world: World, hoods: Neighbourhoods, api: AuditedApi, backend: str) -> None:
    create_resident(api, world.headers(Role.opbouwwerker), hoods.wijk_a.id)
    table = AuditEventRow.__table__

    def attempt(statement: Any) -> str:
        async def work(uow: SqlUnitOfWork) -> str:
            try:
                await uow.session.execute(statement)
                await uow.commit()
            except DBAPIError as exc:
                await uow.rollback()
                return str(exc.orig)
            return "allowed"

        return world.run(work)

    assert "append-only" in attempt(update(table).values(action="read"))
    if backend == "postgresql":
        assert "append-only" in attempt(delete(table))
    assert [e.action for e in audit_events(world)] == ["create"]
