"""The unit of work: one session, every repository on it, one commit per use case."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from domain.scope import ScopeFacts
from persistence.casework import (
    SqlAgendaItemRepository,
    SqlGoalRepository,
    SqlInterventionRepository,
    SqlReviewRepository,
    SqlSignalRepository,
)
from persistence.contact_moments import SqlContactMomentRepository
from persistence.idempotency import SqlIdempotencyRepository
from persistence.koppels import (
    SqlAssignmentRepository,
    SqlKoppelRepository,
    SqlMembershipRepository,
    SqlPresenceRepository,
)
from persistence.offers import SqlOfferRepository
from persistence.referrals import SqlNeedRepository, SqlReferralRepository
from persistence.repositories import (
    SqlClientRepository,
    SqlLoginThrottleRepository,
    SqlOrganisationRepository,
    SqlUserRepository,
)
from persistence.residents import (
    SqlAuditRepository,
    SqlConsentRepository,
    SqlNoteRepository,
    SqlResidentRepository,
)
from persistence.scope import SqlScopeRepository
from persistence.service_areas import SqlServiceAreaRepository
from persistence.statistics import SqlStatisticsRepository
from persistence.wijken import SqlWijkRepository


class SqlUnitOfWork:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.organisations = SqlOrganisationRepository(session)
        # The account behind the token and its koppel facts arrive in one query (get_signed_in).
        prefetched_scope_facts: dict[UUID, ScopeFacts] = {}
        self.users = SqlUserRepository(session, prefetched_scope_facts)
        self.clients = SqlClientRepository(session)
        self.login_throttle = SqlLoginThrottleRepository(session)
        self.scope = SqlScopeRepository(session, prefetched_scope_facts)
        self.wijken = SqlWijkRepository(session)
        self.koppels = SqlKoppelRepository(session)
        self.memberships = SqlMembershipRepository(session)
        self.assignments = SqlAssignmentRepository(session)
        self.presence = SqlPresenceRepository(session)
        self.offers = SqlOfferRepository(session)
        self.residents = SqlResidentRepository(session)
        self.notes = SqlNoteRepository(session)
        self.consents = SqlConsentRepository(session)
        self.audit = SqlAuditRepository(session)
        self.signals = SqlSignalRepository(session)
        self.interventions = SqlInterventionRepository(session)
        self.agenda_items = SqlAgendaItemRepository(session)
        self.goals = SqlGoalRepository(session)
        self.reviews = SqlReviewRepository(session)
        self.contact_moments = SqlContactMomentRepository(session)
        self.needs = SqlNeedRepository(session)
        self.referrals = SqlReferralRepository(session)
        self.statistics = SqlStatisticsRepository(session)
        self.idempotency_keys = SqlIdempotencyRepository(session)
        self.service_areas = SqlServiceAreaRepository(session)
        self._holds = 0

    async def commit(self) -> None:
        if self._holds:
            return  # the holder commits once, when everything of the request is in (see `holding`)
        await self._commit()

    async def _commit(self) -> None:
        # The signals' change-log rows go last, just before COMMIT (SqlSignalRepository.record_changes).
        await self.signals.write_pending_changes()
        await self.session.commit()

    @asynccontextmanager
    async def holding(self) -> AsyncIterator[None]:
        """Inside, a use case's commit is deferred: the caller adds its own writes (the response of an
        idempotent request) to the same transaction and then calls `commit_held`."""
        self._holds += 1
        try:
            yield
        finally:
            self._holds -= 1

    async def commit_held(self) -> None:
        """Commit what was done while holding."""
        await self._commit()

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """A nested transaction: an exception inside undoes only what was done inside, then propagates."""
        async with self.session.begin_nested():
            yield

    async def rollback(self) -> None:
        self.signals.forget_pending_changes()
        await self.session.rollback()
