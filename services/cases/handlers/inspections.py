"""Use cases of inspections (现场检查): recorded by two credentialed officers, opening a lead when asked."""

from __future__ import annotations

from services.cases.domain.deadlines import Calendar
from services.cases.domain.local_time import local_date
from services.cases.handlers.leads import new_lead
from services.cases.handlers.officers import require_credentialed
from services.cases.handlers.rows import load, new_id
from services.cases.schemas import InspectionCreate, LeadSource
from services.cases.settings import CasesSettings
from services.cases.tables import Inspection, Party
from shared.audit import append_audit
from shared.messaging import UnitOfWork


async def record_inspection(
    uow: UnitOfWork, body: InspectionCreate, *, settings: CasesSettings, calendar: Calendar, actor: str
) -> Inspection:
    on = local_date(body.inspected_at)
    await require_credentialed(uow, body.officer_ids, on=on, settings=settings)
    party = await load(uow.session, Party, body.party_id, "当事人") if body.party_id else None
    inspection = Inspection(
        id=new_id(), inspected_on=on, recorded_by=actor, **body.model_dump(exclude={"open_lead", "officer_ids"})
    )
    inspection.officer_ids = sorted(set(body.officer_ids))
    if body.open_lead:
        lead = await new_lead(
            uow,
            source=LeadSource.INSPECTION,
            received_on=on,
            summary=body.findings,
            party_id=body.party_id,
            town=party.town if party else None,
            calendar=calendar,
            settings=settings,
            actor=actor,
            inspection_id=inspection.id,
        )
        inspection.lead_id = lead.id
    uow.session.add(inspection)
    await append_audit(
        uow.session,
        actor=actor,
        entity_type="inspection",
        entity_id=inspection.id,
        action="recorded",
        data={"officers": inspection.officer_ids, "place": body.place, "lead_id": inspection.lead_id},
    )
    return inspection


async def get_inspection(uow: UnitOfWork, inspection_id: str) -> Inspection:
    return await load(uow.session, Inspection, inspection_id, "现场检查")
