"""`koppelwerk retention`: the same retention run from the command line, reporting what it did,
recorded in the audit trail as the service itself; running it again changes nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from sqlalchemy import insert, select

from api.cli import main
from persistence.db import DatabaseOptions, create_engine
from persistence.tables import WijkRow
from persistence.tables_residents import AuditEventRow, ResidentRow

RESIDENT = ResidentRow.__table__
WIJK = WijkRow.__table__
AUDIT = AuditEventRow.__table__


def _sql(url: str, work):  # type: ignore[no-untyped-def]
    async def go():  # type: ignore[no-untyped-def]
        engine = create_engine(DatabaseOptions(url))
        try:
            async with engine.begin() as connection:
                return await work(connection)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def _resident(wijk_id: UUID, name: str, last_activity_at: datetime) -> dict[str, object]:
    return {
        "id": uuid4(), "wijk_id": wijk_id, "given_name": name, "search_name": name.lower(), "postcode": "9401AB",
        "huisnummer": 3, "phone": "0612345678", "birth_year": 1950, "birth_decade": 1950, "is_key_figure": False,
        "languages": ["nl"], "last_activity_at": last_activity_at, "version": 1,
        "created_at": last_activity_at, "updated_at": last_activity_at,
    }


def test_retention_from_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("KOPPELWERK_DATABASE_URL", url)
    monkeypatch.setenv("KOPPELWERK_RETENTION_MONTHS", "24")
    main(["migrate"])
    now = datetime.now(UTC)
    wijk_id = uuid4()
    old = _resident(wijk_id, "Hendrik", now - timedelta(days=120))
    recent = _resident(wijk_id, "Grietje", now - timedelta(days=10))

    async def seed(connection):  # type: ignore[no-untyped-def]
        await connection.execute(
            insert(WIJK).values(
                id=wijk_id, code="WK010601", name="Assen-Oost", municipality_code="GM0106", buurten=[],
                active=True, version=1, created_at=now, updated_at=now,
            )
        )
        await connection.execute(insert(RESIDENT), [old, recent])

    _sql(url, seed)
    capsys.readouterr()
    main(["retention"])  # 24 months: nobody is that quiet
    assert capsys.readouterr().out.startswith("retention: 0 resident(s)")
    main(["retention", "--months", "3"])
    out = capsys.readouterr().out
    assert "retention: 1 resident(s)" in out and f"anonymised {old['id']}" in out
    main(["retention", "--months", "3"])
    assert capsys.readouterr().out.startswith("retention: 0 resident(s)")

    async def check(connection):  # type: ignore[no-untyped-def]
        rows = {r["id"]: r for r in (await connection.execute(select(RESIDENT))).mappings().all()}
        events = (await connection.execute(select(AUDIT))).mappings().all()
        return rows, events

    rows, events = _sql(url, check)
    assert rows[old["id"]]["given_name"] is None and rows[old["id"]]["phone"] is None
    assert rows[old["id"]]["anonymised_reason"] == "retention" and rows[old["id"]]["birth_decade"] == 1950
    assert rows[recent["id"]]["given_name"] == "Grietje"
    [event] = events
    assert event["action"] == "anonymise" and event["actor_kind"] == "system" and event["actor_id"] is None
    assert event["purpose"] == "retention: no activity for 3 months"

    with pytest.raises(SystemExit) as refused:
        main(["retention", "--months", "0"])
    assert refused.value.code == 2
