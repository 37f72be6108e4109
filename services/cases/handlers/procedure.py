"""Two rules of the general procedure checked where the step is recorded: the time bar at filing (追诉时效,
行政处罚法 §36) and the hearing notice (听证通知, §64(二)), both from ``domain.deadlines``."""

from __future__ import annotations

from services.cases.domain import deadlines
from services.cases.schemas import Transition, ViolationPeriod
from services.cases.settings import CasesSettings
from services.cases.tables import Case, Lead
from shared.errors import Conflict, Invalid


def check_time_bar(lead: Lead, violation: ViolationPeriod | None, *, settings: CasesSettings) -> None:
    """立案 refused once the violation was discovered (the lead's date) after its time bar ran out. Without the
    violation's dates nothing can be judged: the filing goes ahead and the dates stay the officer's to add."""
    if violation is None:
        return
    discovered_on = lead.received_on
    if violation.committed_on > discovered_on:
        raise Invalid("违法行为发生日期晚于线索日期 committed_on is after the lead was received", slug="validation")
    ends_on = deadlines.time_bar_ends_on(
        violation.committed_on, violation.ended_on, serious_harm=violation.serious_harm, limits=settings.limits
    )
    if discovered_on <= ends_on:
        return
    limits = settings.limits
    years = limits.time_bar_harm_years if violation.serious_harm else limits.time_bar_years
    raise Invalid(
        f"违法行为{years}年内未被发现，已过追诉时效，不再给予行政处罚 Time-barred: the violation "
        f"{'ended' if violation.ended_on else 'was committed'} on {violation.ended_on or violation.committed_on} "
        f"and was not discovered within {years} years (by {ends_on}); the lead is of {discovered_on}",
        slug="time-barred",
        rule=settings.citations.get("time_bar", ""),
        time_bar_ends_on=ends_on.isoformat(),
        discovered_on=discovered_on.isoformat(),
    )


def record_hearing_notice(case: Case, body: Transition, *, settings: CasesSettings, cal: deadlines.Calendar) -> None:
    """听证: the notice date and the hearing date as notified; a hearing set or held sooner than 7 working days after
    the notice is refused, and a hearing cannot be held without a recorded notice."""
    if body.hearing_notified_on is not None:
        case.hearing_notified_on = body.hearing_notified_on
    if body.hearing_on is not None:
        case.hearing_on = body.hearing_on
    dates = [d for d in (body.hearing_on, body.hearing_held_on) if d is not None]
    if not dates:
        return
    if case.hearing_notified_on is None:
        raise Conflict(
            "须先记录听证通知送达日期 Record when the party was notified of the hearing",
            slug="illegal-transition",
            missing_step="hearing_notice",
            rule=settings.citations.get("hearing_notice", ""),
        )
    earliest = deadlines.earliest_hearing(cal, case.hearing_notified_on, limits=settings.limits).due_on
    if min(dates) < earliest:
        raise Conflict(
            f"听证须在通知后七个工作日以后举行（最早{earliest}） The hearing must be at least "
            f"{settings.limits.hearing_notice_working_days} working days after the notice: {earliest} at the earliest",
            slug="illegal-transition",
            missing_step="hearing_notice",
            rule=settings.citations.get("hearing_notice", ""),
            earliest_hearing_on=earliest.isoformat(),
        )
