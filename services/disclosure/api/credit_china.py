"""Staff entry points of the Credit China (信用中国) delivery ledger: read it, export it, redeliver a record."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.disclosure.api.deps import Editor, LedgerReader
from services.disclosure.handlers import credit_china
from services.disclosure.schemas import CreditRecordList, CreditRecordPublic
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/disclosure/credit-china", tags=["credit-china"])


@router.get(
    "/records", operation_id="credit_china_records", response_model=CreditRecordList, summary="推送台账 Delivery ledger"
)
async def records(
    request: Request,
    _caller: LedgerReader,
    status: Annotated[str | None, Query(pattern="^(pending|delivered|failed)$")] = None,
    publication_id: str | None = None,
) -> CreditRecordList:
    async with runtime_of(request).uow() as uow:
        rows = await credit_china.records(uow, status=status, publication_id=publication_id)
    return CreditRecordList(items=[CreditRecordPublic.model_validate(r, from_attributes=True) for r in rows])


@router.get(
    "/records.csv",
    operation_id="credit_china_csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV with a byte-order mark"}},
    summary="导出（手工上报） CSV in the platform's field order",
)
async def records_csv(request: Request, _caller: LedgerReader) -> Response:
    """The upsert records in the upload template's column order, for manual upload."""
    async with runtime_of(request).uow() as uow:
        text = await credit_china.records_csv(uow)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="credit-china.csv"'},
    )


@router.post(
    "/records/{record_id}/redeliver",
    operation_id="credit_china_redeliver",
    response_model=CreditRecordPublic,
    summary="重新推送 Redeliver a failed record",
)
async def redeliver(record_id: str, request: Request, caller: Editor) -> CreditRecordPublic:
    async with runtime_of(request).uow() as uow:
        record = await credit_china.redeliver(uow, record_id, actor=caller.subject)
        await uow.commit()
    return CreditRecordPublic.model_validate(record, from_attributes=True)
