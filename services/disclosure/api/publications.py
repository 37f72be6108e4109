"""Publications (行政执法公示) for staff: list, read, edit the redacted text, approve and publish."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.disclosure.api.deps import (
    CurrentPublication,
    Editor,
    Settings,
    Staff,
    change_publication,
    staff_view,
)
from services.disclosure.handlers import publications, queries
from services.disclosure.schemas import PublicationList, PublicationPublish, PublicationStaff, PublicationUpdate
from services.disclosure.tables import Publication
from shared.header_docs import IF_MATCH, versioned
from shared.messaging import UnitOfWork
from shared.service import runtime_of
from shared.web import correlation_id

router = APIRouter(prefix="/api/v1/disclosure", tags=["disclosure"])


@router.get("/publications", operation_id="list_publications", response_model=PublicationList)
async def list_publications(
    request: Request,
    _caller: Staff,
    decision_id: str | None = None,
    status: str | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> PublicationList:
    """Newest first: a publication a decision has just opened is on the first page."""
    async with runtime_of(request).uow() as uow:
        rows, next_cursor = await queries.list_publications(
            uow, decision_id=decision_id, status=status, cursor=cursor, limit=limit
        )
    return PublicationList(items=[staff_view(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/publications/{publication_id}",
    operation_id="get_publication",
    response_model=PublicationStaff,
    responses=versioned(),
)
async def get_publication(_caller: Staff, publication: CurrentPublication, response: Response) -> PublicationStaff:
    """The publication with its ETag: an edit or the approval names it in ``If-Match``."""
    return staff_view(publication, response)


@router.post(
    "/publications/{publication_id}/publish",
    operation_id="publish_publication",
    response_model=PublicationStaff,
    summary="审核发布 Approve and publish",
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def publish(
    publication_id: str,
    request: Request,
    response: Response,
    caller: Editor,
    settings: Settings,
    body: PublicationPublish | None = None,
) -> PublicationStaff:
    """The editor approves the redacted text; needs If-Match with the ETag read. An earlier ``published_on``
    (补录) must lie between the decision date and today."""

    async def approve(uow: UnitOfWork, publication: Publication) -> None:
        await publications.approve(
            uow,
            publication,
            published_on=body.published_on if body is not None else None,
            actor=caller.subject,
            settings=settings,
            correlation_id=correlation_id(request),
        )

    return await change_publication(request, response, publication_id, approve)


@router.patch(
    "/publications/{publication_id}",
    operation_id="edit_publication",
    response_model=PublicationStaff,
    summary="编辑公示内容 Edit the redacted text",
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def edit(
    publication_id: str,
    body: PublicationUpdate,
    request: Request,
    response: Response,
    caller: Editor,
    settings: Settings,
) -> PublicationStaff:
    """Needs If-Match; putting back an item redaction removes needs ``unredact_reason`` (audited)."""
    changes = body.model_dump(exclude_none=True, exclude={"unredact_reason"})

    async def edit_text(uow: UnitOfWork, publication: Publication) -> None:
        await publications.edit_publication(
            uow, publication, changes, unredact_reason=body.unredact_reason, actor=caller.subject, settings=settings
        )

    return await change_publication(request, response, publication_id, edit_text)
