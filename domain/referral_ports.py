"""What contact moments, needs, referrals and statistics need from storage (implemented in
persistence/contact_moments.py, persistence/referrals.py and persistence/statistics.py).

Kept beside domain/ports.py, whose UnitOfWork names these repositories. Repositories never commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

from domain.pagination import Page, PageRequest

if TYPE_CHECKING:
    from domain.contact_moments import ContactMoment, ContactMomentFilter


class ContactMomentRepository(Protocol):
    async def add(self, moment: ContactMoment) -> None: ...
    async def get(self, moment_id: UUID) -> ContactMoment | None: ...
    async def list(
        self, wijk_ids: frozenset[UUID], page: PageRequest, filters: ContactMomentFilter
    ) -> Page[ContactMoment]: ...
    async def save(self, moment: ContactMoment, expected_version: int, now: datetime) -> ContactMoment: ...
    async def of_resident(self, resident_id: UUID) -> list[ContactMoment]: ...
    async def redact_resident(self, resident_id: UUID, now: datetime) -> int: ...
