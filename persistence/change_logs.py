"""Change logs numbered in commit order, so a feed reader never skips a change.

A log row gets its number (an autoincrement) when it is inserted, not when its transaction commits. Two
writers could therefore commit out of order: writer A takes number 7, writer B takes 8 and commits
first; a reader that sees 8 and continues after it would never see 7. So every writer takes the log's
turn before it writes a log row and keeps it until its transaction ends:

- PostgreSQL: `pg_advisory_xact_lock` on the log's key; the next writer waits until this transaction
  has committed or rolled back, so numbers are handed out — and become visible — in commit order.
  (A rolled-back writer leaves a gap in the numbers, never a hidden row.)
- SQLite: one writer at a time already holds the database's write lock from its first write until
  it commits, so nothing is needed.

Hold the turn as briefly as possible: every writer waits for it, so it is the ceiling on writes per
second. New rows take it after their inserts, with their log rows as the last writes (a signal, a
batch of signals, an agenda item); a holder then never waits for a lock: what it still writes (log
rows, its own idempotency key) no other transaction holds. A change to an existing signal takes it
before its first write, so every writer of that row holds the turn before the row's lock.
"""

from __future__ import annotations

from enum import IntEnum

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.db import on_postgresql


class ChangeLog(IntEnum):
    """The advisory-lock key of each log (stable numbers: other deployments' processes share them)."""

    agenda_items = 0x6B77_0001
    signals = 0x6B77_0002


async def take_turn(session: AsyncSession, log: ChangeLog) -> None:
    """Hold `log`'s turn until this transaction ends (re-entrant within the transaction)."""
    if on_postgresql(session):
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(log)})
