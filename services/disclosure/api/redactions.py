"""The editor's redaction review (去标识化): why each item was redacted, withholding a span, putting one back."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from services.disclosure.api.deps import CurrentPublication, Editor, Settings, change_publication
from services.disclosure.handlers import redactions
from services.disclosure.schemas import PublicationStaff, RedactionAdd, RedactionMarks, RedactionUndo
from services.disclosure.tables import Publication
from shared.header_docs import IF_MATCH, versioned
from shared.messaging import UnitOfWork

router = APIRouter(prefix="/api/v1/disclosure", tags=["disclosure"])


@router.get(
    "/publications/{publication_id}/redactions",
    operation_id="publication_redactions",
    response_model=RedactionMarks,
    summary="去标识化说明 Why each item was redacted",
)
async def list_redactions(_caller: Editor, publication: CurrentPublication, settings: Settings) -> RedactionMarks:
    """The automatic proposal with each marker: where it stands, the reason, the confidence and the text it
    replaced. The editor adds a redaction or puts an item back by editing the text (PATCH, audited; putting back
    needs ``unredact_reason``)."""
    return redactions.redaction_marks(publication, settings)


@router.post(
    "/publications/{publication_id}/redactions",
    operation_id="add_redaction",
    response_model=PublicationStaff,
    summary="添加隐去 Withhold a span the detectors missed",
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def add_redaction(
    publication_id: str, body: RedactionAdd, request: Request, response: Response, caller: Editor, settings: Settings
) -> PublicationStaff:
    """Needs If-Match; audited as an edit."""

    async def withhold(uow: UnitOfWork, publication: Publication) -> None:
        await redactions.add_redaction(uow, publication, body, actor=caller.subject, settings=settings)

    return await change_publication(request, response, publication_id, withhold)


@router.post(
    "/publications/{publication_id}/redactions:undo",
    operation_id="undo_redaction",
    response_model=PublicationStaff,
    summary="撤销隐去 Put back what a marker replaced",
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def undo_redaction(
    publication_id: str, body: RedactionUndo, request: Request, response: Response, caller: Editor, settings: Settings
) -> PublicationStaff:
    """Needs If-Match and a reason; audited as an edit that put back a redacted item."""

    async def put_back(uow: UnitOfWork, publication: Publication) -> None:
        await redactions.undo_redaction(uow, publication, body, actor=caller.subject, settings=settings)

    return await change_publication(request, response, publication_id, put_back)
