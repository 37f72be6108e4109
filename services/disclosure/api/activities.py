"""The rule-of-law activity register (法治建设活动台账) in the staff API: the legal office records what the bureau
did to build a law-based government; the rule-of-law annual report is assembled from it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from services.disclosure.api.deps import LegalOffice, LegalOfficeReader
from services.disclosure.handlers import activities
from services.disclosure.schemas import ActivityCreate, ActivityKind, ActivityList, ActivityPublic, ActivityUpdate
from services.disclosure.tables import LawActivity
from shared import header_docs
from shared.auth import Principal
from shared.header_docs import IF_MATCH, versioned
from shared.http import etag_of, require_if_match
from shared.idempotency import idempotent
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/disclosure/law-activities", tags=["rule-of-law"])


def _out(row: LawActivity) -> ActivityPublic:
    return ActivityPublic.model_validate(row, from_attributes=True)


def _etag(row: LawActivity) -> str:
    return etag_of(row.id, row.version)


@router.post(
    "",
    operation_id="record_law_activity",
    status_code=201,
    response_model=ActivityPublic,
    responses=header_docs.created("get_law_activity", "activity_id"),
    summary="登记法治建设活动 Record a rule-of-law activity",
)
async def record(body: ActivityCreate, request: Request, caller: LegalOffice) -> Any:
    """The facts that apply depend on the kind (a training: date, town, enterprises covered; an adviser: year,
    full-time or part-time, firm, review meetings attended …); a missing or foreign one is a 422 naming it."""

    async def action(uow: Any) -> tuple[int, Any, dict[str, str]]:
        row = await activities.record_activity(uow, body, caller=caller)
        headers = {"ETag": _etag(row), "Location": f"{router.prefix}/{row.id}"}
        return 201, _out(row).model_dump(mode="json"), headers

    runtime = runtime_of(request)
    return await idempotent(
        request, runtime.uow, principal=caller.subject, body=body.model_dump(mode="json"), action=action
    )


@router.get("", operation_id="list_law_activities", response_model=ActivityList)
async def list_entries(
    request: Request,
    caller: LegalOfficeReader,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="年度")] = None,
    kind: Annotated[ActivityKind | None, Query(description="活动种类")] = None,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> ActivityList:
    async with runtime_of(request).uow() as uow:
        rows = await activities.list_activities(uow, caller=caller, year=year, kind=kind, after=cursor, limit=limit + 1)
    items = [_out(r) for r in rows[:limit]]
    return ActivityList(items=items, next_cursor=items[-1].id if len(rows) > limit else None)


@router.get("/{activity_id}", operation_id="get_law_activity", response_model=ActivityPublic, responses=versioned())
async def get_entry(activity_id: str, request: Request, response: Response, caller: LegalOfficeReader) -> Any:
    async with runtime_of(request).uow() as uow:
        row = await activities.get_activity(uow, activity_id, caller=caller)
    response.headers["ETag"] = _etag(row)
    return _out(row)


async def _change(request: Request, activity_id: str, caller: Principal, body: ActivityUpdate | None) -> LawActivity:
    async with runtime_of(request).uow() as uow:
        row = await activities.get_activity(uow, activity_id, caller=caller)
        require_if_match(request, _etag(row))
        if body is None:
            changed = await activities.remove_activity(uow, row, caller=caller)
        else:
            changed = await activities.update_activity(uow, row, body, caller=caller)
        await uow.commit()
    return changed


@router.patch(
    "/{activity_id}",
    operation_id="update_law_activity",
    response_model=ActivityPublic,
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def update_entry(
    activity_id: str, body: ActivityUpdate, request: Request, response: Response, caller: LegalOffice
) -> Any:
    """Change the facts sent (null clears one); the entry is checked again against its kind."""
    row = await _change(request, activity_id, caller, body)
    response.headers["ETag"] = _etag(row)
    return _out(row)


@router.delete("/{activity_id}", operation_id="remove_law_activity", status_code=204, openapi_extra=IF_MATCH)
async def remove_entry(activity_id: str, request: Request, caller: LegalOffice) -> Response:
    """删除 an entry recorded by mistake (the audit trail keeps it)."""
    await _change(request, activity_id, caller, None)
    return Response(status_code=204)
