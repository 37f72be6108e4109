"""What the referral entry points share: role sets, the limits and the document store, and the one helper that
changes a referral (load with the ownership check, check ``If-Match``, run the step, commit, answer with the ETag)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, Request
from fastapi.responses import FileResponse, JSONResponse

from services.referral.handlers import referrals as handlers
from services.referral.handlers.deadlines import Deadlines
from services.referral.handlers.read_models import police_views, staff_views
from services.referral.handlers.referrals import Actor
from services.referral.settings import ReferralSettings
from services.referral.tables import Referral, ReferralDocument
from shared.auth import Principal, Role
from shared.file_store import ContentStore
from shared.http import etag_of, require_if_match
from shared.idempotency import idempotent
from shared.messaging import UnitOfWork
from shared.service import requires, runtime_of
from shared.web import correlation_id

# OpenAPI for the answers that carry the referral's version, and for file downloads.
ETAG_HEADER = {
    "ETag": {"description": "the referral's version: send it as `If-Match` with a step", "schema": {"type": "string"}}
}
FILE_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the file; its SHA-256 is the `ETag` and `X-Content-SHA256`",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        "headers": {"X-Content-SHA256": {"description": "SHA-256 (hex) of the file", "schema": {"type": "string"}}},
    }
}

Reader = Annotated[Principal, Depends(requires(Role.OFFICER, Role.HEAD, Role.LEGAL_REVIEWER, Role.AUDITOR))]
Writer = Annotated[Principal, Depends(requires(Role.OFFICER, Role.HEAD))]
Police = Annotated[Principal, Depends(requires(Role.POLICE, zone="police"))]


def deadlines_of(request: Request) -> Deadlines:
    deadlines: Deadlines = request.app.state.deadlines
    return deadlines


def settings_of(request: Request) -> ReferralSettings:
    settings: ReferralSettings = request.app.state.settings
    return settings


def store_of(request: Request) -> ContentStore:
    store: ContentStore = request.app.state.document_store
    return store


DeadlinesDep = Annotated[Deadlines, Depends(deadlines_of)]
StoreDep = Annotated[ContentStore, Depends(store_of)]
SettingsDep = Annotated[ReferralSettings, Depends(settings_of)]

# A step on a referral: staged in the unit of work on the referral loaded for update.
ReferralAct = Callable[[UnitOfWork, Referral], Awaitable[object]]


def actor_of(request: Request, caller: Principal) -> Actor:
    return Actor(caller.subject, correlation_id(request))


def referral_etag(referral: Referral) -> str:
    return etag_of(referral.id, referral.version)


async def change_referral(
    request: Request,
    caller: Principal,
    referral_id: str,
    act: ReferralAct,
    *,
    body: Any,
    audience: Literal["staff", "police"] = "staff",
) -> JSONResponse:
    """Load the referral for update (404 unless the caller reaches it), check ``If-Match`` (staff: the police
    act on what was sent to them and send none), run ``act``, commit once per ``Idempotency-Key`` and answer the
    referral as the audience reads it, with its new ETag. A staged copy to the procuratorate is sent at once."""
    deadlines = deadlines_of(request)

    async def action(uow: UnitOfWork) -> tuple[int, object, dict[str, str]]:
        referral = await handlers.get_referral(uow, referral_id, caller, for_update=True)
        if audience == "staff":
            require_if_match(request, referral_etag(referral))
        await act(uow, referral)
        views = staff_views if audience == "staff" else police_views
        [view] = await views(uow, deadlines, [referral])
        headers = {"ETag": referral_etag(referral)} if audience == "staff" else {}
        return 200, view.model_dump(mode="json"), headers

    runtime = runtime_of(request)
    response = await idempotent(request, runtime.uow, principal=caller.subject, body=body, action=action)
    wake_deliverer(request)
    return response


def wake_deliverer(request: Request) -> None:
    deliverer = runtime_of(request).extras.get("deliverer")
    if deliverer is not None:
        deliverer.wake()


def file_response(path: Path, document: ReferralDocument) -> FileResponse:
    """The file with its SHA-256 as ETag and ``X-Content-SHA256``, so the reader can check what it got."""
    sha256 = document.sha256
    headers = {"ETag": f'"{sha256}"', "X-Content-SHA256": sha256, "Cache-Control": "private, max-age=0"}
    return FileResponse(path, media_type=document.media_type, filename=document.name, headers=headers)
