"""Consents a resident gave for an agency to see part of their data; withdrawal takes effect at once."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response, status

from api.access import accessing
from api.dependencies import PageDep, UowDep, etag, link_next
from api.problems import problem_responses
from api.schemas.common import PageOf
from api.schemas.residents import ConsentCreate, ConsentRead
from domain import consents
from domain.consents import NewConsent
from domain.identity import KOPPEL_ROLES

router = APIRouter(prefix="/residents/{residentId}/consents", tags=["residents"])
ResidentId = Annotated[UUID, Path(alias="residentId")]
ConsentId = Annotated[UUID, Path(alias="consentId")]
# The koppel members of the resident's wijk record, read and withdraw consents.
Koppel = accessing(*KOPPEL_ROLES)


@router.get("", operation_id="listResidentConsents", summary="Every consent of a resident, current and withdrawn")
async def list_resident_consents(
    resident_id: ResidentId, request: Request, response: Response, uow: UowDep, access: Koppel, page: PageDep
) -> PageOf[ConsentRead]:
    result = await consents.list_consents(uow, access, resident_id, page, datetime.now(UTC))
    link_next(request, response, result)
    return PageOf[ConsentRead](items=[ConsentRead.of(c) for c in result.items], next_cursor=result.next_cursor)


@router.post(
    "",
    operation_id="createResidentConsent",
    summary="Record the consent a resident gave",
    status_code=status.HTTP_201_CREATED,
)
async def create_resident_consent(
    resident_id: ResidentId, body: ConsentCreate, response: Response, uow: UowDep, access: Koppel
) -> ConsentRead:
    data = NewConsent(
        organisation_id=body.organisation_id,
        scope=frozenset(body.scope),
        purpose=body.purpose,
        given_how=body.given_how,
        given_at=body.given_at,
    )
    consent = await consents.record_consent(uow, access, resident_id, data, datetime.now(UTC))
    response.headers["ETag"] = etag(consent.version)
    response.headers["Location"] = f"/api/v1/residents/{resident_id}/consents/{consent.id}"
    return ConsentRead.of(consent)


@router.get("/{consentId}", operation_id="getResidentConsent", summary="Read a consent")
async def get_resident_consent(
    resident_id: ResidentId, consent_id: ConsentId, response: Response, uow: UowDep, access: Koppel
) -> ConsentRead:
    consent = await consents.get_consent(uow, access, resident_id, consent_id, datetime.now(UTC))
    response.headers["ETag"] = etag(consent.version)
    return ConsentRead.of(consent)


@router.post(
    "/{consentId}/withdrawal",
    operation_id="withdrawResidentConsent",
    summary="Withdraw a consent: no request relies on it from now on",
    description="No If-Match: a withdrawal never loses a race. Withdrawing twice is a 409.",
    responses=problem_responses(409),
)
async def withdraw_resident_consent(
    resident_id: ResidentId, consent_id: ConsentId, response: Response, uow: UowDep, access: Koppel
) -> ConsentRead:
    consent = await consents.withdraw_consent(uow, access, resident_id, consent_id, datetime.now(UTC))
    response.headers["ETag"] = etag(consent.version)
    return ConsentRead.of(consent)
