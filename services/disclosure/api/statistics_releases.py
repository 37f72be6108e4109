"""Staff entry point of the enforcement statistics on the portal (执法统计季报、年报): publish a quarter's or a
year's figures. The releases are read on ``/public/v1/enforcement-statistics`` and the portal."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.disclosure.api.deps import Editor, Settings, Year
from services.disclosure.domain.before_enforcement import Period
from services.disclosure.handlers import statistics_public
from services.disclosure.schemas import StatisticsReleasePublic, StatisticsReleasePublish
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/disclosure", tags=["before-enforcement"])


@router.post(
    "/enforcement-statistics/{year}/{period}",
    operation_id="publish_enforcement_statistics",
    response_model=StatisticsReleasePublic,
    summary="发布执法统计季报、年报",
)
async def publish(
    year: Year,
    period: Period,
    request: Request,
    caller: Editor,
    settings: Settings,
    body: StatisticsReleasePublish | None = None,
) -> StatisticsReleasePublic:
    """Read the period's statistics from cases and publish them, once the period (Q1–Q4 or the year) is over;
    ``published_on`` records a release made on an earlier day (补录). Publishing again stores the figures as cases
    counts them now, as a new version."""
    release = await statistics_public.publish_release(
        runtime_of(request).uow,
        settings,
        year,
        period,
        published_on=body.published_on if body is not None else None,
        actor=caller.subject,
        cases_transport=request.app.state.cases_transport,
    )
    return statistics_public.public_release(release)
