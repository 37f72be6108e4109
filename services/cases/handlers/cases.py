"""Use cases of a case file: filing (立案), access, the decision clock, extensions and clock stops."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import col, select

from services.cases.access import CASE
from services.cases.domain import deadlines
from services.cases.domain.history import CaseAction, stored_action
from services.cases.domain.local_time import today
from services.cases.domain.numbering import format_document_number
from services.cases.domain.stages import OPEN_BEFORE_DECISION, Stage
from services.cases.handlers.leads import open_lead
from services.cases.handlers.officers import require_credentialed
from services.cases.handlers.procedure import check_time_bar
from services.cases.handlers.rows import load, new_id, page
from services.cases.handlers.sequences import next_document_seq
from services.cases.schemas import CaseCreate, ClockStopEnd, ClockStopStart, Extension
from services.cases.settings import CasesSettings
from services.cases.tables import Case, ClockStop, Officer, Party, ReviewMeeting, Team
from shared.audit import append_audit
from shared.auth import Principal
from shared.contracts import CloudEvent
from shared.contracts.events import CaseFiledV1
from shared.errors import Conflict, Invalid
from shared.http import etag_of
from shared.messaging import UnitOfWork


def case_etag(case: Case) -> str:
    return etag_of(case.id, case.version)


async def get_case(uow: UnitOfWork, case_id: str, caller: Principal) -> Case:
    """The case if ``caller`` reaches it (``access.CASE``: an officer its own team's); else 404, as if absent."""
    return CASE.check(caller, await uow.session.get(Case, case_id), case_id)


async def audit_case(
    uow: UnitOfWork,
    case: Case,
    *,
    actor: str,
    action: CaseAction,
    data: dict[str, object],
    from_stage: Stage | None = None,
    to_stage: Stage | None = None,
) -> None:
    """Append to the case's history (案件记录); only the actions of ``CaseAction`` are ever written."""
    stored = stored_action(action, from_stage=from_stage, to_stage=to_stage)
    await append_audit(uow.session, actor=actor, entity_type="case", entity_id=case.id, action=stored, data=data)


async def file_case(
    uow: UnitOfWork,
    body: CaseCreate,
    *,
    settings: CasesSettings,
    calendar: deadlines.Calendar,
    actor: str,
    correlation_id: str,
) -> Case:
    """立案: the head's decision on an open lead; ≥ 2 credentialed investigators; a gapless case number."""
    lead = await open_lead(uow, body.lead_id)
    check_time_bar(lead, body.violation, settings=settings)
    party = await load(uow.session, Party, body.party_id, "当事人")
    await require_credentialed(uow, body.investigator_ids, on=body.filed_on, settings=settings)
    seq = await next_document_seq(uow, kind="case", year=body.filed_on.year)
    case = Case(
        id=new_id(),
        case_number=format_document_number(settings.case_number_prefix, body.filed_on.year, seq),
        lead_id=lead.id,
        party_id=party.id,
        party_name=party.name,
        party_type=party.party_type,
        town=party.town or lead.town,
        team=body.team or await _team_of(uow, body.investigator_ids),
        medium=body.medium.value if body.medium else None,
        summary=body.summary,
        stage=Stage.FILED.value,
        investigators=sorted(set(body.investigator_ids)),
        flags=body.flags.model_dump(),
        violation=body.violation.model_dump(mode="json") if body.violation else None,
        proposed={},
        publicity=[],
        filed_on=body.filed_on,
        decision_due_on=body.filed_on,
    )
    await refresh_decision_due(uow, case, settings=settings, calendar=calendar)
    touch(case)
    case.version = 1
    lead.status, lead.case_id, lead.decided_by, lead.decided_on = "filed", case.id, actor, body.filed_on
    lead.version += 1
    uow.session.add_all([case, lead])
    await audit_case(
        uow, case, actor=actor, action=CaseAction.FILED, data={"case_number": case.case_number, "lead": lead.id}
    )
    payload = CaseFiledV1(
        case_id=case.id,
        case_number=case.case_number,
        filed_on=body.filed_on,
        party_name=party.name,
        medium=body.medium,
        lead_id=lead.id,
    )
    uow.emit(CloudEvent.wrap(payload, subject=case.id, correlation_id=correlation_id, actor=actor))
    return case


async def _team_of(uow: UnitOfWork, officer_ids: list[str]) -> str | None:
    officers = (await uow.session.exec(select(Officer).where(col(Officer.id).in_(officer_ids)))).all()
    team_ids = {o.team_id for o in officers if o.team_id}
    if len(team_ids) != 1:
        return None
    team = await uow.session.get(Team, team_ids.pop())
    return team.name if team else None


async def stops_of(uow: UnitOfWork, case_id: str) -> list[ClockStop]:
    statement = select(ClockStop).where(ClockStop.case_id == case_id).order_by(col(ClockStop.started_on))
    return list((await uow.session.exec(statement)).all())


async def refresh_decision_due(
    uow: UnitOfWork, case: Case, *, settings: CasesSettings, calendar: deadlines.Calendar
) -> deadlines.Due:
    """Recompute the decision limit (90, +30, + the meeting's period) with every stop; an open stop counts to today."""
    stops = [deadlines.ClockStop(s.started_on, s.ended_on, s.reason) for s in await stops_of(uow, case.id)]
    due = deadlines.decision_due(
        calendar,
        case.filed_on,
        stops=stops,
        head_extension=case.head_extension,
        collective_extension_days=case.collective_extension_days or 0,
        today=max(today(), case.filed_on),
        limits=settings.limits,
    )
    case.decision_due_on = due.due_on
    return due


async def start_stop(uow: UnitOfWork, case: Case, *, reason: str, on: date, ref: str | None = None) -> ClockStop:
    stop = ClockStop(id=new_id(), case_id=case.id, reason=reason, started_on=on, ref=ref)
    uow.session.add(stop)
    await uow.session.flush()
    return stop


async def end_stops(uow: UnitOfWork, case: Case, *, reason: str, on: date, ref: str | None = None) -> int:
    ended = 0
    for stop in await stops_of(uow, case.id):
        if stop.ended_on is None and stop.reason == reason and (ref is None or stop.ref == ref):
            stop.ended_on = max(on, stop.started_on)
            uow.session.add(stop)
            ended += 1
    await uow.session.flush()
    return ended


def touch(case: Case) -> None:
    """Every change: a new version (ETag) and the people index kept in step with the assignments."""
    assigned = [*case.investigators, case.reviewer_id, case.legal_reviewer_id]
    case.people = "," + "".join(f"{p}," for p in assigned if p)
    case.version += 1
    case.updated_at = datetime.now(UTC)


async def add_clock_stop(
    uow: UnitOfWork,
    case: Case,
    body: ClockStopStart,
    *,
    settings: CasesSettings,
    calendar: deadlines.Calendar,
    actor: str,
) -> ClockStop:
    """检测、鉴定、公告、送达: time not counted in the decision limit."""
    if Stage(case.stage) not in OPEN_BEFORE_DECISION:
        raise Conflict("案件已作出决定，期限不再计算 The decision clock no longer runs", slug="clock-not-running")
    stop = await start_stop(uow, case, reason=body.reason, on=body.started_on)
    await _after_clock_change(uow, case, settings, calendar, actor, CaseAction.CLOCK_STOPPED, {"reason": body.reason})
    return stop


async def end_clock_stop(
    uow: UnitOfWork,
    case: Case,
    stop_id: str,
    body: ClockStopEnd,
    *,
    settings: CasesSettings,
    calendar: deadlines.Calendar,
    actor: str,
) -> None:
    stop = await load(uow.session, ClockStop, stop_id, "期限中止")
    if stop.case_id != case.id or stop.ended_on is not None:
        raise Conflict("该期限中止已结束或不属于本案 Stop already ended or not of this case", slug="stop-ended")
    if body.ended_on < stop.started_on:
        raise Invalid("结束日期早于开始日期 ended_on is before started_on", slug="validation")
    stop.ended_on = body.ended_on
    uow.session.add(stop)
    await _after_clock_change(uow, case, settings, calendar, actor, CaseAction.CLOCK_RESUMED, {"reason": stop.reason})


async def extend_case(
    uow: UnitOfWork, case: Case, body: Extension, *, settings: CasesSettings, calendar: deadlines.Calendar, actor: str
) -> Case:
    """延期: the head once (+30); a further extension only by collective discussion, with its own period."""
    if Stage(case.stage) not in OPEN_BEFORE_DECISION:
        raise Conflict("案件已作出决定 The case is already decided", slug="clock-not-running")
    if body.by == "head":
        if body.days is not None or body.meeting_id is not None:
            raise Invalid("负责人延期为三十日 The head's extension is 30 days: no days or meeting", slug="validation")
        if case.head_extension:
            raise Conflict("负责人已批准过延期 Already extended by the head", slug="already-extended")
        case.head_extension = True
    else:
        await collective_extension(uow, case, body)
    data: dict[str, object] = {"by": body.by, "days": body.days, "meeting_id": body.meeting_id}
    await _after_clock_change(uow, case, settings, calendar, actor, CaseAction.EXTENDED, data)
    return case


async def collective_extension(uow: UnitOfWork, case: Case, body: Extension) -> None:
    """The further extension after 90 + 30 days: decided by a review meeting that discussed the case, together with
    its period (生态环境行政处罚办法 2023: no fixed length)."""
    if not case.head_extension:
        raise Conflict("须先经负责人批准延期 The head's extension comes first", missing_step="head_extension")
    if case.collective_extension:
        raise Conflict("已经集体讨论延期 Already extended by collective discussion", slug="already-extended")
    if body.meeting_id is None:
        raise Conflict("需有案件审议会记录 A meeting record is required", missing_step="review_meeting")
    if body.days is None:
        raise Invalid("集体讨论须同时决定延长的期限 The meeting sets the period: days is required", slug="validation")
    await meeting_discussed(uow, body.meeting_id, case.id)
    case.collective_extension, case.collective_extension_days = True, body.days


async def meeting_discussed(uow: UnitOfWork, meeting_id: str, case_id: str) -> ReviewMeeting:
    """The review meeting, if it discussed the case; a 409 naming the missing meeting otherwise."""
    meeting = await load(uow.session, ReviewMeeting, meeting_id, "案件审议会")
    if not any(item.get("case_id") == case_id for item in meeting.items):
        raise Conflict(
            "该审议会未讨论本案 The meeting did not discuss this case",
            slug="illegal-transition",
            missing_step="review_meeting",
        )
    return meeting


async def _after_clock_change(
    uow: UnitOfWork,
    case: Case,
    settings: CasesSettings,
    calendar: deadlines.Calendar,
    actor: str,
    action: CaseAction,
    data: dict[str, object],
) -> None:
    await refresh_decision_due(uow, case, settings=settings, calendar=calendar)
    touch(case)
    uow.session.add(case)
    await audit_case(uow, case, actor=actor, action=action, data={**data, "decision_due_on": case.decision_due_on})


async def list_cases(
    uow: UnitOfWork,
    caller: Principal,
    *,
    stage: Stage | None,
    officer: str | None,
    party: str | None,
    town: str | None,
    overdue: bool | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[Case], str | None]:
    statement = CASE.where(select(Case), caller, Case)
    if stage:
        statement = statement.where(Case.stage == stage.value)
    if party:
        statement = statement.where(Case.party_id == party)
    if town:
        statement = statement.where(Case.town == town)
    if overdue is not None:
        open_stages = [s.value for s in OPEN_BEFORE_DECISION]
        late = col(Case.stage).in_(open_stages) & (col(Case.decision_due_on) < today())
        statement = statement.where(late if overdue else ~late)
    if officer:
        statement = statement.where(col(Case.people).contains(f",{officer},", autoescape=True))
    return await page(uow.session, statement, Case, cursor=cursor, limit=limit)
