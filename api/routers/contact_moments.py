"""Contact moments: the koppel's street talks, home visits, office hours, coffee mornings, meetings and
phone calls. Naming a resident is personal data: every answer that names one is audited first."""

from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response, status

from api.access import accessing
from api.dependencies import IfMatchDep, PageDep, UowDep, etag, json_page
from api.direct import DirectRoute
from api.problems import problem_responses
from api.schemas.common import PageOf
from api.schemas.contact_moments import (
    ContactMomentCreate,
    ContactMomentRead,
    ContactMomentUpdate,
    contact_moments_json,
)
from domain import contact_moments
from domain.audit import Access
from domain.contact_moments import ContactKind, ContactMomentFilter, NewContactMoment
from domain.identity import KOPPEL_ROLES
from domain.pagination import PageRequest
from persistence.uow import SqlUnitOfWork

router = APIRouter(prefix="/contact-moments", tags=["contact-moments"], route_class=DirectRoute)
MomentId = Annotated[UUID, Path(alias="contactMomentId")]
# The koppel's own record: its members in the wijk; the policy narrows to their wijken.
READERS = KOPPEL_ROLES  # api.hot_reads admits the same
Koppel = accessing(*READERS)
URL = "/api/v1/contact-moments"
AUDITED = "Every resident named in the answer is recorded in the audit trail (`read`)."


@router.get(
    "",
    operation_id="listContactMoments",
    summary="List the contact moments in your wijken, oldest first",
    description=AUDITED,
    response_model=PageOf[ContactMomentRead],
)
async def list_contact_moments(
    request: Request,
    uow: UowDep,
    access: Koppel,
    page: PageDep,
    wijk_id: Annotated[UUID | None, Query(alias="wijkId")] = None,
    koppel_id: Annotated[UUID | None, Query(alias="koppelId")] = None,
    kind: Annotated[ContactKind | None, Query()] = None,
    from_: Annotated[date | None, Query(alias="from", description="On or after this day (Europe/Amsterdam).")] = None,
    to: Annotated[date | None, Query(description="On or before this day (Europe/Amsterdam).")] = None,
    resident_id: Annotated[UUID | None, Query(alias="residentId", description="Moments involving this resident.")] = None,
) -> Response:
    filters = ContactMomentFilter(wijk_id, koppel_id, kind, from_, to, resident_id)
    return await contact_moment_page_response(request, uow, access, page, filters)


async def contact_moment_page_response(
    request: Request, uow: SqlUnitOfWork, access: Access, page: PageRequest, filters: ContactMomentFilter
) -> Response:
    """A page of contact moments as listContactMoments answers it, its residents audited first."""
    result = await contact_moments.list_contact_moments(uow, access, page, filters, datetime.now(UTC))
    return json_page(request, contact_moments_json(result.items, result.next_cursor), result)


@router.post(
    "",
    operation_id="createContactMoment",
    summary="Record a contact moment of your koppel in one of its wijken",
    status_code=status.HTTP_201_CREATED,
)
async def create_contact_moment(
    body: ContactMomentCreate, response: Response, uow: UowDep, access: Koppel
) -> ContactMomentRead:
    moment = await contact_moments.record_contact_moment(
        uow, access, NewContactMoment(**body.to_fields()), datetime.now(UTC)
    )
    response.headers["ETag"] = etag(moment.version)
    response.headers["Location"] = f"{URL}/{moment.id}"
    return ContactMomentRead.of(moment)


@router.get(
    "/{contactMomentId}", operation_id="getContactMoment", summary="Read a contact moment", description=AUDITED
)
async def get_contact_moment(
    moment_id: MomentId, response: Response, uow: UowDep, access: Koppel
) -> ContactMomentRead:
    moment = await contact_moments.get_contact_moment(uow, access, moment_id, datetime.now(UTC))
    response.headers["ETag"] = etag(moment.version)
    return ContactMomentRead.of(moment)


@router.patch(
    "/{contactMomentId}",
    operation_id="updateContactMoment",
    summary="Correct a contact moment: kind, when, place, summary, residents involved",
    responses=problem_responses(412, 428),
)
async def update_contact_moment(
    moment_id: MomentId,
    body: ContactMomentUpdate,
    response: Response,
    uow: UowDep,
    access: Koppel,
    expected_version: IfMatchDep,
) -> ContactMomentRead:
    moment = await contact_moments.update_contact_moment(
        uow, access, moment_id, expected_version, body.domain_changes(), datetime.now(UTC)
    )
    response.headers["ETag"] = etag(moment.version)
    return ContactMomentRead.of(moment)
