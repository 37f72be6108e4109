"""What the cases entry points share: role aliases, settings and calendar of the app, created/updated answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.cases.settings import CasesSettings
from shared.auth import Principal, Role
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


def settings_of(request: Request) -> CasesSettings:
    settings = runtime_of(request).settings
    assert isinstance(settings, CasesSettings)
    return settings


def calendar_of(request: Request) -> WorkCalendar:
    calendar: WorkCalendar = request.app.state.calendar
    return calendar


async def created(
    request: Request,
    caller: Principal,
    body: BaseModel,
    make: Callable[[UnitOfWork], Awaitable[Any]],
    *,
    public: type[BaseModel],
    location: str,
) -> JSONResponse:
    """201 with the new resource; honours Idempotency-Key (same key and body → the first answer)."""

    async def action(uow: UnitOfWork) -> tuple[int, object, dict[str, str]]:
        row = await make(uow)
        content = public.model_validate(row, from_attributes=True).model_dump(mode="json")
        return 201, content, {"Location": location.format(id=row.id)}

    return await idempotent(
        request, runtime_of(request).uow, principal=caller.subject, body=body.model_dump(mode="json"), action=action
    )
