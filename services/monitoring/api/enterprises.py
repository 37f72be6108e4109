"""The enterprise register (排污单位): enterprises, their outlets (排放口) and dated permit limits (排污许可限值).

An outlet is measured by a pollution-source station: its readings arrive as any station's do (HJ 212, or the batch
API with the station's MN and password, which writes only that station's readings, or a staff token)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from services.monitoring.api.deps import Manager, Reader, change_with_if_match
from services.monitoring.handlers import enterprises as handlers
from services.monitoring.handlers.enterprises import EnterpriseView, OutletView
from services.monitoring.schemas import (
    EnterpriseCreate,
    EnterpriseImportPublic,
    EnterpriseList,
    EnterprisePublic,
    EnterpriseUpdate,
    OutletCreate,
    OutletPublic,
    PermitLimitCreate,
    PermitLimitPublic,
)
from services.monitoring.tables import Enterprise
from shared import header_docs
from shared.header_docs import IF_MATCH, versioned
from shared.http import etag_of
from shared.idempotency import idempotent
from shared.problems import Problem
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/monitoring/enterprises", tags=["enterprises"])
MAX_IMPORT_BYTES = 2_000_000
_CSV_BODY = {
    "required": True,
    "content": {
        "text/csv": {
            "schema": {
                "type": "string",
                "format": "binary",
                "description": "a header naming the columns (code, name, town, industry required; credit_code, "
                "permit_number, key_unit optional), then one enterprise per line (UTF-8)",
            }
        }
    },
}


def outlet_out(enterprise: Enterprise, outlet: OutletView) -> OutletPublic:
    return OutletPublic(
        enterprise_code=enterprise.code,
        **outlet.outlet.model_dump(include={"code", "name", "medium", "station_code", "frequency"}),
        limits=[PermitLimitPublic.model_validate(r, from_attributes=True) for r in outlet.limits],
    )


def enterprise_out(found: EnterpriseView) -> EnterprisePublic:
    enterprise = found.enterprise
    return EnterprisePublic.model_validate(
        enterprise.model_dump() | {"outlets": [outlet_out(enterprise, o) for o in found.outlets]}
    )


def _location(code: str) -> str:
    return f"{router.prefix}/{code}"


@router.post(
    "",
    operation_id="create_enterprise",
    status_code=201,
    response_model=EnterprisePublic,
    responses=header_docs.created("get_enterprise", "enterprise_code", field="code"),
)
async def create_enterprise(body: EnterpriseCreate, request: Request, caller: Manager) -> Any:
    """登记排污单位; outlets and limits are added to it afterwards."""

    async def action(uow: Any) -> tuple[int, Any, dict[str, str]]:
        enterprise = await handlers.create_enterprise(uow, body, actor=caller)
        headers = {"ETag": etag_of(enterprise.id, enterprise.version), "Location": _location(enterprise.code)}
        return 201, enterprise_out(EnterpriseView(enterprise, [])).model_dump(mode="json"), headers

    runtime = runtime_of(request)
    return await idempotent(
        request, runtime.uow, principal=caller.subject, body=body.model_dump(mode="json"), action=action
    )


@router.post(
    ":import",
    operation_id="import_enterprises",
    response_model=EnterpriseImportPublic,
    openapi_extra={"requestBody": _CSV_BODY},
)
async def import_enterprises(request: Request, caller: Manager) -> EnterpriseImportPublic:
    """CSV 批量登记: lines naming a registered code, and bad lines, are reported by index; the others registered."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "text/csv":
        raise Problem(415, "只接受 CSV Send text/csv", slug="unsupported-media-type")
    body = await request.body()
    if len(body) > MAX_IMPORT_BYTES:
        raise Problem(413, f"请求体超过 {MAX_IMPORT_BYTES} 字节 Body too large")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Problem(400, "需要 UTF-8 The CSV must be UTF-8", slug="unreadable-body") from exc
    async with runtime_of(request).uow() as uow:
        created, rejected = await handlers.import_enterprises(uow, text, actor=caller)
        await uow.commit()
    return EnterpriseImportPublic(created=created, rejected=rejected)


@router.get("", operation_id="list_enterprises", response_model=EnterpriseList)
async def list_enterprises(
    request: Request,
    _caller: Reader,
    town: Annotated[str | None, Query(max_length=100)] = None,
    industry: Annotated[str | None, Query(max_length=100)] = None,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> EnterpriseList:
    async with runtime_of(request).uow() as uow:
        rows = await handlers.list_enterprises(uow, town=town, industry=industry, after=cursor, limit=limit + 1)
        found = await handlers.views(uow, rows[:limit])
    return EnterpriseList(
        items=[enterprise_out(e) for e in found], next_cursor=rows[limit - 1].code if len(rows) > limit else None
    )


@router.get("/{enterprise_code}", operation_id="get_enterprise", response_model=EnterprisePublic, responses=versioned())
async def get_enterprise(enterprise_code: str, request: Request, response: Response, _caller: Reader) -> Any:
    async with runtime_of(request).uow() as uow:
        found = await handlers.view(uow, await handlers.get_enterprise(uow, enterprise_code))
    response.headers["ETag"] = etag_of(found.enterprise.id, found.enterprise.version)
    return enterprise_out(found)


@router.put(
    "/{enterprise_code}",
    operation_id="update_enterprise",
    response_model=EnterprisePublic,
    openapi_extra=IF_MATCH,
    responses=versioned(),
)
async def update_enterprise(
    enterprise_code: str, body: EnterpriseUpdate, request: Request, response: Response, caller: Manager
) -> Any:
    """更正登记信息 (needs If-Match); outlets and limits are changed by their own routes."""
    enterprise = await change_with_if_match(
        request,
        response,
        lambda uow: handlers.get_enterprise(uow, enterprise_code),
        lambda uow, found: handlers.update_enterprise(uow, found, body, actor=caller),
    )
    async with runtime_of(request).uow() as uow:
        return enterprise_out(await handlers.view(uow, enterprise))


@router.post(
    "/{enterprise_code}/outlets",
    operation_id="add_outlet",
    status_code=201,
    response_model=OutletPublic,
    responses=header_docs.created("get_enterprise", "enterprise_code", etag=False, field="enterprise_code"),
)
async def add_outlet(enterprise_code: str, body: OutletCreate, request: Request, caller: Manager) -> Any:
    """登记排放口 and its permit limits; the station (MN) must be a pollution source no other outlet uses."""

    async def action(uow: Any) -> tuple[int, Any, dict[str, str]]:
        enterprise = await handlers.get_enterprise(uow, enterprise_code)
        outlet = await handlers.add_outlet(uow, enterprise, body, actor=caller)
        [shown] = [o for o in (await handlers.view(uow, enterprise)).outlets if o.outlet.id == outlet.id]
        return 201, outlet_out(enterprise, shown).model_dump(mode="json"), {"Location": _location(enterprise.code)}

    runtime = runtime_of(request)
    return await idempotent(
        request, runtime.uow, principal=caller.subject, body=body.model_dump(mode="json"), action=action
    )


@router.post(
    "/{enterprise_code}/outlets/{outlet_code}/limits",
    operation_id="add_permit_limit",
    status_code=201,
    response_model=OutletPublic,
    responses=header_docs.created("get_enterprise", "enterprise_code", etag=False, field="enterprise_code"),
)
async def add_permit_limit(
    enterprise_code: str, outlet_code: str, body: PermitLimitCreate, request: Request, caller: Manager
) -> Any:
    """A new permit period (换证、限值调整) of one pollutant; it may not overlap a recorded one (422)."""

    async def action(uow: Any) -> tuple[int, Any, dict[str, str]]:
        enterprise = await handlers.get_enterprise(uow, enterprise_code)
        outlet = await handlers.get_outlet(uow, enterprise, outlet_code)
        await handlers.add_limit(uow, enterprise, outlet, body, actor=caller)
        [shown] = [o for o in (await handlers.view(uow, enterprise)).outlets if o.outlet.id == outlet.id]
        return 201, outlet_out(enterprise, shown).model_dump(mode="json"), {"Location": _location(enterprise.code)}

    runtime = runtime_of(request)
    return await idempotent(
        request, runtime.uow, principal=caller.subject, body=body.model_dump(mode="json"), action=action
    )
