"""HTTP entry points of a case file: filing (立案), stages, clock, referral, evidence, history."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.cases import casework, evidence, records, transitions
from services.cases.case_schemas import (
    CaseFile,
    CaseList,
    CasePublic,
    ClockStopEnd,
    ClockStopStart,
    ExecutionRecord,
    Extension,
    Transition,
)
from services.cases.case_tables import Case
from services.cases.domain.stages import Stage
from services.cases.record_schemas import EvidencePublic, ReferralCreate, ReferralPublic
from services.cases.web import Head, Officer, Reviewer, Staff, calendar_of, created, settings_of
from shared.audit import history, verify_chain
from shared.auth import Principal
from shared.bounds import LegalDateTime
from shared.fields import Name
from shared.http import require_if_match
from shared.messaging import UnitOfWork
from shared.problems import Problem
from shared.service import runtime_of
from shared.web import correlation_id

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])


def _case(case: Case, status: int = 200) -> JSONResponse:
    body = CasePublic.model_validate(case, from_attributes=True).model_dump(mode="json")
    return JSONResponse(body, status_code=status, headers={"ETag": casework.case_etag(case)})


async def _update(
    request: Request, case_id: str, caller: Principal, change: Callable[[UnitOfWork, Case], Awaitable[Any]]
) -> JSONResponse:
    """Load in scope, check If-Match against the version read, apply, commit; answer with the new ETag."""
    async with runtime_of(request).uow() as uow:
        case = await casework.get_case(uow, case_id, caller)
        require_if_match(request, casework.case_etag(case))
        await change(uow, case)
        await uow.commit()
    return _case(case)


@router.post("", status_code=201, operation_id="file_case", response_model=CasePublic)
async def file_case(body: CaseFile, request: Request, caller: Head) -> JSONResponse:
    """立案: the head files an open lead; the case number is allocated gaplessly per year."""

    async def make(uow: UnitOfWork) -> Case:
        return await casework.file_case(
            uow,
            body,
            settings=settings_of(request),
            calendar=calendar_of(request),
            actor=caller.subject,
            correlation_id=correlation_id(request),
        )

    return await created(request, caller, body, make, public=CasePublic, location="/api/v1/cases/{id}")


@router.get("", operation_id="list_cases", response_model=CaseList)
async def list_cases(
    request: Request,
    caller: Staff,
    stage: Stage | None = None,
    officer: Annotated[str | None, Query(pattern="^[0-9A-Za-z-]{1,36}$", description="执法人员 id")] = None,
    party: Annotated[str | None, Query(max_length=36)] = None,
    town: Annotated[str | None, Query(max_length=50)] = None,
    overdue: bool | None = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> CaseList:
    """An officer sees its team's cases only."""
    async with runtime_of(request).uow() as uow:
        rows, next_cursor = await casework.list_cases(
            uow,
            caller,
            stage=stage,
            officer=officer,
            party=party,
            town=town,
            overdue=overdue,
            cursor=cursor,
            limit=limit,
        )
    return CaseList(items=[CasePublic.model_validate(r, from_attributes=True) for r in rows], next_cursor=next_cursor)


@router.get("/{case_id}", operation_id="get_case", response_model=CasePublic)
async def get_case(case_id: str, request: Request, caller: Staff) -> JSONResponse:
    async with runtime_of(request).uow() as uow:
        return _case(await casework.get_case(uow, case_id, caller))


@router.post("/{case_id}/transitions", operation_id="transition_case", response_model=CasePublic)
async def transition_case(case_id: str, body: Transition, request: Request, caller: Reviewer) -> JSONResponse:
    """Next stage; 409 naming the missing step when the procedure does not allow it yet. Needs If-Match."""
    settings, calendar = settings_of(request), calendar_of(request)

    async def change(uow: UnitOfWork, case: Case) -> None:
        await transitions.transition(
            uow, case, body, settings=settings, calendar=calendar, caller=caller, correlation_id=correlation_id(request)
        )

    return await _update(request, case_id, caller, change)


@router.post("/{case_id}/clock-stops", operation_id="stop_case_clock", response_model=CasePublic)
async def stop_clock(case_id: str, body: ClockStopStart, request: Request, caller: Officer) -> JSONResponse:
    """检测、鉴定、公告、送达: days not counted in the decision limit. Needs If-Match."""
    settings, calendar = settings_of(request), calendar_of(request)

    async def change(uow: UnitOfWork, case: Case) -> None:
        await casework.add_clock_stop(uow, case, body, settings=settings, calendar=calendar, actor=caller.subject)

    return await _update(request, case_id, caller, change)


@router.post("/{case_id}/clock-stops/{stop_id}/end", operation_id="resume_case_clock", response_model=CasePublic)
async def resume_clock(
    case_id: str, stop_id: str, body: ClockStopEnd, request: Request, caller: Officer
) -> JSONResponse:
    settings, calendar = settings_of(request), calendar_of(request)

    async def change(uow: UnitOfWork, case: Case) -> None:
        await casework.end_clock_stop(
            uow, case, stop_id, body, settings=settings, calendar=calendar, actor=caller.subject
        )

    return await _update(request, case_id, caller, change)


@router.post("/{case_id}/extensions", operation_id="extend_case", response_model=CasePublic)
async def extend_case(case_id: str, body: Extension, request: Request, caller: Head) -> JSONResponse:
    """延长办案期限: +30 by the head, +30 more by collective discussion. Needs If-Match."""
    settings, calendar = settings_of(request), calendar_of(request)

    async def change(uow: UnitOfWork, case: Case) -> None:
        await casework.extend_case(uow, case, body, settings=settings, calendar=calendar, actor=caller.subject)

    return await _update(request, case_id, caller, change)


@router.post("/{case_id}/execution", operation_id="record_execution", response_model=CasePublic)
async def record_execution(case_id: str, body: ExecutionRecord, request: Request, caller: Officer) -> JSONResponse:
    """缴款 / 催告; the answer's ``Late-Surcharge-Fen`` header is the 加处罚款: 3 %/day of the fine only, capped at
    the fine. Needs If-Match."""
    settings, calendar = settings_of(request), calendar_of(request)
    owed: list[int] = []

    async def change(uow: UnitOfWork, case: Case) -> None:
        owed.append(
            await transitions.record_execution(
                uow, case, body, settings=settings, calendar=calendar, actor=caller.subject
            )
        )

    answer = await _update(request, case_id, caller, change)
    answer.headers["Late-Surcharge-Fen"] = str(owed[0])
    return answer


@router.post("/{case_id}/referrals", status_code=201, operation_id="request_referral", response_model=ReferralPublic)
async def request_referral(case_id: str, body: ReferralCreate, request: Request, caller: Head) -> JSONResponse:
    """涉嫌犯罪移送 (the head's approval); serious-pollution thresholds met come back as ``threshold_hints``."""

    async def make(uow: UnitOfWork) -> Any:
        case = await casework.get_case(uow, case_id, caller)
        return await records.request_referral(
            uow, case, body, settings=settings_of(request), actor=caller.subject, correlation_id=correlation_id(request)
        )

    location = f"/api/v1/cases/{case_id}/referrals/{{id}}"
    return await created(request, caller, body, make, public=ReferralPublic, location=location)


@router.post("/{case_id}/evidence", status_code=201, operation_id="upload_evidence", response_model=EvidencePublic)
async def upload_evidence(
    case_id: str,
    request: Request,
    caller: Officer,
    kind: Annotated[str, Query(pattern="^(video|audio|photo|document|record)$")],
    filename: Annotated[Name, Query(min_length=1, max_length=255)],
    captured_by: Annotated[Name, Query(min_length=1, max_length=200)],
    captured_at: LegalDateTime,
) -> JSONResponse:
    """证据 / 全过程记录: the request body is the file, streamed to the content-addressed store (SHA-256)."""
    if captured_at.tzinfo is None:
        raise Problem(422, "captured_at 须含时区 captured_at needs a time zone offset", slug="validation")
    settings = settings_of(request)
    async with runtime_of(request).uow() as uow:
        case = await casework.get_case(uow, case_id, caller)
        stored = await settings.evidence_store().put_stream(request.stream())
        item = await evidence.register_evidence(
            uow,
            case,
            stored,
            kind=kind,
            filename=filename,
            content_type=request.headers.get("content-type", "application/octet-stream")[:100],
            captured_by=captured_by,
            captured_at=captured_at,
            actor=caller.subject,
        )
        await uow.commit()
    body = EvidencePublic.model_validate(item, from_attributes=True).model_dump(mode="json")
    return JSONResponse(body, status_code=201, headers={"Location": f"/api/v1/cases/{case_id}/evidence/{item.id}"})


@router.get("/{case_id}/evidence", operation_id="list_evidence", response_model=list[EvidencePublic])
async def list_evidence(case_id: str, request: Request, caller: Staff) -> list[EvidencePublic]:
    async with runtime_of(request).uow() as uow:
        await casework.get_case(uow, case_id, caller)
        rows = await evidence.list_evidence(uow, case_id)
    return [EvidencePublic.model_validate(r, from_attributes=True) for r in rows]


@router.post("/{case_id}/evidence/verification", operation_id="verify_evidence")
async def verify_evidence(case_id: str, request: Request, caller: Staff) -> dict[str, Any]:
    """Re-hash every stored file of the case; ``ok`` is false if any is missing or altered."""
    async with runtime_of(request).uow() as uow:
        await casework.get_case(uow, case_id, caller)
        rows = await evidence.list_evidence(uow, case_id)
    results = evidence.verify(settings_of(request).evidence_store(), rows)
    return {"ok": all(r["status"] == "ok" for r in results), "items": results}


@router.get("/{case_id}/history", operation_id="case_history")
async def case_history(case_id: str, request: Request, caller: Staff) -> dict[str, Any]:
    """Every state change of the case from the hash-chained audit log, and whether the chain is intact."""
    async with runtime_of(request).uow() as uow:
        await casework.get_case(uow, case_id, caller)
        rows = await history(uow.session, entity_type="case", entity_id=case_id)
        chain = await verify_chain(uow.session)
    entries = [
        {
            "seq": r.seq,
            "at": r.recorded_at.isoformat(),
            "actor": r.actor,
            "action": r.action,
            "data": r.data,
            "hash": r.hash,
        }
        for r in rows
    ]
    return {"case_id": case_id, "chain_intact": chain.ok, "chain_checked": chain.checked, "entries": entries}
