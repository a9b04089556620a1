"""The audit trail (read-only: no route changes or deletes an event) and retention runs."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from api.access import accessing
from api.dependencies import PageDep, UowDep, link_next, scoped
from api.schemas.common import PageOf
from api.schemas.residents import AuditEventRead, RetentionRunRead
from domain import audit, rights
from domain.audit import AuditAction, AuditFilter
from domain.identity import Role

router = APIRouter(tags=["audit"])
PrivacyOfficer = scoped(Role.privacy_officer)
# Operations (admin) and the privacy desk start retention runs; the report holds identifiers only.
RetentionStarters = accessing(Role.admin, Role.privacy_officer)


@router.get(
    "/audit-events",
    operation_id="listAuditEvents",
    summary="Who touched which resident's data, how and when",
    description="Oldest first. Events name fields, never values. Append-only: there is no route to "
    "change or delete them.",
)
async def list_audit_events(
    request: Request,
    response: Response,
    uow: UowDep,
    scope: PrivacyOfficer,
    page: PageDep,
    resident_id: Annotated[UUID | None, Query(alias="residentId")] = None,
    actor_id: Annotated[UUID | None, Query(alias="actorId", description="A user or client id.")] = None,
    action: Annotated[AuditAction | None, Query()] = None,
    occurred_from: Annotated[datetime | None, Query(alias="from", description="From this instant (inclusive).")] = None,
    occurred_to: Annotated[datetime | None, Query(alias="to", description="Up to this instant (exclusive).")] = None,
    request_id: Annotated[
        str | None,
        Query(alias="requestId", pattern=r"^[A-Za-z0-9._:-]{1,128}$", description="The X-Request-ID of one request."),
    ] = None,
) -> PageOf[AuditEventRead]:
    filters = AuditFilter(resident_id, actor_id, action, _aware(occurred_from), _aware(occurred_to), request_id)
    result = await audit.list_audit_events(uow, scope, page, filters)
    link_next(request, response, result)
    return PageOf[AuditEventRead](items=[AuditEventRead.of(e) for e in result.items], next_cursor=result.next_cursor)


def _aware(value: datetime | None) -> datetime | None:
    # An instant without an offset is taken as UTC, like every instant this API writes.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


@router.post(
    "/retention-runs",
    operation_id="createRetentionRun",
    summary="Anonymise every resident without activity for the retention period",
    description="The period is KOPPELWERK_RETENTION_MONTHS. Activity is a resident registered or "
    "changed, or a note or consent written, corrected, retracted or withdrawn. Running again finds "
    "nothing new. Each anonymisation is in the audit trail.",
)
async def create_retention_run(request: Request, uow: UowDep, access: RetentionStarters) -> RetentionRunRead:
    months = request.app.state.settings.retention_months
    report = await rights.start_retention(uow, access, months, datetime.now(UTC))
    return RetentionRunRead.of(report)
