"""Staff HTTP entry points of the disclosure service (``/api/v1/disclosure``): publications and deadlines."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from services.disclosure import handlers, queries, review
from services.disclosure.domain.deadlines import OnTimeRate, publication_due_date
from services.disclosure.schemas import (
    DeadlineList,
    DueDate,
    OnTimeRatePublic,
    OnTimeStatistics,
    PublicationEdit,
    PublicationList,
    PublicationStaff,
    PublishRequest,
    RedactionAdd,
    RedactionMarks,
    RedactionUndo,
)
from services.disclosure.settings import DisclosureSettings
from services.disclosure.tables import Publication
from shared.auth import Principal, Role
from shared.bounds import LegalDate
from shared.contracts.common import DecisionKind
from shared.decision_kinds import kind_rule
from shared.http import etag_of, require_if_match
from shared.problems import Problem
from shared.service import requires, runtime_of
from shared.web import correlation_id

router = APIRouter(prefix="/api/v1/disclosure", tags=["disclosure"])

Staff = Annotated[
    Principal,
    Depends(requires(Role.DISCLOSURE_EDITOR, Role.HEAD, Role.OFFICER, Role.LEGAL_REVIEWER, Role.AUDITOR)),
]
Editor = Annotated[Principal, Depends(requires(Role.DISCLOSURE_EDITOR, Role.HEAD))]


def settings_of(request: Request) -> DisclosureSettings:
    settings: DisclosureSettings = request.app.state.settings
    return settings


def staff_view(publication: Publication, response: Response | None = None) -> PublicationStaff:
    if response is not None:
        response.headers["ETag"] = etag_of(publication.id, publication.version)
    return PublicationStaff.model_validate(publication, from_attributes=True)


@router.get("/due-date", operation_id="publication_due_date", response_model=DueDate)
async def due_date(
    request: Request,
    _caller: Staff,
    kind: Annotated[DecisionKind, Query(description="决定种类")],
    decided_on: Annotated[LegalDate, Query(description="决定日期 YYYY-MM-DD, 1949-10-01 – 2199-12-31")],
) -> DueDate:
    """公示截止日期: the date by which a decision of this kind must be public, by the kind's period in force on the
    decision date (decision-kinds table: e.g. a production restriction is a penalty from 2021-07-15, 7 working
    days; 20 before)."""
    rule = kind_rule(settings_of(request), kind, decided_on)
    due = publication_due_date(
        request.app.state.calendar, decided_on=decided_on, working_days=rule.publication_working_days
    )
    return DueDate(due_on=due.due_on, working_days=due.working_days, provisional=due.provisional)


@router.get("/publications", operation_id="list_publications", response_model=PublicationList)
async def list_publications(
    request: Request,
    _caller: Staff,
    decision_id: str | None = None,
    status: str | None = None,
    cursor: Annotated[str | None, Query(max_length=36)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> PublicationList:
    async with runtime_of(request).uow() as uow:
        rows = await queries.list_publications(
            uow, decision_id=decision_id, status=status, after=cursor, limit=limit + 1
        )
    items = [staff_view(r) for r in rows[:limit]]
    return PublicationList(items=items, next_cursor=items[-1].id if len(rows) > limit else None)


@router.get("/publications/{publication_id}", operation_id="get_publication", response_model=PublicationStaff)
async def get_publication(
    publication_id: str, request: Request, response: Response, _caller: Staff
) -> PublicationStaff:
    async with runtime_of(request).uow() as uow:
        publication = await handlers.get_publication(uow, publication_id)
    return staff_view(publication, response)


@router.get(
    "/publications/{publication_id}/redactions",
    operation_id="publication_redactions",
    response_model=RedactionMarks,
    summary="去标识化说明 Why each item was redacted",
)
async def redactions(publication_id: str, request: Request, _caller: Editor) -> RedactionMarks:
    """The automatic proposal with each marker: where it stands, the reason, the confidence and the text it
    replaced. The editor adds a redaction or puts an item back by editing the text (PATCH, audited; putting back
    needs ``unredact_reason``)."""
    async with runtime_of(request).uow() as uow:
        publication = await handlers.get_publication(uow, publication_id)
    return review.redaction_marks(publication, settings_of(request))


@router.post(
    "/publications/{publication_id}/redactions",
    operation_id="add_redaction",
    response_model=PublicationStaff,
    summary="添加隐去 Withhold a span the detectors missed",
)
async def add_redaction(
    publication_id: str, body: RedactionAdd, request: Request, response: Response, caller: Editor
) -> PublicationStaff:
    """Needs If-Match; audited as an edit."""
    return await _edit_with(request, response, caller, publication_id, lambda p: review.with_redaction_added(p, body))


@router.post(
    "/publications/{publication_id}/redactions:undo",
    operation_id="undo_redaction",
    response_model=PublicationStaff,
    summary="撤销隐去 Put back what a marker replaced",
)
async def undo_redaction(
    publication_id: str, body: RedactionUndo, request: Request, response: Response, caller: Editor
) -> PublicationStaff:
    """Needs If-Match and a reason; audited as an edit that put back a redacted item."""
    settings = settings_of(request)
    return await _edit_with(
        request,
        response,
        caller,
        publication_id,
        lambda p: review.with_redaction_undone(p, body, settings),
        unredact_reason=body.unredact_reason,
    )


async def _edit_with(
    request: Request,
    response: Response,
    caller: Principal,
    publication_id: str,
    change: Callable[[Publication], dict[str, str]],
    unredact_reason: str | None = None,
) -> PublicationStaff:
    async with runtime_of(request).uow() as uow:
        publication = await handlers.get_publication(uow, publication_id)
        require_if_match(request, etag_of(publication.id, publication.version))
        await handlers.edit_publication(
            uow,
            publication,
            change(publication),
            unredact_reason=unredact_reason,
            actor=caller.subject,
            settings=settings_of(request),
        )
        await uow.commit()
    return staff_view(publication, response)


@router.post(
    "/publications/{publication_id}/publish",
    operation_id="publish_publication",
    response_model=PublicationStaff,
    summary="审核发布 Approve and publish",
)
async def publish(
    publication_id: str,
    request: Request,
    response: Response,
    caller: Editor,
    body: PublishRequest | None = None,
) -> PublicationStaff:
    """The editor approves the redacted text; needs If-Match with the ETag read. An earlier ``published_on``
    (补录) must lie between the decision date and today."""
    today = handlers.local_today(settings_of(request).timezone)
    published_on = body.published_on if body is not None and body.published_on is not None else today
    if published_on > today:
        raise Problem(422, "发布日期不能晚于今天 published_on is in the future", slug="validation")
    async with runtime_of(request).uow() as uow:
        publication = await handlers.get_publication(uow, publication_id)
        require_if_match(request, etag_of(publication.id, publication.version))
        if published_on < publication.decided_on:
            raise Problem(422, "发布日期早于决定日期 published_on is before the decision date", slug="validation")
        await handlers.publish(
            uow,
            publication,
            actor=caller.subject,
            today=published_on,
            settings=settings_of(request),
            correlation_id=correlation_id(request),
        )
        await uow.commit()
    return staff_view(publication, response)


@router.patch(
    "/publications/{publication_id}",
    operation_id="edit_publication",
    response_model=PublicationStaff,
    summary="编辑公示内容 Edit the redacted text",
)
async def edit(
    publication_id: str, body: PublicationEdit, request: Request, response: Response, caller: Editor
) -> PublicationStaff:
    changes = body.model_dump(exclude_none=True, exclude={"unredact_reason"})
    async with runtime_of(request).uow() as uow:
        publication = await handlers.get_publication(uow, publication_id)
        require_if_match(request, etag_of(publication.id, publication.version))
        await handlers.edit_publication(
            uow,
            publication,
            changes,
            unredact_reason=body.unredact_reason,
            actor=caller.subject,
            settings=settings_of(request),
        )
        await uow.commit()
    return staff_view(publication, response)


@router.get("/deadlines/at-risk", operation_id="publications_at_risk", response_model=DeadlineList)
async def at_risk(request: Request, _caller: Staff) -> DeadlineList:
    """即将到期: unpublished and due within the configured working days (2 by default)."""
    settings = settings_of(request)
    today = handlers.local_today(settings.timezone)
    async with runtime_of(request).uow() as uow:
        rows = await queries.at_risk(uow, request.app.state.calendar, today=today, within=settings.at_risk_working_days)
    return DeadlineList(today=today, items=[staff_view(r) for r in rows])


@router.get("/deadlines/overdue", operation_id="publications_overdue", response_model=DeadlineList)
async def overdue(request: Request, _caller: Staff) -> DeadlineList:
    """已逾期: unpublished past the due date."""
    today = handlers.local_today(settings_of(request).timezone)
    async with runtime_of(request).uow() as uow:
        rows = await queries.overdue(uow, today=today)
    return DeadlineList(today=today, items=[staff_view(r) for r in rows])


@router.get("/statistics/on-time", operation_id="on_time_rate", response_model=OnTimeStatistics)
async def on_time(request: Request, _caller: Staff, year: Annotated[int, Query(ge=2000, le=2100)]) -> OnTimeStatistics:
    """公示及时率 for the year and each month, by due date."""
    today = handlers.local_today(settings_of(request).timezone)
    async with runtime_of(request).uow() as uow:
        total, months = await queries.on_time_rates(uow, year=year, today=today)
    return OnTimeStatistics(year=rate_view(total), months=[rate_view(m) for m in months])


def rate_view(rate: OnTimeRate) -> OnTimeRatePublic:
    return OnTimeRatePublic(**asdict(rate), rate=rate.rate)
