"""`access: accessing(Role.x, …)` — for routes that touch residents' personal data: the caller's
scope (roles declared exactly as with `scoped`) together with the request id the audit trail
records, so every audit event can be matched with the request and its log lines."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from api.dependencies import ScopeRequirement, UowDep, authenticate
from api.logs import REQUEST_ID
from domain.audit import Access
from domain.identity import Principal, Role


class AccessRequirement(ScopeRequirement):
    """A scope requirement that also carries the request id (the authorization-matrix test reads its
    `roles` like any RoleRequirement's)."""

    async def __call__(  # type: ignore[override]
        self, uow: UowDep, principal: Annotated[Principal, Depends(authenticate)]
    ) -> Access:
        scope = await super().__call__(uow, principal)
        return Access(scope, REQUEST_ID.get())


def accessing(*roles: Role) -> type[Access]:
    """The caller's Access (scope + request id), once its role is one of `roles`."""
    return Annotated[Access, Depends(AccessRequirement(*roles))]  # type: ignore[return-value]
