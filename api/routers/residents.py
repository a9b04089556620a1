"""Residents: the koppel's own view, an agency's consented view, and the resident's rights.

Every route here that returns personal data has its access in the audit trail before the
response leaves (domain.residents, domain.consents, domain.rights).
"""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from api.access import accessing
from api.dependencies import IfMatchDep, PageDep, UowDep, calling, etag, link_next
from api.direct import DirectRoute
from api.logs import REQUEST_ID
from api.problems import problem_responses
from api.rate_limits import limit_resident_search
from api.schemas.common import PageOf
from api.schemas.residents import (
    ErasureRead,
    ResidentCreate,
    ResidentExportRead,
    ResidentRead,
    ResidentSummary,
    ResidentUpdate,
    SharedResidentRead,
    resident_json,
)
from domain import consents, residents, rights
from domain.identity import KOPPEL_ROLES, Role
from domain.residents import NewResident, Resident

router = APIRouter(prefix="/residents", tags=["residents"], route_class=DirectRoute)
ResidentId = Annotated[UUID, Path(alias="residentId")]
# The koppel members of the resident's wijk read and write; the policy narrows to those wijken.
Koppel = accessing(*KOPPEL_ROLES)
# Reading one resident, the koppel's most frequent request: token, account, scope, resident and audit
# event in one round trip (domain.residents.read_resident).
# Who reads a resident (api.hot_reads admits the same).
READERS = KOPPEL_ROLES
KoppelCaller = calling(*READERS)
# Search: koppel members in their wijken; the privacy officer by exact address only.
Searchers = accessing(*KOPPEL_ROLES, Role.privacy_officer)
Agency = accessing(Role.agency_worker)
PrivacyOfficer = accessing(Role.privacy_officer)
RESIDENTS_URL = "/api/v1/residents"


@router.get(
    "",
    operation_id="listResidents",
    summary="Search residents in your wijken by name, postcode and huisnummer",
    description="Every resident returned is recorded in the audit trail (`search_hit`). The privacy "
    "officer searches every wijk, but only with `postcode` and `huisnummer` together. Rate limited per "
    "caller (429 with Retry-After).",
    responses=problem_responses(429),
    dependencies=[Depends(limit_resident_search)],
)
async def list_residents(
    request: Request,
    response: Response,
    uow: UowDep,
    access: Searchers,
    page: PageDep,
    q: Annotated[
        str | None,
        Query(max_length=100, description="Words that must all occur in the names (case and accents ignored)."),
    ] = None,
    postcode: Annotated[str | None, Query(max_length=7, examples=["9401AB"])] = None,
    huisnummer: Annotated[int | None, Query(ge=1, le=99999)] = None,
    wijk_id: Annotated[UUID | None, Query(alias="wijkId")] = None,
) -> PageOf[ResidentSummary]:
    filters = residents.search_filter(q, postcode, huisnummer, wijk_id)
    result = await residents.search_residents(uow, access, page, filters, datetime.now(UTC))
    link_next(request, response, result)
    return PageOf[ResidentSummary](
        items=[ResidentSummary.of(r) for r in result.items], next_cursor=result.next_cursor
    )


@router.post(
    "",
    operation_id="createResident",
    summary="Register a resident in one of your wijken",
    status_code=status.HTTP_201_CREATED,
)
async def create_resident(body: ResidentCreate, response: Response, uow: UowDep, access: Koppel) -> ResidentRead:
    resident = await residents.register_resident(uow, access, NewResident(**body.domain()), datetime.now(UTC))
    response.headers["ETag"] = etag(resident.version)
    response.headers["Location"] = f"{RESIDENTS_URL}/{resident.id}"
    return ResidentRead.of(resident)


@router.get(
    "/{residentId}", response_model=ResidentRead, operation_id="getResident", summary="Read a resident of your wijken"
)
async def get_resident(resident_id: ResidentId, uow: UowDep, caller: KoppelCaller) -> Response:
    # On PostgreSQL a koppel member's read usually never gets here: api.hot_reads answers it first.
    resident = await residents.read_resident(uow, caller, resident_id, datetime.now(UTC), REQUEST_ID.get())
    return resident_response(resident)


def resident_response(resident: Resident) -> Response:
    """A resident read's 200, ResidentRead written straight from the resident (FastAPI would build and
    validate the model, then serialize it)."""
    return Response(resident_json(resident), media_type="application/json", headers={"ETag": etag(resident.version)})


@router.patch(
    "/{residentId}",
    operation_id="updateResident",
    summary="Correct or complete a resident's data",
    responses=problem_responses(412, 428),
)
async def update_resident(
    resident_id: ResidentId,
    body: ResidentUpdate,
    response: Response,
    uow: UowDep,
    access: Koppel,
    expected_version: IfMatchDep,
) -> ResidentRead:
    resident = await residents.update_resident(
        uow, access, resident_id, expected_version, body.domain(), datetime.now(UTC)
    )
    response.headers["ETag"] = etag(resident.version)
    return ResidentRead.of(resident)


@router.get(
    "/{residentId}/shared-data",
    operation_id="getSharedResident",
    summary="What the resident allowed your agency to see (under valid consent)",
    description="Only the parts valid, unwithdrawn consents naming your organisation cover, checked at "
    "this request: a withdrawal takes effect at once. Without such a consent the resident does not "
    "exist for your agency (404).",
)
async def get_shared_resident(
    resident_id: ResidentId, uow: UowDep, access: Agency
) -> SharedResidentRead:
    shared = await consents.read_shared_resident(uow, access, resident_id, datetime.now(UTC))
    return SharedResidentRead.of(shared)


@router.get(
    "/{residentId}/export",
    operation_id="exportResident",
    summary="Everything held on the resident and who accessed it (access request, AVG art. 15)",
    description="For the privacy officer answering a resident's access request: identity, every note "
    "whatever its visibility (retracted ones and earlier versions too), every consent, and every "
    "access from the audit trail, this export included.",
)
async def export_resident(resident_id: ResidentId, uow: UowDep, access: PrivacyOfficer) -> ResidentExportRead:
    exported = await rights.export_resident(uow, access, resident_id, datetime.now(UTC))
    return ResidentExportRead.of(exported)


@router.post(
    "/{residentId}/erasure",
    operation_id="eraseResident",
    summary="Erase the resident's personal data on their request (AVG art. 17)",
    description="Removes names, address, contact details, birth year, languages, every note and its "
    "earlier versions, and the purposes of consents (which end now). An anonymous record stays for "
    "statistics (wijk, key-figure flag, birth decade), and so does the audit trail. Asking again "
    "changes nothing and reports the earlier erasure.",
)
async def erase_resident(resident_id: ResidentId, uow: UowDep, access: PrivacyOfficer) -> ErasureRead:
    erasure = await rights.erase_resident(uow, access, resident_id, datetime.now(UTC))
    return ErasureRead.of(erasure)
