"""Use cases of the random inspection rates (抽查比例): dated rows the head enters from the national and Tianjin
schemes, audited and published; the data file's rows are the first ones, loaded when the table is empty. A row a
draw has used is never edited (the draw's basis stays true): the next change is a new dated row."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from services.cases.domain.draw_rates import RateRow, rate_of
from services.cases.domain.draws import EntityCategory
from services.cases.handlers.rows import flush_unique, load, new_id
from services.cases.handlers.rule_tables import rates_table
from services.cases.schemas import CategoryRate, InspectionRateCreate, InspectionRateUpdate
from services.cases.settings import CasesSettings
from services.cases.tables import InspectionDraw, InspectionRate
from shared.audit import append_audit
from shared.contracts import CloudEvent
from shared.contracts.events import InspectionRatesChangedV1
from shared.errors import Conflict, Invalid
from shared.messaging import UnitOfWork

FILE_LOADER = "system:rates-file"


def _stored(rates: dict[EntityCategory, CategoryRate]) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for category, rate in sorted(rates.items()):
        item: dict[str, object] = {"per": rate.per.value}
        if rate.proportion is not None:
            item["proportion"] = str(rate.proportion)
        else:
            item["count"] = rate.count
        out[category.value] = item
    return out


def rate_row(row: InspectionRate) -> RateRow:
    """The domain form of a stored row (what a draw computes its count from)."""
    return RateRow(
        effective_from=row.effective_from,
        rates={EntityCategory(k): rate_of(v) for k, v in row.rates.items()},
        basis=row.basis,
        confirmed=row.confirmed,
        skip_inspected_within_months=row.skip_inspected_within_months,
        document_number=row.document_number,
    )


def _snapshot(row: InspectionRate) -> dict[str, Any]:
    return {
        "effective_from": row.effective_from.isoformat(),
        "rates": row.rates,
        "skip_inspected_within_months": row.skip_inspected_within_months,
        "basis": row.basis,
        "document_number": row.document_number,
        "confirmed": row.confirmed,
        "version": row.version,
    }


def _emit(uow: UnitOfWork, row: InspectionRate, *, correlation_id: str, actor: str) -> None:
    payload = InspectionRatesChangedV1(
        rate_id=row.id,
        effective_from=row.effective_from,
        rates=dict(row.rates),
        skip_inspected_within_months=row.skip_inspected_within_months,
        basis=row.basis,
        document_number=row.document_number,
        confirmed=row.confirmed,
        version=row.version,
    )
    uow.emit(CloudEvent.wrap(payload, subject=row.id, correlation_id=correlation_id, actor=actor))


async def _record(uow: UnitOfWork, row: InspectionRate, action: str, *, actor: str, correlation_id: str) -> None:
    await append_audit(
        uow.session, actor=actor, entity_type="inspection_rate", entity_id=row.id, action=action, data=_snapshot(row)
    )
    _emit(uow, row, correlation_id=correlation_id, actor=actor)


async def _load_file(uow: UnitOfWork, settings: CasesSettings, *, correlation_id: str) -> list[InspectionRate]:
    """The data file's rows, stored (audited, published) as the first rows of an empty table."""
    rows = []
    for item in rates_table(settings):
        row = InspectionRate(
            id=new_id(),
            effective_from=item.effective_from,
            rates={c.value: dict(r.as_json()) for c, r in sorted(item.rates.items())},
            skip_inspected_within_months=item.skip_inspected_within_months,
            basis=item.basis,
            document_number=item.document_number,
            confirmed=item.confirmed,
            created_by=FILE_LOADER,
        )
        uow.session.add(row)
        await _record(uow, row, "loaded", actor=FILE_LOADER, correlation_id=correlation_id)
        rows.append(row)
    await flush_unique(uow, "抽查比例正在载入，请重试 The rates are being loaded; try again", slug="rates-loading")
    return rows


async def all_rates(uow: UnitOfWork, settings: CasesSettings, *, correlation_id: str) -> list[InspectionRate]:
    """Every row, oldest first; an empty table first takes the data file's rows."""
    found = await uow.session.exec(select(InspectionRate).order_by(col(InspectionRate.effective_from)))
    rows = list(found.all())
    return rows or await _load_file(uow, settings, correlation_id=correlation_id)


async def rate_in_force(
    uow: UnitOfWork, settings: CasesSettings, day: Any, *, correlation_id: str
) -> tuple[InspectionRate, RateRow]:
    """The row in force on ``day`` (the latest that has taken effect); a day before every row is bad input."""
    rows = [r for r in await all_rates(uow, settings, correlation_id=correlation_id) if r.effective_from <= day]
    if not rows:
        raise Invalid(f"{day} 无适用的抽查比例 No random inspection rate is in force on {day}", slug="no-rate-in-force")
    return rows[-1], rate_row(rows[-1])


async def create_rate(
    uow: UnitOfWork, body: InspectionRateCreate, *, settings: CasesSettings, actor: str, correlation_id: str
) -> InspectionRate:
    """A new dated row; one row per day it takes effect (a second is a correction of the first: 409)."""
    await all_rates(uow, settings, correlation_id=correlation_id)  # the file's rows stay the first ones
    row = InspectionRate(
        id=new_id(),
        effective_from=body.effective_from,
        rates=_stored(body.rates),
        skip_inspected_within_months=body.skip_inspected_within_months,
        basis=body.basis,
        document_number=body.document_number,
        confirmed=body.confirmed,
        created_by=actor,
    )
    uow.session.add(row)
    await flush_unique(
        uow,
        f"{body.effective_from} 已有抽查比例，请修改该行 A row takes effect on {body.effective_from}: change it",
        slug="rate-exists",
    )
    await _record(uow, row, "created", actor=actor, correlation_id=correlation_id)
    return row


async def used_by(uow: UnitOfWork, rate_id: str) -> str | None:
    """A draw that took its count or exclusions from the row, if any."""
    found = await uow.session.exec(select(InspectionDraw.id).where(InspectionDraw.rate_id == rate_id).limit(1))
    return found.first()


async def update_rate(
    uow: UnitOfWork, row: InspectionRate, body: InspectionRateUpdate, *, actor: str, correlation_id: str
) -> InspectionRate:
    """A correction of a row no draw has used; a used row is history (409: enter a new dated row)."""
    draw_id = await used_by(uow, row.id)
    if draw_id is not None:
        raise Conflict(
            "该抽查比例已用于抽查，不得修改；请录入新的施行日期 A draw used this row: enter a new dated row instead",
            slug="rate-in-use",
            draw_id=draw_id,
        )
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    if not changes:
        raise Invalid("未提供修改内容 Nothing to change", slug="nothing-to-change")
    if body.rates is not None:
        row.rates = _stored(body.rates)
    for name in ("skip_inspected_within_months", "basis", "document_number", "confirmed"):
        if name in changes:
            setattr(row, name, changes[name])
    row.version += 1
    uow.session.add(row)
    await _record(uow, row, "changed", actor=actor, correlation_id=correlation_id)
    return row


async def get_rate(uow: UnitOfWork, rate_id: str) -> InspectionRate:
    return await load(uow.session, InspectionRate, rate_id, "抽查比例")
