"""Random inspections made public (双随机、一公开): each draw event is published on receipt, with the time it was
published — the commitment before the draw, then the seed, inputs and result, then each inspection's result."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from services.disclosure.domain.draws import (
    CATEGORY_LABELS,
    OUTCOME_LABELS,
    inspection_outcome,
    period_label,
    public_entity_name,
)
from services.disclosure.schemas import (
    DrawnInspectionPublic,
    InspectionDrawPublic,
    InspectionDrawSummary,
    InspectionPlanPublic,
    InspectionPlanRow,
    InspectionRateRow,
)
from services.disclosure.tables import FiledLead, PublicDraw, PublicDrawnInspection, PublicInspectionRate
from shared.contracts.events import (
    CaseFiledV1,
    InspectionDrawCommittedV1,
    InspectionDrawExecutedV1,
    InspectionRatesChangedV1,
    PlannedInspectionCarriedOutV1,
)
from shared.csv_export import csv_text
from shared.errors import NotFound
from shared.messaging import UnitOfWork
from shared.messaging.tables import utcnow


async def draw_committed(uow: UnitOfWork, event: InspectionDrawCommittedV1) -> None:
    """The commitment (the seed's SHA-256) is public before anyone knows the result."""
    if await uow.session.get(PublicDraw, event.draw_id) is not None:
        return
    uow.session.add(
        PublicDraw(
            id=event.draw_id,
            category=event.category,
            period_kind=event.period_kind,
            year=event.year,
            period_number=event.period_number,
            starts_on=event.starts_on,
            ends_on=event.ends_on,
            count=event.count,
            eligible=event.eligible,
            basis=event.basis,
            commitment=event.commitment,
            inputs_sha256=event.inputs_sha256,
            redraw_of=event.redraw_of,
            reason=event.reason,
        )
    )


async def draw_executed(uow: UnitOfWork, event: InspectionDrawExecutedV1) -> None:
    """The seed, the frozen inputs (ids, as the algorithm reads them), the published names and credential numbers,
    and the drawn entities; a redraw supersedes the draw it replaces, whose open inspections are cancelled."""
    draw = await uow.session.get(PublicDraw, event.draw_id)
    if draw is None or draw.executed_published_at is not None:
        return
    names = {e: public_entity_name(n, event.entity_party_types.get(e)) for e, n in event.entity_names.items()}
    # A redraw's event may arrive first (another key, another partition): the draw it replaced stays superseded.
    replaced = draw.superseded_by is not None
    draw.status, draw.executed_published_at = ("superseded" if replaced else "executed"), utcnow()
    draw.seed, draw.public_entropy, draw.inputs = event.seed, event.public_entropy, dict(event.inputs)
    draw.entity_names, draw.officer_credential_numbers = names, dict(event.officer_credential_numbers)
    uow.session.add(draw)
    for rank, drawn in enumerate(event.results, start=1):
        uow.session.add(
            PublicDrawnInspection(
                id=drawn.planned_inspection_id,
                draw_id=event.draw_id,
                rank=rank,
                entity_id=drawn.entity_id,
                name=names.get(drawn.entity_id) or public_entity_name(drawn.name, None),
                officer_credential_numbers=list(drawn.officer_credential_numbers),
                outcome="cancelled" if replaced else "planned",
            )
        )
    if event.superseded_draw_id:
        await _supersede(uow, event.superseded_draw_id, by=event.draw_id)


async def _supersede(uow: UnitOfWork, draw_id: str, *, by: str) -> None:
    replaced = await uow.session.get(PublicDraw, draw_id)
    if replaced is None:
        return
    replaced.status, replaced.superseded_by = "superseded", by
    uow.session.add(replaced)
    planned = await uow.session.exec(
        select(PublicDrawnInspection).where(
            col(PublicDrawnInspection.draw_id) == draw_id, col(PublicDrawnInspection.outcome) == "planned"
        )
    )
    for row in planned.all():
        row.outcome = "cancelled"
        uow.session.add(row)


async def inspection_carried_out(uow: UnitOfWork, event: PlannedInspectionCarriedOutV1) -> None:
    """抽查结果: published when it arrives; a lead already filed as a case shows as filed."""
    row = await uow.session.get(PublicDrawnInspection, event.planned_inspection_id)
    if row is None or row.result_published_at is not None:
        return
    filed = await uow.session.get(FiledLead, event.lead_id) if event.lead_id else None
    row.inspected_on, row.lead_id = event.inspected_on, event.lead_id
    row.inspecting_credential_numbers = list(event.officer_credential_numbers)
    row.case_filed_on = filed.filed_on if filed else None
    row.outcome = inspection_outcome(event.result, lead_opened=event.lead_id is not None, case_filed=bool(filed))
    row.result_published_at = utcnow()
    uow.session.add(row)


async def case_filed(uow: UnitOfWork, event: CaseFiledV1) -> None:
    """立案 on a lead: a drawn inspection that opened it now shows the case filed."""
    if event.lead_id is None or await uow.session.get(FiledLead, event.lead_id) is not None:
        return
    uow.session.add(FiledLead(lead_id=event.lead_id, filed_on=event.filed_on))
    found = await uow.session.exec(
        select(PublicDrawnInspection).where(col(PublicDrawnInspection.lead_id) == event.lead_id)
    )
    for row in found.all():
        row.outcome, row.case_filed_on = "case_filed", event.filed_on
        uow.session.add(row)


async def public_draws(uow: UnitOfWork, *, year: int | None, category: str | None) -> list[PublicDraw]:
    """The draws of a year (the plan), by period then category, redraws after the draw they replace."""
    query = select(PublicDraw)
    if year is not None:
        query = query.where(col(PublicDraw.year) == year)
    if category is not None:
        query = query.where(col(PublicDraw.category) == category)
    order = (col(PublicDraw.starts_on), col(PublicDraw.category), col(PublicDraw.committed_published_at))
    return list((await uow.session.exec(query.order_by(*order))).all())


async def public_draw(uow: UnitOfWork, draw_id: str) -> tuple[PublicDraw, list[PublicDrawnInspection]]:
    draw = await uow.session.get(PublicDraw, draw_id)
    if draw is None:
        raise NotFound("未找到该抽查 No such draw")
    drawn = await uow.session.exec(
        select(PublicDrawnInspection)
        .where(col(PublicDrawnInspection.draw_id) == draw_id)
        .order_by(col(PublicDrawnInspection.rank))
    )
    return draw, list(drawn.all())


async def draw_years(uow: UnitOfWork) -> list[int]:
    found = await uow.session.exec(select(PublicDraw.year).distinct().order_by(col(PublicDraw.year).desc()))
    return [int(y) for y in found.all()]


def draw_summary(row: PublicDraw) -> InspectionDrawSummary:
    return InspectionDrawSummary.model_validate(row, from_attributes=True)


def draw_public(row: PublicDraw, drawn: list[PublicDrawnInspection]) -> InspectionDrawPublic:
    results = [DrawnInspectionPublic.model_validate({**d.model_dump(), "planned_inspection_id": d.id}) for d in drawn]
    return InspectionDrawPublic.model_validate({**draw_summary(row).model_dump(), **_revealed(row), "results": results})


def _revealed(row: PublicDraw) -> dict[str, object]:
    return {
        "seed": row.seed,
        "public_entropy": row.public_entropy,
        "inputs": row.inputs,
        "entity_names": row.entity_names,
        "officer_credential_numbers": row.officer_credential_numbers,
    }


def plan_of(year: int, rows: list[PublicDraw], rates: list[PublicInspectionRate] | None = None) -> InspectionPlanPublic:
    """The draws in force: a superseded draw gives way to its redraw; with the rates in force during the year."""
    items = [
        InspectionPlanRow.model_validate({**draw_summary(r).model_dump(), "draw_id": r.id})
        for r in rows
        if r.status != "superseded"
    ]
    in_force = [InspectionRateRow.model_validate(r, from_attributes=True) for r in rates or []]
    return InspectionPlanPublic(year=year, items=items, rates=in_force)


async def rates_changed(uow: UnitOfWork, event: InspectionRatesChangedV1) -> None:
    """抽查比例 entered or corrected in cases: the latest version of each dated row is published."""
    row = await uow.session.get(PublicInspectionRate, event.rate_id)
    if row is not None and row.version >= event.version:
        return
    row = row or PublicInspectionRate(id=event.rate_id, effective_from=event.effective_from, rates={}, basis="")
    row.effective_from, row.rates = event.effective_from, dict(event.rates)
    row.skip_inspected_within_months, row.basis = event.skip_inspected_within_months, event.basis
    row.document_number, row.confirmed, row.version = event.document_number, event.confirmed, event.version
    row.published_at = utcnow()
    uow.session.add(row)


async def rates_of_year(uow: UnitOfWork, year: int) -> list[PublicInspectionRate]:
    """The rows in force during ``year``: the last to take effect by 1 January, then those taking effect later in it."""
    found = await uow.session.exec(select(PublicInspectionRate).order_by(col(PublicInspectionRate.effective_from)))
    first, last = date(year, 1, 1), date(year, 12, 31)
    rows = list(found.all())
    return [r for r in rows if r.effective_from <= first][-1:] + [r for r in rows if first < r.effective_from <= last]


CSV_HEADER = ("抽查期间", "类别", "抽查编号", "序号", "监管对象", "执法证号", "检查日期", "检查结果")


async def results_csv(uow: UnitOfWork, *, year: int | None) -> str:
    """抽查对象及结果 of a year's draws, one line per drawn entity (redraws' cancelled ones included, so marked)."""
    rows = await public_draws(uow, year=year, category=None)
    lines: list[list[object]] = []
    for row in rows:
        _, drawn = await public_draw(uow, row.id)
        period = period_label(row.period_kind, row.year, row.period_number)
        category = CATEGORY_LABELS.get(row.category, row.category)
        for d in drawn:
            credentials = "、".join(d.officer_credential_numbers)
            outcome = OUTCOME_LABELS.get(d.outcome, d.outcome)
            lines.append([period, category, row.id, d.rank, d.name, credentials, d.inspected_on or "", outcome])
    return csv_text(CSV_HEADER, lines, bom=True)
