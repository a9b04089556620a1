"""Each worker keeps the wijk statistics it answered last: the response's bytes, with the wijk's
statistics version they were counted at (domain.statistics.answer; migration 0010).

A question asked again (the same wijk, period, day and minimum) costs one primary-key read of that
version instead of counting a year of the wijk again and writing its hundreds of counts as JSON.
The kept bytes are sent only when the version is still the one they were counted at: every write of
a signal, contact moment, intervention or referral of the wijk, by any worker or process, raises it
in the same transaction. So the answer is always the one counting now would give, from the moment
the write is committed; nothing is ever served stale, and nothing needs to be told to forget.

Who may ask is decided before anything kept is looked at (domain.statistics.ask), as for a question
asked the first time. The store is bounded (least recently used answers go first):
KOPPELWERK_STATISTICS_CACHE_SIZE answers per worker, 0 to count every request afresh.
"""

from __future__ import annotations

from cachetools import LRUCache

from api.schemas.statistics import WijkStatisticsRead
from domain import statistics
from domain.ports import UnitOfWork
from domain.statistics import Question


class StatisticsCache:
    def __init__(self, size: int) -> None:
        self._kept: LRUCache[Question, tuple[int, bytes]] | None = LRUCache(size) if size > 0 else None

    async def body(self, uow: UnitOfWork, question: Question) -> bytes:
        """The JSON answer to `question`: the kept one while the wijk's version is unchanged, else counted now."""
        kept = self._kept.get(question) if self._kept is not None else None
        if kept is not None and kept[0] == await statistics.version(uow, question):
            return kept[1]
        answer, version = await statistics.answer(uow, question)
        body = WijkStatisticsRead.json_of(answer)
        if self._kept is not None:
            self._kept[question] = (version, body)
        return body
