"""Staff entry points of the Credit China (信用中国) delivery ledger."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlmodel import col, select

from services.disclosure import credit_china
from services.disclosure.domain.credit_china import FIELDS
from services.disclosure.schemas import CreditRecordList, CreditRecordStaff
from services.disclosure.tables import CreditRecord
from shared.auth import Principal, Role
from shared.csv_export import csv_text
from shared.service import requires, runtime_of

router = APIRouter(prefix="/api/v1/disclosure/credit-china", tags=["credit-china"])

Staff = Annotated[Principal, Depends(requires(Role.DISCLOSURE_EDITOR, Role.HEAD, Role.AUDITOR))]
Editor = Annotated[Principal, Depends(requires(Role.DISCLOSURE_EDITOR, Role.HEAD))]


async def _records(request: Request, status: str | None, operation: str | None = None) -> list[CreditRecord]:
    query = select(CreditRecord).order_by(col(CreditRecord.created_at), col(CreditRecord.id))
    if status:
        query = query.where(CreditRecord.status == status)
    if operation:
        query = query.where(CreditRecord.operation == operation)
    async with runtime_of(request).uow() as uow:
        return list((await uow.session.execute(query)).scalars())


@router.get(
    "/records", operation_id="credit_china_records", response_model=CreditRecordList, summary="推送台账 Delivery ledger"
)
async def records(
    request: Request,
    _caller: Staff,
    status: Annotated[str | None, Query(pattern="^(pending|delivered|failed)$")] = None,
    publication_id: str | None = None,
) -> CreditRecordList:
    rows = await _records(request, status)
    if publication_id:
        rows = [r for r in rows if r.publication_id == publication_id]
    return CreditRecordList(items=[CreditRecordStaff.model_validate(r, from_attributes=True) for r in rows])


@router.get(
    "/records.csv",
    operation_id="credit_china_csv",
    response_class=Response,
    summary="导出（手工上报） CSV in the platform's field order",
)
async def records_csv(request: Request, _caller: Staff) -> Response:
    """The upsert records in the upload template's column order, for manual upload."""
    rows = [[record.fields.get(key, "") for key, _ in FIELDS] for record in await _records(request, None, "upsert")]
    return Response(
        csv_text([label for _, label in FIELDS], rows, bom=True),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="credit-china.csv"'},
    )


@router.post(
    "/records/{record_id}/redeliver",
    operation_id="credit_china_redeliver",
    response_model=CreditRecordStaff,
    summary="重新推送 Redeliver a failed record",
)
async def redeliver(record_id: str, request: Request, caller: Editor) -> CreditRecordStaff:
    async with runtime_of(request).uow() as uow:
        record = await credit_china.redeliver(uow, record_id, actor=caller.subject)
        await uow.commit()
    return CreditRecordStaff.model_validate(record, from_attributes=True)
