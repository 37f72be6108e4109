"""HTTP entry points of the random inspection rates (抽查比例): dated rows per category, entered by the head from the
national and Tianjin schemes; a draw uses the row in force on its period's first day."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.cases.api.deps import Head, Staff, answer, changed, created, settings_of
from services.cases.handlers import inspection_rates as handlers
from services.cases.schemas import InspectionRateCreate, InspectionRateList, InspectionRatePublic, InspectionRateUpdate
from services.cases.tables import InspectionRate
from shared.header_docs import IF_MATCH, versioned
from shared.header_docs import created as created_answer
from shared.messaging import UnitOfWork
from shared.service import runtime_of
from shared.web import correlation_id

router = APIRouter(prefix="/api/v1/cases", tags=["random inspections"])


def _rate(rate_id: str) -> Callable[[UnitOfWork], Awaitable[InspectionRate]]:
    async def load(uow: UnitOfWork) -> InspectionRate:
        return await handlers.get_rate(uow, rate_id)

    return load


@router.post(
    "/inspection-rates",
    status_code=201,
    operation_id="create_inspection_rate",
    response_model=InspectionRatePublic,
    responses=created_answer("get_inspection_rate", "rate_id"),
)
async def create_inspection_rate(body: InspectionRateCreate, request: Request, caller: Head) -> JSONResponse:
    """抽查比例 from a date on: per category a proportion (or a count) per month, quarter or year, the rule leaving
    out entities inspected in the last N months, and the basis (the national or Tianjin scheme, 文号). In force
    until the next row's date; audited and published in the draw plan. One row per date (409)."""
    settings = settings_of(request)

    async def make(uow: UnitOfWork) -> InspectionRate:
        return await handlers.create_rate(
            uow, body, settings=settings, actor=caller.subject, correlation_id=correlation_id(request)
        )

    return await created(
        request, caller, body, make, public=InspectionRatePublic, location="/api/v1/cases/inspection-rates/{id}"
    )


@router.get("/inspection-rates", operation_id="list_inspection_rates", response_model=InspectionRateList)
async def list_inspection_rates(request: Request, _caller: Staff) -> InspectionRateList:
    """Every dated row, oldest first (the history: rows used by draws are kept as they were)."""
    async with runtime_of(request).uow() as uow:
        rows = await handlers.all_rates(uow, settings_of(request), correlation_id=correlation_id(request))
        items = [InspectionRatePublic.model_validate(r, from_attributes=True) for r in rows]
        await uow.commit()  # an empty table has just taken the data file's rows
    return InspectionRateList(items=items)


@router.get(
    "/inspection-rates/{rate_id}",
    operation_id="get_inspection_rate",
    response_model=InspectionRatePublic,
    responses=versioned(),
)
async def get_inspection_rate(rate_id: str, request: Request, _caller: Staff) -> JSONResponse:
    async with runtime_of(request).uow() as uow:
        row = await handlers.get_rate(uow, rate_id)
    return answer(row, InspectionRatePublic)


@router.patch(
    "/inspection-rates/{rate_id}",
    operation_id="update_inspection_rate",
    response_model=InspectionRatePublic,
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def update_inspection_rate(
    rate_id: str, body: InspectionRateUpdate, request: Request, caller: Head
) -> JSONResponse:
    """A correction of a row no draw has used yet (409 ``rate-in-use`` otherwise: enter a new dated row, so each
    draw's basis stays as it was). Needs If-Match."""

    async def change(uow: UnitOfWork, row: InspectionRate) -> None:
        await handlers.update_rate(uow, row, body, actor=caller.subject, correlation_id=correlation_id(request))

    return await changed(request, _rate(rate_id), change, public=InspectionRatePublic)
