"""The unit of work: one session, every repository on it, one commit per use case."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from persistence.casework import (
    SqlAgendaItemRepository,
    SqlGoalRepository,
    SqlInterventionRepository,
    SqlReviewRepository,
    SqlSignalRepository,
)
from persistence.contact_moments import SqlContactMomentRepository
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
from persistence.statistics import SqlStatisticsRepository
from persistence.wijken import SqlWijkRepository


class SqlUnitOfWork:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.organisations = SqlOrganisationRepository(session)
        self.users = SqlUserRepository(session)
        self.clients = SqlClientRepository(session)
        self.login_throttle = SqlLoginThrottleRepository(session)
        self.scope = SqlScopeRepository(session)
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

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()
