"""Build the benchmark volume in its own PostgreSQL database.

    python -m benchmarks.seed [--scale 1] [--database-url postgresql://postgres@127.0.0.1:5432/koppelwerk_bench]

Creates the database (refusing to touch one that exists unless --recreate), applies the Alembic
migrations (the schema comes from them, as in production), then streams the volume in with COPY: one
connection per table, secondary indexes dropped during the load and rebuilt after it, foreign-key
triggers off for the load (the generator keeps every reference consistent). The change logs the feeds
read are numbered in the order the changes happened, as the service numbers them in commit order.
The load bypasses triggers, so the wijk statistics' monthly counts (migration 0009) are then counted
from the loaded rows by that migration's own backfill. Finishes with VACUUM ANALYZE and prints what it
wrote and how long it took.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg
from alembic.script import ScriptDirectory
from psycopg import sql
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api.passwords import Argon2SecretHasher
from benchmarks.accounts import CLIENT_SECRET, DEFAULT_DATABASE_URL, STAFF_PASSWORD
from benchmarks.volume import Volume, World, copy_value
from persistence import migrate

COLUMNS: dict[str, tuple[str, ...]] = {
    "organisation": ("id", "name", "kind", "municipality_code", "active", "version", "created_at", "updated_at"),
    "user_account": ("id", "username", "display_name", "email", "password_hash", "role", "organisation_id", "active",
                     "version", "created_at", "updated_at"),
    "api_client": ("id", "client_id", "name", "secret_hash", "role", "organisation_id", "active", "version",
                   "created_at", "updated_at"),
    "wijk": ("id", "code", "name", "municipality_code", "buurten", "boundary", "active", "version", "created_at",
             "updated_at", "postcode_ranges"),
    "wijk_indicator": ("wijk_id", "indicator"),
    "koppel": ("id", "name", "status", "starts_on", "ends_on", "version", "created_at", "updated_at"),
    "koppel_member": ("id", "koppel_id", "user_id", "koppel_role", "joined_on", "left_on", "version", "created_at",
                      "updated_at"),
    "koppel_wijk": ("id", "koppel_id", "wijk_id", "starts_on", "ends_on", "version", "created_at", "updated_at"),
    "presence": ("id", "koppel_id", "kind", "weekday", "occurs_on", "start_time", "end_time", "place", "note",
                 "sort_key", "version", "created_at", "updated_at"),
    "service_area": ("id", "organisation_id", "wijk_id", "municipality_code", "version", "created_at", "updated_at"),
    "offer": ("id", "provider_organisation_id", "volunteer_resident_id", "title", "description", "municipality_code",
              "capacity", "available", "contact_route", "archived_at", "version", "created_at", "updated_at"),
    "offer_category": ("offer_id", "category"),
    "resident": ("id", "wijk_id", "given_name", "family_name", "search_name", "postcode", "huisnummer", "toevoeging",
                 "nummeraanduiding_id", "phone", "email", "birth_year", "birth_decade", "is_key_figure", "languages",
                 "last_activity_at", "anonymised_at", "anonymised_reason", "version", "created_at", "updated_at"),
    "resident_note": ("id", "resident_id", "author_id", "author_organisation_id", "author_role", "category",
                      "visibility", "text", "revision", "retracted_at", "version", "created_at", "updated_at"),
    "resident_note_revision": ("id", "note_id", "resident_id", "revision", "category", "visibility", "text",
                               "written_at", "replaced_at"),
    "resident_consent": ("id", "resident_id", "organisation_id", "scope", "purpose", "given_how", "given_at",
                         "recorded_by_id", "recorded_by_organisation_id", "withdrawn_at", "withdrawn_by_id", "version",
                         "created_at", "updated_at"),
    "audit_event": ("id", "occurred_at", "actor_kind", "actor_id", "actor_role", "actor_organisation_id", "action",
                    "resident_id", "record_kind", "record_id", "fields", "purpose", "request_id"),
    "contact_moment": ("id", "wijk_id", "koppel_id", "kind", "occurred_at", "place", "summary", "redacted_at",
                       "recorded_by_user_id", "version", "created_at", "updated_at"),
    "contact_moment_resident": ("contact_moment_id", "resident_id"),
    "signal": ("id", "wijk_id", "source", "category", "description", "urgency", "location_postcode",
               "location_house_number", "location_house_number_addition", "location_latitude", "location_longitude",
               "status", "submitted_by_organisation_id", "external_reference", "recorded_by_user_id",
               "recorded_by_client_id", "first_action_at", "closed_at", "version", "created_at", "updated_at"),
    "signal_status_change": ("id", "signal_id", "at_version", "from_status", "to_status", "reason",
                             "changed_by_user_id", "changed_by_client_id", "changed_at"),
    "need": ("id", "wijk_id", "koppel_id", "resident_id", "category", "description", "urgency", "redacted_at",
             "recorded_by_user_id", "version", "created_at", "updated_at"),
    "referral": ("id", "need_id", "offer_id", "organisation_id", "wijk_id", "koppel_id", "category", "mediation",
                 "status", "note", "rejection_reason", "withdrawal_reason", "follow_up_on", "followed_up_on",
                 "holds_place", "registered_at", "closed_at", "redacted_at", "proposed_by_user_id", "version",
                 "created_at", "updated_at"),
    "referral_resident": ("referral_id", "resident_id"),
    "referral_status_change": ("id", "referral_id", "at_version", "from_status", "to_status", "reason",
                               "changed_by_user_id", "changed_at"),
    "intervention": ("id", "wijk_id", "koppel_id", "kind", "title", "description", "phase", "follow_up_on",
                     "outcome_result", "outcome_text", "closed_at", "created_by_user_id", "created_by_client_id",
                     "version", "created_at", "updated_at"),
    "intervention_signal": ("intervention_id", "signal_id"),
    "agenda_item_signal": ("agenda_item_id", "signal_id"),
    "intervention_phase_change": ("id", "intervention_id", "at_version", "from_phase", "to_phase", "reason", "note",
                                  "follow_up_on", "changed_by_user_id", "changed_by_client_id", "changed_at"),
    "agenda_item": ("id", "wijk_id", "title", "description", "theme", "priority", "addressee_kind",
                    "addressee_organisation_id", "status", "addressee_reference", "response", "withdrawal_reason",
                    "raised_by_user_id", "raised_by_client_id", "submitted_at", "closed_at", "version", "created_at",
                    "updated_at"),
}
# The change logs are staged unnumbered, then numbered in the order the changes happened.
STAGED_LOGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "signal_change": ("occurred_at", ("signal_id", "organisation_id", "kind", "status", "signal_version", "occurred_at")),
    "agenda_item_change": ("occurred_at", ("agenda_item_id", "kind", "status", "wijk_id", "addressee_kind",
                                           "addressee_organisation_id", "item_version", "occurred_at", "submitted")),
}
FLUSH_ROWS = 20_000


def libpq_url(url: str) -> str:
    """The psycopg form of a database URL (SQLAlchemy's driver suffix removed)."""
    return url.replace("postgresql+asyncpg://", "postgresql://").replace("postgresql+psycopg://", "postgresql://")


def sqlalchemy_url(url: str) -> str:
    return libpq_url(url).replace("postgresql://", "postgresql+asyncpg://", 1)


class CopySink:
    """One table's COPY stream on its own connection, so several tables fill side by side."""

    def __init__(self, url: str, table: str, columns: Iterable[str]) -> None:
        self.table = table
        self.rows = 0
        self._buffer: list[str] = []
        self._connection = psycopg.connect(url)
        prepare(self._connection)
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        self._cursor = self._connection.cursor()
        self._copy_context = self._cursor.copy(statement)
        self._copy = self._copy_context.__enter__()

    def add(self, row: tuple[Any, ...]) -> None:
        self._buffer.append("\t".join(map(copy_value, row)))
        if len(self._buffer) >= FLUSH_ROWS:
            self.flush()

    def extend(self, rows: Iterable[tuple[Any, ...]]) -> None:
        for row in rows:
            self.add(row)

    def flush(self) -> None:
        if self._buffer:
            self._copy.write("\n".join(self._buffer) + "\n")
            self.rows += len(self._buffer)
            self._buffer.clear()

    def close(self) -> None:
        self.flush()
        self._copy_context.__exit__(None, None, None)
        self._connection.commit()
        self._connection.close()


class DrainingList(list[tuple[Any, ...]]):
    """A list a generator appends side rows to; `drain` hands them to their sink and empties it."""

    def __init__(self, sink: CopySink) -> None:
        super().__init__()
        self.sink = sink

    def drain(self) -> None:
        if len(self) >= FLUSH_ROWS:
            self.sink.extend(self)
            self.clear()

    def close(self) -> None:
        self.sink.extend(self)
        self.clear()
        self.sink.close()


def prepare(connection: psycopg.Connection[Any]) -> None:
    """Session settings for a bulk load: no FK triggers (the generator keeps references consistent),
    no waiting for the WAL flush, room to sort when indexes are rebuilt."""
    connection.execute("SET session_replication_role = replica")
    connection.execute("SET synchronous_commit = off")
    connection.execute("SET maintenance_work_mem = '512MB'")


def create_database(url: str, recreate: bool) -> None:
    info = psycopg.conninfo.conninfo_to_dict(url)
    name = info.get("dbname")
    if not name or name in ("test", "postgres", "template0", "template1"):
        raise SystemExit(f"refusing to seed database {name!r}: give a dedicated one, e.g. koppelwerk_bench")
    admin_url = psycopg.conninfo.make_conninfo(url, dbname="postgres")
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and not recreate:
            raise SystemExit(f"database {name!r} exists; pass --recreate to drop and rebuild it")
        if exists:
            connection.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def secondary_indexes(connection: psycopg.Connection[Any]) -> list[tuple[str, str]]:
    """(name, definition) of every index that backs no constraint: rebuilt after the load."""
    return connection.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
    ).fetchall()


def hashes() -> tuple[str, str]:
    hasher = Argon2SecretHasher()

    async def both() -> tuple[str, str]:
        return await hasher.hash(STAFF_PASSWORD), await hasher.hash(CLIENT_SECRET)

    return asyncio.run(both())


def load(url: str, world: World, volume: Volume, report: dict[str, int]) -> None:
    def sink(table: str) -> CopySink:
        return CopySink(url, table, COLUMNS[table])

    def fill(table: str, rows: Iterator[tuple[Any, ...]]) -> None:
        target = sink(table)
        target.extend(rows)
        target.close()
        report[table] = target.rows

    for table, rows in (
        ("organisation", world.organisation_rows()),
        ("user_account", world.user_rows()),
        ("api_client", world.client_rows()),
        ("wijk", world.wijk_rows()),
        ("wijk_indicator", world.wijk_indicator_rows()),
        ("koppel", world.koppel_rows()),
        ("koppel_member", world.koppel_member_rows()),
        ("koppel_wijk", world.koppel_wijk_rows()),
        ("presence", world.presence_rows()),
        ("service_area", world.service_area_rows()),
        ("offer", world.offer_rows()),
        ("offer_category", world.offer_category_rows()),
    ):
        fill(table, rows)

    def side(*tables: str) -> list[DrainingList]:
        return [DrainingList(sink(t)) for t in tables]

    def stream(table: str, rows: Iterator[tuple[Any, ...]], sides: list[DrainingList]) -> None:
        main = sink(table)
        for row in rows:
            main.add(row)
            for s in sides:
                s.drain()
        main.close()
        report[table] = main.rows
        for s in sides:
            s.close()
            if not s.sink.table.startswith("bench_stage_"):
                report[s.sink.table] = report.get(s.sink.table, 0) + s.sink.rows
        print(f"  {table}: {main.rows} rows", flush=True)

    def staged(log: str) -> DrainingList:
        return DrainingList(CopySink(url, f"bench_stage_{log}", STAGED_LOGS[log][1]))

    with psycopg.connect(url, autocommit=True) as connection:
        for log, (_, columns) in STAGED_LOGS.items():
            connection.execute(
                sql.SQL("CREATE UNLOGGED TABLE {} AS SELECT {} FROM {} WITH NO DATA").format(
                    sql.Identifier(f"bench_stage_{log}"), sql.SQL(", ").join(map(sql.Identifier, columns)),
                    sql.Identifier(log),
                )
            )

    notes, revisions, consents, audit = side("resident_note", "resident_note_revision", "resident_consent", "audit_event")
    stream("resident", world.resident_rows(volume, notes, revisions, consents, audit), [notes, revisions, consents, audit])
    named, audit = side("contact_moment_resident", "audit_event")
    stream("contact_moment", world.contact_moment_rows(volume, named, audit), [named, audit])
    (history,) = side("signal_status_change")
    signal_log = staged("signal_change")
    stream("signal", world.signal_rows(volume, history, signal_log), [history, signal_log])
    referrals, referral_residents, referral_history = side("referral", "referral_resident", "referral_status_change")
    stream("need", world.need_rows(volume, referrals, referral_residents, referral_history),
           [referrals, referral_residents, referral_history])
    phases, taken_up = side("intervention_phase_change", "intervention_signal")
    stream("intervention", world.intervention_rows(volume, phases, taken_up), [phases, taken_up])
    agenda_log = staged("agenda_item_change")
    (put_on_agenda,) = side("agenda_item_signal")
    stream("agenda_item", world.agenda_item_rows(volume, agenda_log, put_on_agenda), [agenda_log, put_on_agenda])

    with psycopg.connect(url, autocommit=True) as connection:
        prepare(connection)
        for log, (order, columns) in STAGED_LOGS.items():
            stage = sql.Identifier(f"bench_stage_{log}")
            names = sql.SQL(", ").join(map(sql.Identifier, columns))
            # Numbered by the sequence in the order the changes happened (the service's commit order).
            connection.execute(
                sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {} ORDER BY {}").format(
                    sql.Identifier(log), names, names, stage, sql.Identifier(order)
                )
            )
            report[log] = connection.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(log))).fetchone()[0]
            connection.execute(sql.SQL("DROP TABLE {}").format(stage))


def count_statistics_months(url: str) -> int:
    """The wijk statistics' monthly counts, by the backfill of the migration that keeps them: the load
    ran without triggers (session_replication_role = replica), so they were not kept while loading."""
    address = make_url(sqlalchemy_url(url))
    revision = ScriptDirectory.from_config(migrate.alembic_config(address.render_as_string(hide_password=False)))
    backfill = revision.get_revision("0009").module.backfill
    engine = create_engine(address.set(drivername="postgresql+psycopg"))
    try:
        with engine.begin() as connection:
            backfill(connection)
            return int(connection.execute(text("SELECT count(*) FROM statistics_month_count")).scalar_one())
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.seed",
        description=(
            "Create a PostgreSQL database holding a realistic Koppelwerk volume for the load benchmarks: "
            "3 municipalities, 60 wijken, 150 koppels and, per unit of --scale, 100 000 residents (notes, "
            "consents, audit trail), 1 000 000 contact moments, 200 000 signals, 50 000 needs with referrals, "
            "20 000 agenda items and 10 000 interventions (which take up some of the signals), with their histories "
            "and change logs, over the two "
            "years before --anchor. Deterministic: the same --seed, --scale and --anchor give the same rows."
        ),
        epilog=(
            "Staff accounts (password in benchmarks/accounts.py): opbouwwerker.001 … opbouwwerker.150, "
            "wijkagent.NNN, wijkbeheerder.NNN (even-numbered koppels), beleid.assen / beleid.emmen / beleid.hoogeveen, "
            "admin. Clients: bench-police, bench-housing-assen / -emmen / -hoogeveen."
        ),
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help=f"the database to create (default {DEFAULT_DATABASE_URL}); never the test database")
    parser.add_argument("--scale", type=float, default=1.0, help="volume multiplier: 1 (default) or 10")
    parser.add_argument("--seed", type=int, default=20261101, help="random seed (default 20261101)")
    parser.add_argument("--anchor", default="2026-11-01",
                        help="the data covers the two years before this day (default 2026-11-01)")
    parser.add_argument("--recreate", action="store_true", help="drop the database first when it exists")
    args = parser.parse_args(argv)

    url = libpq_url(args.database_url)
    anchor = datetime.fromisoformat(args.anchor).replace(tzinfo=UTC)
    started = time.perf_counter()
    create_database(url, args.recreate)
    migrate.upgrade(sqlalchemy_url(url))
    print(f"schema migrated ({time.perf_counter() - started:.1f}s)", flush=True)

    password_hash, secret_hash = hashes()
    world = World(args.seed, anchor, password_hash, secret_hash)
    volume = Volume.at(args.scale)
    with psycopg.connect(url, autocommit=True) as connection:
        indexes = secondary_indexes(connection)
        for name, _ in indexes:
            connection.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    report: dict[str, int] = {}
    load(url, world, volume, report)
    loaded = time.perf_counter()
    print(f"rows loaded ({loaded - started:.1f}s); rebuilding {len(indexes)} indexes", flush=True)
    with psycopg.connect(url, autocommit=True) as connection:
        prepare(connection)
        for _, definition in indexes:
            connection.execute(definition)  # type: ignore[arg-type]  # from pg_indexes, not user input
        indexed = time.perf_counter()
        print(f"indexes rebuilt ({indexed - loaded:.1f}s); counting the statistics' months", flush=True)
    report["statistics_month_count"] = count_statistics_months(url)
    with psycopg.connect(url, autocommit=True) as connection:
        print(f"statistics' months counted ({time.perf_counter() - indexed:.1f}s); VACUUM ANALYZE", flush=True)
        connection.execute("VACUUM ANALYZE")
    total = time.perf_counter() - started
    width = max(map(len, report))
    print(f"\n{'table'.ljust(width)}  rows")
    for table, rows in sorted(report.items(), key=lambda item: -item[1]):
        print(f"{table.ljust(width)}  {rows:>10}")
    print(f"\nscale {args.scale:g} seeded into {url} in {total:.0f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
