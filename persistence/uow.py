"""The unit of work: one session, every repository on it, one commit per use case."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from persistence.repositories import (
    SqlClientRepository,
    SqlLoginThrottleRepository,
    SqlOrganisationRepository,
    SqlUserRepository,
)


class SqlUnitOfWork:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.organisations = SqlOrganisationRepository(session)
        self.users = SqlUserRepository(session)
        self.clients = SqlClientRepository(session)
        self.login_throttle = SqlLoginThrottleRepository(session)

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()
