"""What the cases entry points share: role aliases, the app's settings and calendar, and the two answers of a write.

``created`` answers a POST that makes an object (201, ``Location``, ``ETag`` when the object is versioned;
honours ``Idempotency-Key``). ``changed`` is the one path of a change to a versioned object: load it (the loader
does the ownership check), check ``If-Match`` against the version read, run the handler, commit, answer with the
new ``ETag``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.cases.handlers.cases import get_case
from services.cases.settings import CasesSettings
from services.cases.tables import Case
from shared.auth import Principal, Role
from shared.http import etag_of, require_if_match
from shared.idempotency import idempotent
from shared.messaging import UnitOfWork
from shared.service import requires, runtime_of
from shared.workdays import WorkCalendar

Head = Annotated[Principal, Depends(requires(Role.HEAD))]
Officer = Annotated[Principal, Depends(requires(Role.OFFICER, Role.HEAD))]
Reviewer = Annotated[Principal, Depends(requires(Role.OFFICER, Role.HEAD, Role.LEGAL_REVIEWER))]
Staff = Annotated[Principal, Depends(requires(Role.OFFICER, Role.HEAD, Role.LEGAL_REVIEWER, Role.AUDITOR))]
Registrar = Annotated[Principal, Depends(requires(Role.HEAD))]
StatsReader = Annotated[
    Principal,
    Depends(requires(Role.HEAD, Role.AUDITOR, Role.OFFICER, Role.LEGAL_REVIEWER, Role.DISCLOSURE_EDITOR)),
]


class Versioned(Protocol):
    """A row whose ``version`` makes its ETag (cases, decisions, leads, parties, officers)."""

    id: str
    version: int


V = TypeVar("V", bound=Versioned)


def settings_of(request: Request) -> CasesSettings:
    settings = runtime_of(request).settings
    assert isinstance(settings, CasesSettings)
    return settings


def calendar_of(request: Request) -> WorkCalendar:
    calendar: WorkCalendar = request.app.state.calendar
    return calendar


def etag(row: Versioned) -> str:
    return etag_of(row.id, row.version)


def answer(row: Any, public: type[BaseModel], *, tag: str | None = None, status: int = 200) -> JSONResponse:
    """``public`` of ``row``, with ``tag`` as its ETag (the row's own when it is versioned)."""
    body = public.model_validate(row, from_attributes=True).model_dump(mode="json")
    tag = tag or (etag(row) if hasattr(row, "version") else None)
    return JSONResponse(body, status_code=status, headers={"ETag": tag} if tag else None)


async def created(
    request: Request,
    caller: Principal,
    body: BaseModel,
    make: Callable[[UnitOfWork], Awaitable[Any]],
    *,
    public: type[BaseModel],
    location: str,
    tag: Callable[[], str] | None = None,
) -> JSONResponse:
    """201 with the new resource, its ``Location`` and, when versioned, its ``ETag`` (the If-Match of its first
    change: the row's own, or ``tag()`` after ``make`` when its changes check another object's version);
    honours Idempotency-Key (same key and body → the first answer)."""

    async def action(uow: UnitOfWork) -> tuple[int, object, dict[str, str]]:
        row = await make(uow)
        content = public.model_validate(row, from_attributes=True).model_dump(mode="json")
        headers = {"Location": location.format(id=row.id)}
        if tag is not None:
            headers["ETag"] = tag()
        elif hasattr(row, "version"):
            headers["ETag"] = etag(row)
        return 201, content, headers

    return await idempotent(
        request, runtime_of(request).uow, principal=caller.subject, body=body.model_dump(mode="json"), action=action
    )


async def changed(
    request: Request,
    load: Callable[[UnitOfWork], Awaitable[V]],
    change: Callable[[UnitOfWork, V], Awaitable[Any]],
    *,
    public: type[BaseModel],
) -> JSONResponse:
    """Load (ownership checked by ``load``), check If-Match against the version read, change, commit; answer with
    ``public`` of what ``change`` returns (``None``: the loaded object) and the loaded object's new ETag."""
    async with runtime_of(request).uow() as uow:
        current = await load(uow)
        require_if_match(request, etag(current))
        result = await change(uow, current)
        await uow.commit()
    return answer(current if result is None else result, public, tag=etag(current))


def the_case(case_id: str, caller: Principal) -> Callable[[UnitOfWork], Awaitable[Case]]:
    """The loader of a case route: the case if ``caller`` reaches it (``access.CASE``), else 404 as if absent."""

    async def load(uow: UnitOfWork) -> Case:
        return await get_case(uow, case_id, caller)

    return load
