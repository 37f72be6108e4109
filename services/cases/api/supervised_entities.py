"""HTTP entry points of the registry of supervised entities (监管对象名录)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.cases.api.deps import Registrar, Staff, answer
from services.cases.domain.draws import EntityCategory
from services.cases.handlers import supervised_entities as handlers
from services.cases.schemas import RegistryImportPublic, SupervisedEntityList, SupervisedEntityPublic
from shared.problems import Problem
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/cases", tags=["random inspections"])
MAX_BYTES = 5 * 1024 * 1024


async def _csv_text(request: Request) -> str:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "text/csv":
        raise Problem(415, "只接受 CSV Send text/csv", slug="unsupported-media-type")
    body = await request.body()
    if len(body) > MAX_BYTES:
        raise Problem(413, f"文件超过 {MAX_BYTES} 字节 File too large")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Problem(400, f"须为 UTF-8 编码 The file must be UTF-8: {exc}", slug="unreadable-body") from exc


@router.post(
    "/supervised-entities:import",
    operation_id="import_supervised_entities",
    response_model=RegistryImportPublic,
    openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def import_supervised_entities(request: Request, caller: Registrar) -> RegistryImportPublic:
    """名录导入 (CSV, UTF-8, header row): ``credit_code, category`` and optionally ``name, party_type, town,
    industry``. A registered credit code updates the entity; an unregistered one needs ``name`` and registers the
    party (organisation or sole_trader 个体工商户). Any bad line → 422 ``bad-registry-rows`` listing every bad line,
    and nothing is written."""
    text = await _csv_text(request)
    async with runtime_of(request).uow() as uow:
        counts = await handlers.import_registry(uow, text, actor=caller.subject)
        await uow.commit()
    return RegistryImportPublic(
        created=counts.created, updated=counts.updated, parties_registered=counts.parties_registered
    )


@router.get("/supervised-entities", operation_id="list_supervised_entities", response_model=SupervisedEntityList)
async def list_supervised_entities(
    request: Request,
    _caller: Staff,
    category: EntityCategory | None = None,
    town: Annotated[str | None, Query(max_length=50)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SupervisedEntityList:
    async with runtime_of(request).uow() as uow:
        rows, next_cursor = await handlers.list_entities(
            uow, category=category.value if category else None, town=town, cursor=cursor, limit=limit
        )
    items = [SupervisedEntityPublic.model_validate(r, from_attributes=True) for r in rows]
    return SupervisedEntityList(items=items, next_cursor=next_cursor)


@router.get(
    "/supervised-entities/{entity_id}", operation_id="get_supervised_entity", response_model=SupervisedEntityPublic
)
async def get_supervised_entity(entity_id: str, request: Request, _caller: Staff) -> JSONResponse:
    async with runtime_of(request).uow() as uow:
        entity = await handlers.get_entity(uow, entity_id)
    return answer(entity, SupervisedEntityPublic)
