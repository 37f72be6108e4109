"""Staff entry points of the lists published before enforcement (事前公开): read a list with its ETag, publish a
new version of the whole list (If-Match). One pair of routes per list, each with its own schemas.

No ``from __future__ import annotations`` here: the routes are made in a loop, and FastAPI reads each body's
schema from the annotation the loop sets."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.disclosure.api.deps import Editor, Staff, today_of
from services.disclosure.handlers import enforcement_lists
from services.disclosure.handlers.enforcement_lists import LIST_KINDS, ListKind, list_etag
from shared.header_docs import IF_MATCH, versioned
from shared.http import require_if_match
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/disclosure/enforcement-lists", tags=["before-enforcement"])


def _answer(kind: ListKind, view: BaseModel, version: int) -> JSONResponse:
    return JSONResponse(view.model_dump(mode="json"), headers={"ETag": list_etag(kind, version)})


def _add_routes(kind: ListKind) -> None:
    name = kind.slug.replace("-", "_")

    async def read(request: Request, _caller: Staff) -> JSONResponse:
        async with runtime_of(request).uow() as uow:
            view = await enforcement_lists.current_list(uow, kind)
        return _answer(kind, view, view.version)

    async def publish(body: BaseModel, request: Request, caller: Editor) -> JSONResponse:
        async with runtime_of(request).uow() as uow:
            current = await enforcement_lists.current_list(uow, kind)
            require_if_match(request, list_etag(kind, current.version))
            view = await enforcement_lists.publish_version(
                uow, kind, body, read_version=current.version, today=today_of(request), actor=caller.subject
            )
            await uow.commit()
        return _answer(kind, view, view.version)

    publish.__annotations__["body"] = kind.update
    read.__doc__ = (
        f"{kind.title} as published now (version 0 and empty before the first), with the ETag a change names."
    )
    publish.__doc__ = f"发布{kind.title}的新版本: the whole list; the earlier versions stay public. Needs If-Match."
    router.add_api_route(
        f"/{kind.slug}",
        read,
        methods=["GET"],
        operation_id=f"get_{name}",
        response_model=kind.public,
        responses=versioned(),
        summary=kind.title,
    )
    router.add_api_route(
        f"/{kind.slug}",
        publish,
        methods=["PUT"],
        operation_id=f"publish_{name}",
        response_model=kind.public,
        responses=versioned(),
        openapi_extra=IF_MATCH,
        summary=f"发布{kind.title}",
    )


for _kind in LIST_KINDS:
    _add_routes(_kind)
