"""Use cases of random inspection draws (双随机抽查): create with frozen inputs and a commitment, execute by
revealing the seed, and turn the result into planned inspections due by the end of the period."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from sqlmodel import col, select

from services.cases.domain.draw_rates import RateRow
from services.cases.domain.draws import DrawInputs, PeriodKind, commitment, draw, draw_key, period_range, understaffed
from services.cases.handlers.draw_events import emit_committed, emit_executed
from services.cases.handlers.inspection_rates import rate_in_force
from services.cases.handlers.inspector_pool import credentialed_officers, exclusions_between, is_general
from services.cases.handlers.rows import load, new_id, page
from services.cases.schemas import DrawExecution, InspectionDrawCreate
from services.cases.settings import CasesSettings
from services.cases.tables import InspectionDraw, InspectionRate, Officer, PlannedInspection, SupervisedEntity
from shared.audit import append_audit
from shared.errors import Conflict, Invalid
from shared.messaging import UnitOfWork
from shared.messaging.tables import utcnow

LIVE = ("committed", "executed")
PERIOD_NAMES = {"month": "月", "quarter": "季度", "year": "年"}


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


async def _overlapping(uow: UnitOfWork, start: date, end: date) -> list[InspectionDraw]:
    statement = select(InspectionDraw).where(
        col(InspectionDraw.status).in_(LIVE), col(InspectionDraw.starts_on) <= end, col(InspectionDraw.ends_on) >= start
    )
    return list((await uow.session.exec(statement)).all())


async def _check_redraw(body: InspectionDrawCreate, overlapping: list[InspectionDraw]) -> None:
    """One live draw per category and period; another is a redraw that names it, with its reason."""
    same = [d for d in overlapping if d.category == body.category.value]
    if body.redraw_of is None and same:
        raise Conflict(
            "本周期该类别已抽取；重新抽取须注明原抽取及理由 A draw exists for this category and period; a redraw "
            "names it (redraw_of) and gives the reason",
            slug="draw-exists",
            existing_draw_id=same[0].id,
        )
    if body.redraw_of is not None and body.redraw_of not in {d.id for d in same}:
        raise Invalid(
            "redraw_of 须为本周期该类别的有效抽取 redraw_of must name this category and period's live draw",
            slug="invalid-redraw",
        )


async def _inputs(
    uow: UnitOfWork, body: InspectionDrawCreate, start: date, end: date, *, skip_months: int, overlapping: list[Any]
) -> DrawInputs:
    statement = select(SupervisedEntity).where(
        SupervisedEntity.category == body.category.value,
        SupervisedEntity.active == True,  # noqa: E712 - SQL comparison
    )
    entities = list((await uow.session.exec(statement.order_by(col(SupervisedEntity.id)))).all())
    excluded: dict[str, str] = {}
    if skip_months:
        since = _months_before(start, skip_months)
        excluded |= {
            e.id: "inspected_recently" for e in entities if e.last_inspected_on and e.last_inspected_on >= since
        }
    others = [d.id for d in overlapping if d.id != body.redraw_of and d.status == "executed"]
    if others:
        planned = select(PlannedInspection.entity_id).where(
            col(PlannedInspection.draw_id).in_(others), PlannedInspection.status != "cancelled"
        )
        excluded |= dict.fromkeys((await uow.session.exec(planned)).all(), "drawn_this_period")
    exclusions = await exclusions_between(uow, start, end)
    away = {e.officer_id for e in exclusions if is_general(e)}
    officers = [o.id for o in await credentialed_officers(uow, valid_through=end) if o.id not in away]
    conflicts: dict[str, list[str]] = {}
    for e in exclusions:
        if not is_general(e) and e.entity_id is not None and e.officer_id in officers:
            conflicts.setdefault(e.entity_id, []).append(e.officer_id)
    ids = {e.id for e in entities}
    return DrawInputs(
        entities=[e.id for e in entities],
        excluded={k: v for k, v in sorted(excluded.items()) if k in ids},
        officers=officers,
        conflicts={k: sorted(set(v)) for k, v in sorted(conflicts.items()) if k in ids},
        last_officers={e.id: sorted(e.last_officer_ids) for e in entities if e.last_officer_ids},
        count=body.count or 0,
    )


def inputs_json(inputs: DrawInputs, skip_months: int, rate: dict[str, object] | None = None) -> dict[str, object]:
    """The frozen inputs as stored and published; ``rate``: the 抽查比例 row in force on the period's start."""
    return {
        "entities": list(inputs.entities),
        "excluded": dict(inputs.excluded),
        "officers": list(inputs.officers),
        "conflicts": {k: list(v) for k, v in inputs.conflicts.items()},
        "last_officers": {k: list(v) for k, v in inputs.last_officers.items()},
        "count": inputs.count,
        "skip_inspected_within_months": skip_months,
    } | ({"rate": rate} if rate is not None else {})


def inputs_of(stored: dict[str, Any]) -> DrawInputs:
    return DrawInputs(
        entities=stored["entities"],
        excluded=stored["excluded"],
        officers=stored["officers"],
        conflicts=stored["conflicts"],
        last_officers=stored["last_officers"],
        count=int(stored["count"]),
    )


def _basis(rates: RateRow, rate: dict[str, str | int]) -> str:
    amount = f"比例 {rate['proportion']}" if "proportion" in rate else f"数量 {rate['count']}"
    number = f"（{rates.document_number}）" if rates.document_number else ""
    return f"{amount}/{PERIOD_NAMES[str(rate['per'])]}，{rates.effective_from} 起施行：{rates.basis}{number}"


def _rate_used(row: InspectionRate, body: InspectionDrawCreate) -> dict[str, object]:
    """The published record of the row in force: its id, date, basis and this category's rate (if any)."""
    return {
        "rate_id": row.id,
        "effective_from": row.effective_from.isoformat(),
        "category_rate": row.rates.get(body.category.value),
        "skip_inspected_within_months": row.skip_inspected_within_months,
        "basis": row.basis,
        "document_number": row.document_number,
    }


async def create_draw(
    uow: UnitOfWork, body: InspectionDrawCreate, *, settings: CasesSettings, actor: str, correlation_id: str
) -> InspectionDraw:
    """Freeze the inputs, make the secret seed and publish its SHA-256; the result is not known to anyone yet."""
    start, end = period_range(body.period, body.year, body.period_number)
    overlapping = await _overlapping(uow, start, end)
    await _check_redraw(body, overlapping)
    rate_row, rates = await rate_in_force(uow, settings, start, correlation_id=correlation_id)
    skip = (
        rates.skip_inspected_within_months
        if body.skip_inspected_within_months is None
        else body.skip_inspected_within_months
    )
    inputs = await _inputs(uow, body, start, end, skip_months=skip, overlapping=overlapping)
    if body.count is None:
        rate = rates.rates.get(body.category)
        if rate is None:
            raise Invalid(
                f"未规定{body.category.value}的抽查比例 No rate for this category: give count", slug="no-rate-in-force"
            )
        count, basis = rate.count(len(inputs.entities), PeriodKind(body.period)), _basis(rates, rate.as_json())
    else:
        count, basis = body.count, "抽查数量由负责人确定 count set by the head"
    inputs = DrawInputs(**{**inputs.__dict__, "count": min(count, len(inputs.eligible()))})
    short = understaffed(inputs)
    if short:
        raise Invalid(
            "可派执法人员不足两人 Fewer than two officers may inspect these entities (conflicts, leave)",
            slug="pool-too-small",
            entities=short,
        )
    seed = secrets.token_bytes(32)
    row = InspectionDraw(
        id=new_id(),
        category=body.category.value,
        period_kind=body.period.value,
        year=body.year,
        period_number=body.period_number,
        starts_on=start,
        ends_on=end,
        count=inputs.count,
        basis=basis,
        commitment=commitment(seed),
        seed=seed.hex(),
        inputs=inputs_json(inputs, skip, _rate_used(rate_row, body)),
        redraw_of=body.redraw_of,
        rate_id=rate_row.id,
        reason=body.reason,
        created_by=actor,
    )
    uow.session.add(row)
    audit = {
        "commitment": row.commitment,
        "inputs": row.inputs,
        "category": row.category,
        "period": [row.period_kind, row.year, row.period_number],
        "redraw_of": row.redraw_of,
        "reason": row.reason,
    }
    await append_audit(
        uow.session, actor=actor, entity_type="inspection_draw", entity_id=row.id, action="committed", data=audit
    )
    emit_committed(uow, row, eligible=len(inputs.eligible()), correlation_id=correlation_id, actor=actor)
    return row


async def _supersede(uow: UnitOfWork, draw_id: str, *, actor: str, by: str) -> None:
    old = await load(uow.session, InspectionDraw, draw_id, "抽查")
    old.status, old.version = "superseded", old.version + 1
    uow.session.add(old)
    plans = await uow.session.exec(
        select(PlannedInspection).where(PlannedInspection.draw_id == draw_id, PlannedInspection.status == "planned")
    )
    for plan in plans.all():
        plan.status = "cancelled"
        uow.session.add(plan)
    await append_audit(
        uow.session, actor=actor, entity_type="inspection_draw", entity_id=old.id, action="superseded", data={"by": by}
    )


async def execute_draw(
    uow: UnitOfWork, row: InspectionDraw, body: DrawExecution, *, actor: str, correlation_id: str
) -> InspectionDraw:
    """Reveal the seed, compute the result, plan the inspections; a redraw supersedes the draw it replaces."""
    if row.status != "committed":
        raise Conflict(
            f"抽查已{row.status} The draw is {row.status}", slug="draw-not-committed", draw_status=row.status
        )
    assignments = draw(draw_key(bytes.fromhex(row.seed), body.public_entropy), inputs_of(row.inputs))
    if row.redraw_of:
        await _supersede(uow, row.redraw_of, actor=actor, by=row.id)
    entity_ids = [a.entity_id for a in assignments]
    entities = {
        e.id: e
        for e in (
            await uow.session.exec(select(SupervisedEntity).where(col(SupervisedEntity.id).in_(entity_ids)))
        ).all()
    }
    officer_ids = sorted({o for a in assignments for o in a.officer_ids})
    officers = {
        o.id: o for o in (await uow.session.exec(select(Officer).where(col(Officer.id).in_(officer_ids)))).all()
    }
    result: list[dict[str, object]] = []
    for assignment in assignments:
        entity = entities[assignment.entity_id]
        plan = PlannedInspection(
            id=new_id(),
            draw_id=row.id,
            entity_id=entity.id,
            party_id=entity.party_id,
            officer_ids=list(assignment.officer_ids),
            due_on=row.ends_on,
        )
        uow.session.add(plan)
        result.append(
            {
                "entity_id": entity.id,
                "party_id": entity.party_id,
                "name": entity.name,
                "officer_ids": list(assignment.officer_ids),
                "credential_numbers": [officers[o].credential_number for o in assignment.officer_ids],
                "planned_inspection_id": plan.id,
            }
        )
    row.status, row.result, row.public_entropy = "executed", result, body.public_entropy
    row.executed_by, row.executed_at, row.version = actor, utcnow(), row.version + 1
    uow.session.add(row)
    await append_audit(
        uow.session,
        actor=actor,
        entity_type="inspection_draw",
        entity_id=row.id,
        action="executed",
        data={"seed": row.seed, "public_entropy": row.public_entropy, "result": result},
    )
    await emit_executed(uow, row, correlation_id=correlation_id, actor=actor)
    return row


async def get_draw(uow: UnitOfWork, draw_id: str) -> InspectionDraw:
    return await load(uow.session, InspectionDraw, draw_id, "抽查")


async def list_draws(
    uow: UnitOfWork, *, year: int | None, category: str | None, cursor: str | None, limit: int
) -> tuple[list[InspectionDraw], str | None]:
    statement = select(InspectionDraw)
    if year is not None:
        statement = statement.where(InspectionDraw.year == year)
    if category:
        statement = statement.where(InspectionDraw.category == category)
    return await page(uow.session, statement, InspectionDraw, cursor=cursor, limit=limit)


async def list_planned(
    uow: UnitOfWork, *, draw_id: str | None, status: str | None, cursor: str | None, limit: int
) -> tuple[list[PlannedInspection], str | None]:
    statement = select(PlannedInspection)
    if draw_id:
        statement = statement.where(PlannedInspection.draw_id == draw_id)
    if status:
        statement = statement.where(PlannedInspection.status == status)
    return await page(uow.session, statement, PlannedInspection, cursor=cursor, limit=limit)


async def carry_out(
    uow: UnitOfWork, plan_id: str, *, party_id: str | None, officer_ids: list[str]
) -> PlannedInspection:
    """The planned inspection an inspection carries out: still planned, same party, its two drawn officers present."""
    plan = await load(uow.session, PlannedInspection, plan_id, "抽查计划")
    if plan.status != "planned":
        raise Conflict(f"抽查计划已{plan.status} The planned inspection is {plan.status}", slug="plan-not-open")
    if party_id is not None and party_id != plan.party_id:
        raise Invalid("检查对象与抽查结果不符 The party is not the drawn entity", slug="not-the-drawn-entity")
    missing = [o for o in plan.officer_ids if o not in officer_ids]
    if missing:
        raise Invalid(
            "须由抽取的执法人员检查 The drawn officers must carry out the inspection",
            slug="not-the-drawn-officers",
            missing_officers=missing,
        )
    return plan
