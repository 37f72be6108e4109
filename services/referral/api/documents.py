"""Package documents of a referral (移送材料, ``/api/v1/referral/referrals/{id}/documents``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse

from services.referral.api.deps import FILE_ANSWER, Reader, StoreDep, Writer, actor_of, file_response
from services.referral.handlers import documents
from services.referral.handlers import referrals as handlers
from services.referral.schemas import DocumentStaff
from shared import header_docs
from shared.fields import Name, Text
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/referral/referrals/{referral_id}/documents", tags=["referral"])


@router.post(
    "",
    operation_id="upload_referral_document",
    status_code=201,
    response_model=DocumentStaff,
    responses={
        **header_docs.created("get_referral_document", "document_id", etag=False),
        413: {"description": "file too large"},
        422: {"description": "empty file or hash mismatch"},
    },
)
async def upload_document(
    referral_id: str,
    request: Request,
    caller: Writer,
    store: StoreDep,
    file: Annotated[UploadFile, File(description="the file (multipart/form-data)")],
    name: Annotated[Name | None, Form(max_length=300)] = None,
    checklist_item: Annotated[Text | None, Form(max_length=100, description="移送材料清单项")] = None,
    evidence_id: Annotated[Text | None, Form(max_length=64, description="fills in evidence cases referenced")] = None,
) -> JSONResponse:
    """Stored content-addressed with its SHA-256; the same content uploaded again returns the first document.
    `Location` is where the file is read back."""
    async with runtime_of(request).uow() as uow:
        await handlers.get_referral(uow, referral_id, caller)  # nothing is stored for a referral out of reach
    stored = await store.put(file)
    async with runtime_of(request).uow() as uow:
        referral = await handlers.get_referral(uow, referral_id, caller, for_update=True)
        document = await documents.attach(
            uow,
            referral,
            stored,
            name=name or file.filename or stored.sha256,
            media_type=file.content_type or "application/octet-stream",
            checklist_item=checklist_item,
            evidence_id=evidence_id,
            actor=actor_of(request, caller),
        )
        await uow.commit()
    body = DocumentStaff.model_validate(document, from_attributes=True).model_dump(mode="json")
    location = f"/api/v1/referral/referrals/{referral.id}/documents/{document.id}"
    return JSONResponse(body, status_code=201, headers={"Location": location})


@router.get("/{document_id}", operation_id="get_referral_document", response_class=FileResponse, responses=FILE_ANSWER)
async def get_document(
    referral_id: str, document_id: str, request: Request, caller: Reader, store: StoreDep
) -> FileResponse:
    """The file; its SHA-256 is the `ETag` and `X-Content-SHA256`."""
    async with runtime_of(request).uow() as uow:
        referral = await handlers.get_referral(uow, referral_id, caller)
        document = await documents.get_document(uow, referral, document_id)
    return file_response(documents.content_path(store, document), document)
