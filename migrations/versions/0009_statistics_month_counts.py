"""the wijk statistics' monthly counts, kept by triggers: statistics_month_count holds, per wijk, local
(Europe/Amsterdam) month, series and group, how many signals (by category), contact moments (by kind),
interventions (by phase) and referrals (by status) there are, so a year of a wijk reads a few hundred
rows instead of every row of the year

Triggers on the four tables keep the counts in the same transaction as every insert, update and delete
(and truncate), so no writer can forget them; the upgrade fills them from the rows already there.

PostgreSQL: statement-level triggers over transition tables add one aggregated delta per (wijk, month,
group) and statement, in key order (two statements lock shared count rows in the same order). New
signals count in one of four slots by backend (pid % 4), so concurrent signal writers (batches) do not
queue on one row; changes and deletions of signals count in slot 4, which only writers holding the
signals' change-log turn (persistence.change_logs) touch: such a writer never waits for a slot a new
signal holds while waiting for the turn. Readers sum the slots.

SQLite: row-level triggers, one slot. SQLite has no time zones, so the local month is computed from the
EU summer-time rule (since 1996: a month starting in April to October starts at 00:00 CEST = 22:00 UTC
the day before, any other at 00:00 CET = 23:00 UTC), from the stored UTC text to the second; months before 1996 are never read from the counts
(persistence.statistics counts them from the rows).

A later migration that rebuilds one of the four tables on SQLite (batch_alter_table copies it into a
new table) drops its triggers with the old table: such a migration must create them again (as here)
and run `backfill`; tests/integration/test_statistics_month_counts.py fails while they are missing.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 00:40:00.000000
"""

# ruff: noqa: S608 - every name in these statements is one of this module's constants

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.engine import Connection

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "statistics_month_count"
# (counted table = series name, the instant that places a row in its month, the column it is grouped by)
SERIES = (
    ("signal", "created_at", "category"),
    ("contact_moment", "occurred_at", "kind"),
    ("intervention", "created_at", "phase"),
    ("referral", "created_at", "status"),
)
SIGNAL_INSERT_SLOTS = 4
SIGNAL_CHANGE_SLOT = 4


def month_postgresql(column: str) -> str:
    return f"to_char({column} AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM')"


def month_sqlite(column: str) -> str:
    # Whole seconds only: SQLite's date functions round to milliseconds, which would carry
    # 23:59:59.9999995 into the next day; every month starts on a whole second.
    second = f"substr({column}, 1, 19)"
    return (
        f"CASE WHEN CAST(strftime('%m', {second}, '+2 hours') AS INTEGER) BETWEEN 4 AND 10 "
        f"THEN strftime('%Y-%m', {second}, '+2 hours') ELSE strftime('%Y-%m', {second}, '+1 hours') END"
    )


def _postgresql_slot(table: str, event: str) -> str:
    if table != "signal":
        return "0"
    return f"pg_backend_pid() % {SIGNAL_INSERT_SLOTS}" if event == "insert" else str(SIGNAL_CHANGE_SLOT)


def _postgresql_function(table: str, instant: str, key: str, event: str) -> str:
    parts = []
    if event in ("insert", "update"):
        parts.append(f"SELECT wijk_id, {month_postgresql(instant)} AS month, {key} AS group_key, 1 AS delta FROM new_rows")
    if event in ("delete", "update"):
        parts.append(f"SELECT wijk_id, {month_postgresql(instant)} AS month, {key} AS group_key, -1 AS delta FROM old_rows")
    deltas = " UNION ALL ".join(parts)
    return f"""
CREATE FUNCTION statistics_{table}_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {TABLE} AS counted (wijk_id, month, series, group_key, slot, n)
    SELECT wijk_id, month, '{table}', group_key, {_postgresql_slot(table, event)}, sum(delta)
    FROM ({deltas}) AS changed
    GROUP BY wijk_id, month, group_key
    HAVING sum(delta) <> 0
    ORDER BY wijk_id, month, group_key
    ON CONFLICT (wijk_id, month, series, group_key, slot) DO UPDATE SET n = counted.n + EXCLUDED.n;
    RETURN NULL;
END
$$"""


def _postgresql_truncate_function(table: str) -> str:
    return f"""
CREATE FUNCTION statistics_{table}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {TABLE} WHERE series = '{table}';
    RETURN NULL;
END
$$"""


_TRANSITIONS = {
    "insert": "REFERENCING NEW TABLE AS new_rows",
    "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
}


def _upgrade_postgresql() -> None:
    for table, instant, key in SERIES:
        for event, transition in _TRANSITIONS.items():
            op.execute(_postgresql_function(table, instant, key, event))
            op.execute(
                f"CREATE TRIGGER statistics_{table}_{event} AFTER {event.upper()} ON {table} {transition} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION statistics_{table}_{event}()"
            )
        op.execute(_postgresql_truncate_function(table))
        op.execute(
            f"CREATE TRIGGER statistics_{table}_truncate AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION statistics_{table}_truncate()"
        )


def _sqlite_add(table: str, instant: str, key: str) -> str:
    return (
        f"INSERT INTO {TABLE} (wijk_id, month, series, group_key, slot, n) "
        f"VALUES (NEW.wijk_id, {month_sqlite('NEW.' + instant)}, '{table}', NEW.{key}, 0, 1) "
        "ON CONFLICT (wijk_id, month, series, group_key, slot) DO UPDATE SET n = n + 1;"
    )


def _sqlite_remove(table: str, instant: str, key: str) -> str:
    return (
        f"UPDATE {TABLE} SET n = n - 1 WHERE wijk_id = OLD.wijk_id AND month = {month_sqlite('OLD.' + instant)} "
        f"AND series = '{table}' AND group_key = OLD.{key} AND slot = 0;"
    )


def _upgrade_sqlite() -> None:
    for table, instant, key in SERIES:
        add, remove = _sqlite_add(table, instant, key), _sqlite_remove(table, instant, key)
        op.execute(f"CREATE TRIGGER statistics_{table}_insert AFTER INSERT ON {table} BEGIN {add} END")
        op.execute(f"CREATE TRIGGER statistics_{table}_delete AFTER DELETE ON {table} BEGIN {remove} END")
        op.execute(
            f"CREATE TRIGGER statistics_{table}_update AFTER UPDATE OF wijk_id, {instant}, {key} ON {table} "
            f"WHEN OLD.wijk_id IS NOT NEW.wijk_id OR OLD.{instant} IS NOT NEW.{instant} OR OLD.{key} IS NOT NEW.{key} "
            f"BEGIN {remove} {add} END"
        )


def backfill(connection: Connection) -> None:
    """Count every existing row again (the counts a bulk load without triggers leaves out, too)."""
    month = month_postgresql if connection.dialect.name == "postgresql" else month_sqlite
    placed = " UNION ALL ".join(
        f"SELECT wijk_id, {month(instant)} AS month, '{table}' AS series, {key} AS group_key FROM {table}"
        for table, instant, key in SERIES
    )
    connection.execute(sa.text(f"DELETE FROM {TABLE}"))
    # In key order, so the counts of one wijk's year lie together on a few pages.
    connection.execute(sa.text(
        f"INSERT INTO {TABLE} (wijk_id, month, series, group_key, slot, n) "
        f"SELECT wijk_id, month, series, group_key, 0, count(*) FROM ({placed}) AS placed "
        "GROUP BY wijk_id, month, series, group_key ORDER BY wijk_id, month, series, group_key"
    ))


def upgrade() -> None:
    op.create_table(TABLE,
    sa.Column('wijk_id', sa.Uuid(), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('series', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('group_key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('wijk_id', 'month', 'series', 'group_key', 'slot', name=op.f('pk_statistics_month_count'))
    )
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()
    backfill(op.get_bind())


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, _, _ in SERIES:
        for event in ("insert", "update", "delete", "truncate"):
            if postgresql:
                op.execute(f"DROP TRIGGER IF EXISTS statistics_{table}_{event} ON {table}")
                op.execute(f"DROP FUNCTION IF EXISTS statistics_{table}_{event}()")
            else:
                op.execute(f"DROP TRIGGER IF EXISTS statistics_{table}_{event}")
    op.drop_table(TABLE)
