"""The offer catalogue (aanbod): help agencies offer in wijken, for koppels to guide residents to."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response, status

from api.access import accessing
from api.dependencies import IfMatchDep, PageDep, UowDep, etag, link_next, scoped
from api.problems import problem_responses
from api.schemas.common import PageOf
from api.schemas.offers import OfferCreate, OfferRead, OfferUpdate
from domain import offers
from domain.categories import NeedCategory
from domain.identity import KOPPEL_ROLES, Role
from domain.offers import NewOffer, OfferFilter

router = APIRouter(prefix="/offers", tags=["offers"])
OfferId = Annotated[UUID, Path(alias="offerId")]
# Casework roles read (agency workers: their own organisation's offers); admin and koppel members manage.
Readers = scoped(Role.admin, *KOPPEL_ROLES, Role.agency_worker)
Managers = scoped(Role.admin, *KOPPEL_ROLES)
# Creating may link a volunteering neighbour: audited with the request id.
Creators = accessing(Role.admin, *KOPPEL_ROLES)


@router.get("", operation_id="listOffers", summary="List the offers in your scope")
async def list_offers(
    request: Request,
    response: Response,
    uow: UowDep,
    scope: Readers,
    page: PageDep,
    category: Annotated[NeedCategory | None, Query()] = None,
    wijk_id: Annotated[
        UUID | None,
        Query(alias="wijkId", description="Serving this wijk, by name or as part of its municipality."),
    ] = None,
    available: Annotated[bool | None, Query()] = None,
    provider_organisation_id: Annotated[UUID | None, Query(alias="providerOrganisationId")] = None,
    archived: Annotated[bool, Query(description="List archived offers instead of current ones.")] = False,
) -> PageOf[OfferRead]:
    filters = OfferFilter(category, wijk_id, available, provider_organisation_id, archived)
    result = await offers.list_offers(uow, scope, page, filters)
    link_next(request, response, result)
    return PageOf[OfferRead](items=[OfferRead.of(o) for o in result.items], next_cursor=result.next_cursor)


@router.post(
    "",
    operation_id="createOffer",
    summary="Add an offer (koppel members: for their own wijken)",
    description="Koppel members may link a neighbour who volunteers the offer (`volunteerResidentId`, a resident "
    "of a wijk it serves by name); that link is audited and never shown: readers see `volunteering`.",
    status_code=status.HTTP_201_CREATED,
)
async def create_offer(body: OfferCreate, response: Response, uow: UowDep, access: Creators) -> OfferRead:
    data = body.model_dump()
    offer = await offers.create_offer(
        uow,
        access.scope,
        NewOffer(
            **{**data, "categories": frozenset(data["categories"]), "wijk_ids": frozenset(data["wijk_ids"])}
        ),
        datetime.now(UTC),
        request_id=access.request_id,
    )
    response.headers["ETag"] = etag(offer.version)
    response.headers["Location"] = f"/api/v1/offers/{offer.id}"
    return OfferRead.of(offer)


@router.get("/{offerId}", operation_id="getOffer", summary="Read an offer")
async def get_offer(offer_id: OfferId, response: Response, uow: UowDep, scope: Readers) -> OfferRead:
    offer = await offers.get_offer(uow, scope, offer_id)
    response.headers["ETag"] = etag(offer.version)
    return OfferRead.of(offer)


@router.patch(
    "/{offerId}",
    operation_id="updateOffer",
    summary="Change an offer: text, categories, area served, capacity, availability",
    responses=problem_responses(409, 412, 428),
)
async def update_offer(
    offer_id: OfferId,
    body: OfferUpdate,
    response: Response,
    uow: UowDep,
    scope: Managers,
    expected_version: IfMatchDep,
) -> OfferRead:
    offer = await offers.update_offer(
        uow, scope, offer_id, expected_version, body.changes(), datetime.now(UTC)
    )
    response.headers["ETag"] = etag(offer.version)
    return OfferRead.of(offer)


@router.delete(
    "/{offerId}",
    operation_id="archiveOffer",
    summary="Archive an offer (it stays readable for referrals that used it)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(409, 412, 428),
)
async def archive_offer(
    offer_id: OfferId, uow: UowDep, scope: Managers, expected_version: IfMatchDep
) -> None:
    await offers.archive_offer(uow, scope, offer_id, expected_version, datetime.now(UTC))
