"""Use cases of inspections (现场检查): recorded by two credentialed officers, opening a lead when asked, carrying
out a planned random inspection when named, and keeping the registry's last inspection current."""

from __future__ import annotations

from services.cases.domain.deadlines import Calendar
from services.cases.domain.local_time import local_date
from services.cases.domain.registry import InspectionResult
from services.cases.handlers.draw_events import emit_carried_out
from services.cases.handlers.draws import carry_out
from services.cases.handlers.leads import new_lead
from services.cases.handlers.officers import require_credentialed
from services.cases.handlers.rows import flush_unique, load, new_id
from services.cases.handlers.supervised_entities import note_inspection
from services.cases.schemas import InspectionCreate, LeadSource
from services.cases.settings import CasesSettings
from services.cases.tables import Inspection, Party
from shared.audit import append_audit
from shared.messaging import UnitOfWork


async def record_inspection(
    uow: UnitOfWork,
    body: InspectionCreate,
    *,
    settings: CasesSettings,
    calendar: Calendar,
    actor: str,
    correlation_id: str = "",
) -> Inspection:
    on = local_date(body.inspected_at)
    await require_credentialed(uow, body.officer_ids, on=on, settings=settings)
    plan = None
    if body.planned_inspection_id:
        plan = await carry_out(uow, body.planned_inspection_id, party_id=body.party_id, officer_ids=body.officer_ids)
    party_id = plan.party_id if plan else body.party_id
    party = await load(uow.session, Party, party_id, "当事人") if party_id else None
    fields = body.model_dump(exclude={"open_lead", "officer_ids", "result", "party_id"})
    inspection = Inspection(id=new_id(), inspected_on=on, recorded_by=actor, party_id=party_id, **fields)
    inspection.officer_ids = sorted(set(body.officer_ids))
    found = InspectionResult.VIOLATION_FOUND if body.open_lead else InspectionResult.COMPLIANT
    inspection.result = (body.result or found).value
    if body.open_lead:
        lead = await new_lead(
            uow,
            source=LeadSource.INSPECTION,
            received_on=on,
            summary=body.findings,
            party_id=party_id,
            town=party.town if party else None,
            calendar=calendar,
            settings=settings,
            actor=actor,
            inspection_id=inspection.id,
        )
        inspection.lead_id = lead.id
    uow.session.add(inspection)
    if plan is not None:
        plan.status, plan.inspection_id = "done", inspection.id
        uow.session.add(plan)
        # Two recordings of one planned inspection at once: the unique column refuses the second as a 409.
        await flush_unique(uow, "抽查计划已执行 The planned inspection is already done", slug="plan-not-open")
        await emit_carried_out(uow, plan, inspection, correlation_id=correlation_id, actor=actor)
    await note_inspection(uow, inspection)
    await append_audit(
        uow.session,
        actor=actor,
        entity_type="inspection",
        entity_id=inspection.id,
        action="recorded",
        data={
            "officers": inspection.officer_ids,
            "place": body.place,
            "lead_id": inspection.lead_id,
            "result": inspection.result,
            "planned_inspection_id": inspection.planned_inspection_id,
        },
    )
    return inspection


async def get_inspection(uow: UnitOfWork, inspection_id: str) -> Inspection:
    return await load(uow.session, Inspection, inspection_id, "现场检查")
