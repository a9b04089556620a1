"""the wijk statistics' versions: statistics_version holds, per wijk and series, a number that triggers
raise in the same transaction as every insert, update and delete (and truncate) of the four counted
tables, so a worker that kept a wijk's statistics can tell with one primary-key read whether they are
still the statistics it would compute now (api.statistics_cache)

A wijk's version is the sum of its rows. Every committed write raises one of them, so the sum only
grows, and a sum read with the statistics in one statement names exactly the writes they include: two
reads that give the same sum saw the same rows of that wijk. Raised on every write, not only on the
columns the statistics read, so no future input to them can be forgotten here.

PostgreSQL: statement-level triggers over transition tables, one raise per wijk and statement, in wijk
order, in the slots the monthly counts use (migration 0009: new signals in pid % 4, changes of signals
in slot 4, which only holders of the signals' change-log turn touch; other series in slot 0), so a
writer waits for no row a writer of the counts would not make it wait for. Triggers fire in name order:
statistics_version_* after statistics_<table>_*, so the counts' rows are always locked first.

SQLite: row-level triggers, one slot; its writers take turns anyway.

A later migration that rebuilds one of the four tables on SQLite drops these triggers with it (as it
drops 0009's): it must create them again; tests/integration/test_statistics_month_counts.py fails while
they are missing.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 16:20:00.000000
"""

# ruff: noqa: S608 - every name in these statements is one of this module's constants

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "statistics_version"
COUNTED = ("signal", "contact_moment", "intervention", "referral")
EVENTS = ("insert", "update", "delete")
# The slots of migration 0009's counts, for the same reason (see its docstring).
SIGNAL_INSERT_SLOTS = 4
SIGNAL_CHANGE_SLOT = 4

_TRANSITIONS = {
    "insert": "REFERENCING NEW TABLE AS new_rows",
    "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
}


def _slot(table: str, event: str) -> str:
    if table != "signal":
        return "0"
    return f"pg_backend_pid() % {SIGNAL_INSERT_SLOTS}" if event == "insert" else str(SIGNAL_CHANGE_SLOT)


def _postgresql_function(table: str, event: str) -> str:
    touched = " UNION ALL ".join(
        f"SELECT wijk_id FROM {rows}" for rows in ("new_rows", "old_rows") if rows in _TRANSITIONS[event]
    )
    return f"""
CREATE FUNCTION statistics_version_{table}_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {TABLE} AS kept (wijk_id, series, slot, version)
    SELECT wijk_id, '{table}', {_slot(table, event)}, 1
    FROM ({touched}) AS touched
    GROUP BY wijk_id
    ORDER BY wijk_id
    ON CONFLICT (wijk_id, series, slot) DO UPDATE SET version = kept.version + 1;
    RETURN NULL;
END
$$"""


def _postgresql_truncate_function(table: str) -> str:
    # Raised, never reset: a sum that went back down could meet a version some worker still keeps.
    return f"""
CREATE FUNCTION statistics_version_{table}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {TABLE} SET version = version + 1 WHERE series = '{table}';
    RETURN NULL;
END
$$"""


def _upgrade_postgresql() -> None:
    for table in COUNTED:
        for event in EVENTS:
            op.execute(_postgresql_function(table, event))
            op.execute(
                f"CREATE TRIGGER statistics_version_{table}_{event} AFTER {event.upper()} ON {table} "
                f"{_TRANSITIONS[event]} FOR EACH STATEMENT EXECUTE FUNCTION statistics_version_{table}_{event}()"
            )
        op.execute(_postgresql_truncate_function(table))
        op.execute(
            f"CREATE TRIGGER statistics_version_{table}_truncate AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION statistics_version_{table}_truncate()"
        )


def _sqlite_raise(table: str, row: str) -> str:
    return (
        f"INSERT INTO {TABLE} (wijk_id, series, slot, version) VALUES ({row}.wijk_id, '{table}', 0, 1) "
        "ON CONFLICT (wijk_id, series, slot) DO UPDATE SET version = version + 1;"
    )


def _upgrade_sqlite() -> None:
    for table in COUNTED:
        raise_new, raise_old = _sqlite_raise(table, "NEW"), _sqlite_raise(table, "OLD")
        op.execute(f"CREATE TRIGGER statistics_version_{table}_insert AFTER INSERT ON {table} BEGIN {raise_new} END")
        op.execute(f"CREATE TRIGGER statistics_version_{table}_update AFTER UPDATE ON {table} BEGIN {raise_old} {raise_new} END")
        op.execute(f"CREATE TRIGGER statistics_version_{table}_delete AFTER DELETE ON {table} BEGIN {raise_old} END")


def upgrade() -> None:
    op.create_table(TABLE,
    sa.Column('wijk_id', sa.Uuid(), nullable=False),
    sa.Column('series', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('wijk_id', 'series', 'slot', name=op.f('pk_statistics_version'))
    )
    # No backfill: a wijk without rows is at version 0, and the first write raises it.
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in COUNTED:
        for event in (*EVENTS, "truncate"):
            if postgresql:
                op.execute(f"DROP TRIGGER IF EXISTS statistics_version_{table}_{event} ON {table}")
                op.execute(f"DROP FUNCTION IF EXISTS statistics_version_{table}_{event}()")
            else:
                op.execute(f"DROP TRIGGER IF EXISTS statistics_version_{table}_{event}")
    op.drop_table(TABLE)
