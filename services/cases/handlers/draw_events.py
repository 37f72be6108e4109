"""The events of random inspections (双随机、一公开) for the public side: the draw plan, its inputs and results
(officers by credential number), and each drawn inspection's result — written to the outbox with the change."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sqlmodel import col, select

from services.cases.tables import Inspection, InspectionDraw, Officer, Party, PlannedInspection, SupervisedEntity
from shared.contracts import CloudEvent
from shared.contracts.events import (
    DrawnInspection,
    InspectionDrawCommittedV1,
    InspectionDrawExecutedV1,
    PlannedInspectionCarriedOutV1,
)
from shared.messaging import UnitOfWork


async def _credentials(uow: UnitOfWork, officer_ids: list[str]) -> dict[str, str]:
    found = await uow.session.exec(select(Officer).where(col(Officer.id).in_(officer_ids)))
    return {o.id: o.credential_number for o in found.all()}


def inputs_sha256(inputs: Mapping[str, Any]) -> str:
    """The frozen inputs' digest, published with the commitment: canonical JSON (keys sorted, no spaces, UTF-8)."""
    canonical = json.dumps(inputs, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def emit_committed(uow: UnitOfWork, row: InspectionDraw, *, eligible: int, correlation_id: str, actor: str) -> None:
    payload = InspectionDrawCommittedV1(
        draw_id=row.id,
        category=row.category,
        period_kind=row.period_kind,
        year=row.year,
        period_number=row.period_number,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        count=row.count,
        basis=row.basis,
        commitment=row.commitment,
        eligible=eligible,
        redraw_of=row.redraw_of,
        reason=row.reason,
        inputs_sha256=inputs_sha256(row.inputs),
    )
    uow.emit(CloudEvent.wrap(payload, subject=row.id, correlation_id=correlation_id, actor=actor))


async def emit_executed(uow: UnitOfWork, row: InspectionDraw, *, correlation_id: str, actor: str) -> None:
    entity_ids = [str(e) for e in row.inputs.get("entities", [])]  # type: ignore[attr-defined]
    found = await uow.session.exec(
        select(SupervisedEntity, Party.party_type)
        .join(Party, col(Party.id) == col(SupervisedEntity.party_id))
        .where(col(SupervisedEntity.id).in_(entity_ids))
    )
    rows = found.all()
    names = {e.id: e.name for e, _ in rows}
    party_types = {e.id: str(party_type) for e, party_type in rows}
    credentials = await _credentials(uow, [str(o) for o in row.inputs.get("officers", [])])  # type: ignore[attr-defined]
    results = [
        DrawnInspection(
            entity_id=str(item["entity_id"]),
            party_id=str(item["party_id"]),
            name=str(item["name"]),
            officer_credential_numbers=[str(c) for c in item["credential_numbers"]],  # type: ignore[attr-defined]
            planned_inspection_id=str(item["planned_inspection_id"]),
        )
        for item in row.result or []
    ]
    payload = InspectionDrawExecutedV1(
        draw_id=row.id,
        commitment=row.commitment,
        seed=row.seed,
        public_entropy=row.public_entropy,
        inputs=dict(row.inputs),
        entity_names=names,
        officer_credential_numbers=credentials,
        results=results,
        superseded_draw_id=row.redraw_of,
        entity_party_types=party_types,
    )
    uow.emit(CloudEvent.wrap(payload, subject=row.id, correlation_id=correlation_id, actor=actor))


async def emit_carried_out(
    uow: UnitOfWork, plan: PlannedInspection, inspection: Inspection, *, correlation_id: str, actor: str
) -> None:
    entity = await uow.session.get(SupervisedEntity, plan.entity_id)
    credentials = await _credentials(uow, inspection.officer_ids)
    payload = PlannedInspectionCarriedOutV1(
        planned_inspection_id=plan.id,
        draw_id=plan.draw_id,
        entity_id=plan.entity_id,
        name=entity.name if entity else "",
        inspected_on=inspection.inspected_on,
        result=inspection.result or "",
        officer_credential_numbers=[credentials[o] for o in inspection.officer_ids if o in credentials],
        lead_id=inspection.lead_id,
    )
    # The draw is the aggregate the public page shows: its events stay in order under one key.
    uow.emit(CloudEvent.wrap(payload, subject=plan.draw_id, correlation_id=correlation_id, actor=actor))
