"""Use cases of referrals to the police (涉嫌犯罪移送): the head's request and the police's answers to it."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from services.cases.domain.deadlines import Calendar
from services.cases.domain.history import CaseAction
from services.cases.domain.stages import Stage
from services.cases.domain.thresholds import ThresholdTable, load_thresholds, threshold_hints
from services.cases.handlers.cases import audit_case, end_stops, refresh_decision_due, start_stop, touch
from services.cases.handlers.rows import new_id
from services.cases.schemas import ReferralCreate
from services.cases.settings import CasesSettings
from services.cases.tables import Case, Party, ReferralRequest
from shared.contracts import CloudEvent
from shared.contracts.common import PartySnapshot, PartyType
from shared.contracts.events import ReferralRequestedV1
from shared.errors import Conflict, NotFound
from shared.messaging import UnitOfWork


async def party_snapshot(uow: UnitOfWork, case: Case) -> PartySnapshot:
    party = await uow.session.get(Party, case.party_id)
    return PartySnapshot(
        party_id=case.party_id,
        party_type=PartyType(case.party_type),
        name=case.party_name,
        credit_code=party.credit_code if party else None,
        id_number=party.id_number if party else None,
        legal_representative=party.legal_representative if party else None,
        address=party.address if party else None,
        town=case.town,
    )


@lru_cache(maxsize=8)
def _table(path: Path) -> ThresholdTable:
    return load_thresholds(path)


async def request_referral(
    uow: UnitOfWork, case: Case, body: ReferralCreate, *, settings: CasesSettings, actor: str, correlation_id: str
) -> ReferralRequest:
    """涉嫌犯罪移送: the head's approval; serious-pollution thresholds met are shown as hints."""
    if case.stage in {Stage.CLOSED.value, Stage.TRANSFERRED.value}:
        raise Conflict("案件已结案或已移送 The case is closed or transferred", slug="illegal-transition")
    facts = body.facts.model_dump(exclude_none=True)
    hints = threshold_hints(_table(settings.thresholds_file), facts)
    referral = ReferralRequest(
        id=new_id(),
        case_id=case.id,
        offence=body.offence,
        medium=body.medium.value,
        police_unit=body.police_unit,
        package_items=body.package_items,
        facts=facts,
        threshold_hints=hints,
        requested_on=body.approved_on,
        requested_by=actor,
    )
    uow.session.add(referral)
    case.referral_requested = True
    touch(case)
    uow.session.add(case)
    await audit_case(
        uow, case, actor=actor, action=CaseAction.REFERRAL_REQUESTED, data={"referral": referral.id, "hints": hints}
    )
    snapshot = await party_snapshot(uow, case)
    payload = ReferralRequestedV1(
        request_id=referral.id,
        case_id=case.id,
        case_number=case.case_number,
        party=snapshot,
        offence=body.offence,
        medium=body.medium,
        summary=body.summary,
        police_unit=body.police_unit,
        team=case.team,
        package_items=body.package_items,
        threshold_hints=hints,
        approved_on=body.approved_on,
    )
    uow.emit(CloudEvent.wrap(payload, subject=case.id, correlation_id=correlation_id, actor=actor))
    return referral


async def referral_outcome(
    uow: UnitOfWork,
    case_id: str,
    referral_id: str,
    *,
    outcome: str,
    on: date,
    note: str,
    actor: str,
    settings: CasesSettings,
    calendar: Calendar,
) -> None:
    """Police receipt stops the decision clock; a decline or return resumes it; an acceptance is noted."""
    case = await uow.session.get(Case, case_id)
    if case is None:
        return  # a referral not started from a case of ours: nothing to note
    if outcome == "received":
        await start_stop(uow, case, reason="referral", on=on, ref=referral_id)
    elif outcome in {"declined", "returned"}:
        await end_stops(uow, case, reason="referral", on=on, ref=referral_id)
    if outcome != "received":
        case.police_decision = note
    await refresh_decision_due(uow, case, settings=settings, calendar=calendar)
    touch(case)
    uow.session.add(case)
    await audit_case(
        uow,
        case,
        actor=actor,
        action=CaseAction(f"referral_{outcome}"),
        data={"referral_id": referral_id, "note": note},
    )


async def get_referral(uow: UnitOfWork, case: Case, referral_id: str) -> ReferralRequest:
    """A referral request of ``case`` (whose ownership the caller has already passed)."""
    found = await uow.session.get(ReferralRequest, referral_id)
    if found is None or found.case_id != case.id:
        raise NotFound(f"移送申请不存在 Referral request {referral_id} not found")
    return found
