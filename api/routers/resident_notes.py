"""Notes on a resident, each read by whom its visibility allows; corrections keep earlier versions."""

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response, status

from api.access import accessing
from api.dependencies import IfMatchDep, PageDep, UowDep, etag, link_next
from api.problems import problem_responses
from api.schemas.common import PageOf
from api.schemas.residents import NoteCreate, NoteRead, NoteRevisionList, NoteRevisionRead, NoteUpdate
from domain import notes
from domain.identity import KOPPEL_ROLES
from domain.notes import NewNote

router = APIRouter(prefix="/residents/{residentId}/notes", tags=["residents"])
ResidentId = Annotated[UUID, Path(alias="residentId")]
NoteId = Annotated[UUID, Path(alias="noteId")]
# Koppel members of the resident's wijk; each note's visibility narrows further, and only the
# author corrects or retracts.
Koppel = accessing(*KOPPEL_ROLES)


@router.get(
    "",
    operation_id="listResidentNotes",
    summary="The notes on a resident you may read",
    description="Notes with visibility `organisation` appear only for staff of the author's organisation, "
    "`author` only for the author.",
)
async def list_resident_notes(
    resident_id: ResidentId,
    request: Request,
    response: Response,
    uow: UowDep,
    access: Koppel,
    page: PageDep,
    include_retracted: Annotated[
        bool, Query(alias="includeRetracted", description="Also list notes their authors retracted.")
    ] = False,
) -> PageOf[NoteRead]:
    result = await notes.list_notes(uow, access, resident_id, page, include_retracted, datetime.now(UTC))
    link_next(request, response, result)
    return PageOf[NoteRead](items=[NoteRead.of(n) for n in result.items], next_cursor=result.next_cursor)


@router.post(
    "",
    operation_id="createResidentNote",
    summary="Write a note on a resident",
    status_code=status.HTTP_201_CREATED,
)
async def create_resident_note(
    resident_id: ResidentId, body: NoteCreate, response: Response, uow: UowDep, access: Koppel
) -> NoteRead:
    note = await notes.add_note(uow, access, resident_id, NewNote(**body.model_dump()), datetime.now(UTC))
    response.headers["ETag"] = etag(note.version)
    response.headers["Location"] = f"/api/v1/residents/{resident_id}/notes/{note.id}"
    return NoteRead.of(note)


@router.get("/{noteId}", operation_id="getResidentNote", summary="Read a note")
async def get_resident_note(
    resident_id: ResidentId, note_id: NoteId, response: Response, uow: UowDep, access: Koppel
) -> NoteRead:
    note = await notes.get_note(uow, access, resident_id, note_id, datetime.now(UTC))
    response.headers["ETag"] = etag(note.version)
    return NoteRead.of(note)


@router.patch(
    "/{noteId}",
    operation_id="updateResidentNote",
    summary="Correct a note (its author only); the replaced version is kept",
    responses=problem_responses(409, 412, 428),
)
async def update_resident_note(
    resident_id: ResidentId,
    note_id: NoteId,
    body: NoteUpdate,
    response: Response,
    uow: UowDep,
    access: Koppel,
    expected_version: IfMatchDep,
) -> NoteRead:
    note = await notes.correct_note(
        uow, access, resident_id, note_id, expected_version, body.changes(), datetime.now(UTC)
    )
    response.headers["ETag"] = etag(note.version)
    return NoteRead.of(note)


@router.delete(
    "/{noteId}",
    operation_id="retractResidentNote",
    summary="Retract a note (its author only): kept for the record, gone from daily lists",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(409, 412, 428),
)
async def retract_resident_note(
    resident_id: ResidentId, note_id: NoteId, uow: UowDep, access: Koppel, expected_version: IfMatchDep
) -> None:
    await notes.retract_note(uow, access, resident_id, note_id, expected_version, datetime.now(UTC))


@router.get(
    "/{noteId}/revisions",
    operation_id="listResidentNoteRevisions",
    summary="Earlier versions of a note",
    description="Only versions you could read under the visibility they had: widening a note's "
    "visibility does not publish what was written under a narrower one.",
)
async def list_resident_note_revisions(
    resident_id: ResidentId, note_id: NoteId, uow: UowDep, access: Koppel
) -> NoteRevisionList:
    revisions = await notes.list_revisions(uow, access, resident_id, note_id, datetime.now(UTC))
    return NoteRevisionList(items=[NoteRevisionRead.of(r) for r in revisions])
