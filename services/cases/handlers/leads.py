"""Use cases of leads (线索): received, extended, declined, filed; leads from monitoring exceedances too."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import select

from services.cases.domain.deadlines import Calendar, lead_filing_due
from services.cases.domain.local_time import local_period
from services.cases.handlers.rows import load, new_id, page
from services.cases.schemas import LeadCreate, LeadDecline, LeadSource
from services.cases.settings import CasesSettings
from services.cases.tables import Lead, Party
from shared.audit import append_audit
from shared.contracts.events import ExceedanceDetectedV1
from shared.errors import Conflict
from shared.messaging import UnitOfWork


async def new_lead(
    uow: UnitOfWork,
    *,
    source: LeadSource,
    received_on: date,
    summary: str,
    calendar: Calendar,
    settings: CasesSettings,
    actor: str,
    **extra: Any,
) -> Lead:
    due = lead_filing_due(calendar, received_on, extended=False, limits=settings.limits)
    lead = Lead(id=new_id(), source=source.value, received_on=received_on, summary=summary, due_on=due.due_on, **extra)
    uow.session.add(lead)
    await append_audit(
        uow.session,
        actor=actor,
        entity_type="lead",
        entity_id=lead.id,
        action="received",
        data={"source": source.value, "due_on": lead.due_on},
    )
    return lead


async def create_lead(
    uow: UnitOfWork, body: LeadCreate, *, settings: CasesSettings, calendar: Calendar, actor: str
) -> Lead:
    if body.party_id:
        await load(uow.session, Party, body.party_id, "当事人")
    return await new_lead(
        uow,
        source=body.source,
        received_on=body.received_on,
        summary=body.summary,
        party_id=body.party_id,
        town=body.town,
        calendar=calendar,
        settings=settings,
        actor=actor,
    )


async def lead_from_exceedance(
    uow: UnitOfWork,
    payload: ExceedanceDetectedV1,
    *,
    received_on: date,
    settings: CasesSettings,
    calendar: Calendar,
    actor: str,
) -> None:
    """监测超标 → 线索; one lead per exceedance even if the event arrives again under a new id. ``received_on`` is the
    day the lead reached the bureau (the 15-day filing clock runs from it), not a day of the measured period."""
    existing = await uow.session.exec(select(Lead).where(Lead.exceedance_id == payload.exceedance_id))
    if existing.first() is not None:
        return
    summary = (
        f"{payload.station_name}（{payload.station_code}）{payload.parameter} 监测值 {payload.value}{payload.unit}，"
        f"超过限值 {payload.limit}{payload.unit}（{local_period(payload.period_start, payload.period_end)}）"
    )
    await new_lead(
        uow,
        source=LeadSource.MONITORING,
        received_on=received_on,
        summary=summary,
        town=payload.town,
        exceedance_id=payload.exceedance_id,
        details=payload.model_dump(mode="json"),
        calendar=calendar,
        settings=settings,
        actor=actor,
    )


async def open_lead(uow: UnitOfWork, lead_id: str) -> Lead:
    return _still_open(await load(uow.session, Lead, lead_id, "线索"))


def _still_open(lead: Lead) -> Lead:
    if lead.status != "open":
        raise Conflict(f"线索已处理 The lead is already {lead.status}", slug="lead-decided", missing_step="none")
    return lead


async def extend_lead(uow: UnitOfWork, lead: Lead, *, settings: CasesSettings, calendar: Calendar, actor: str) -> Lead:
    """+15 days with the head's approval, once."""
    _still_open(lead)
    if lead.extended:
        raise Conflict("线索核查期限只能延长一次 The lead was already extended", slug="lead-extended")
    lead.extended = True
    lead.due_on = lead_filing_due(calendar, lead.received_on, extended=True, limits=settings.limits).due_on
    lead.version += 1
    uow.session.add(lead)
    await append_audit(
        uow.session, actor=actor, entity_type="lead", entity_id=lead.id, action="extended", data={"due_on": lead.due_on}
    )
    return lead


async def decline_lead(uow: UnitOfWork, lead: Lead, body: LeadDecline, *, actor: str) -> Lead:
    """不予立案: the head's decision, with the reason."""
    _still_open(lead)
    lead.status, lead.decline_reason = "declined", body.reason
    lead.decided_by, lead.decided_on = actor, body.decided_on
    lead.version += 1
    uow.session.add(lead)
    await append_audit(
        uow.session, actor=actor, entity_type="lead", entity_id=lead.id, action="declined", data={"reason": body.reason}
    )
    return lead


async def list_leads(
    uow: UnitOfWork, *, status: str | None, source: str | None, cursor: str | None, limit: int
) -> tuple[list[Lead], str | None]:
    statement = select(Lead)
    if status:
        statement = statement.where(Lead.status == status)
    if source:
        statement = statement.where(Lead.source == source)
    return await page(uow.session, statement, Lead, cursor=cursor, limit=limit)


async def get_lead(uow: UnitOfWork, lead_id: str) -> Lead:
    return await load(uow.session, Lead, lead_id, "线索")
