"""Credit China (信用中国) delivery: what goes on the ledger, reading it (JSON, CSV), manual redelivery; sending is
``shared.delivery``'s (retries, backoff, ``Idempotency-Key``, only a 2xx is a delivery).

Rows of one publication go out in order (an upsert never overtakes the deletion that followed it).
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.disclosure.domain.credit_china import FIELDS, PublicText, credit_record
from services.disclosure.settings import DisclosureSettings
from services.disclosure.tables import CreditRecord, Publication
from shared.audit import append_audit
from shared.contracts.common import DecisionKind
from shared.contracts.events import DecisionIssuedV1
from shared.csv_export import csv_text
from shared.decision_kinds import kind_rule
from shared.delivery import Endpoint, Ledger, Sender
from shared.errors import Conflict, NotFound
from shared.messaging import UnitOfWork


async def stage_upsert(uow: UnitOfWork, publication: Publication, settings: DisclosureSettings) -> None:
    """A published penalty (行政处罚) becomes a double-publicity record on the ledger: the kinds the decision-kinds
    table sends to Credit China on the decision date (restricting or halting production too, since 2021-07-15)."""
    if not kind_rule(settings, DecisionKind(publication.kind), publication.decided_on).credit_china:
        return
    decision = DecisionIssuedV1.model_validate(publication.decision)
    text = PublicText(
        facts=publication.public_facts,
        legal_basis=publication.public_legal_basis,
        violation_type=publication.public_violation_type,
        penalty_summary=str(publication.public_penalty.get("summary", "")),
    )
    fields = credit_record(
        decision,
        text,
        publicity_months=settings.credit_china_publicity_months,
        data_source=settings.authority,
        data_source_code=settings.authority_credit_code,
    )
    _add(uow, publication, "upsert", fields)


async def stage_delete(uow: UnitOfWork, publication: Publication) -> None:
    """A withdrawn penalty is deleted on the platform; only if it was ever staged there."""
    staged = await uow.session.execute(
        select(CreditRecord.id).where(CreditRecord.publication_id == publication.id, CreditRecord.operation == "upsert")
    )
    if staged.first() is None:
        return
    fields = {"decision_number": publication.document_number, "reason": publication.withdrawal_reason or ""}
    _add(uow, publication, "delete", fields)


def _add(uow: UnitOfWork, publication: Publication, operation: str, fields: dict[str, str]) -> None:
    uow.session.add(
        CreditRecord(
            id=str(uuid.uuid4()),
            publication_id=publication.id,
            decision_id=publication.decision_id,
            operation=operation,
            fields=fields,
        )
    )


async def records(
    uow: UnitOfWork, *, status: str | None = None, operation: str | None = None, publication_id: str | None = None
) -> list[CreditRecord]:
    """The ledger (推送台账), oldest first."""
    query = select(CreditRecord).order_by(col(CreditRecord.created_at), col(CreditRecord.id))
    if status:
        query = query.where(CreditRecord.status == status)
    if operation:
        query = query.where(CreditRecord.operation == operation)
    if publication_id:
        query = query.where(CreditRecord.publication_id == publication_id)
    return list((await uow.session.execute(query)).scalars())


async def records_csv(uow: UnitOfWork) -> str:
    """导出（手工上报）: the upsert records in the upload template's column order, for manual upload."""
    rows = [[record.fields.get(key, "") for key, _ in FIELDS] for record in await records(uow, operation="upsert")]
    return csv_text([label for _, label in FIELDS], rows, bom=True)


async def redeliver(uow: UnitOfWork, record_id: str, *, actor: str) -> CreditRecord:
    """Manual redelivery (重新推送) of a failed record."""
    record = await uow.session.get(CreditRecord, record_id)
    if record is None:
        raise NotFound(f"推送记录不存在 Credit record {record_id} not found")
    if record.status == "delivered":
        raise Conflict("该记录已推送成功 The record was already delivered", slug="credit-record-delivered")
    record.status = "pending"
    await append_audit(
        uow.session,
        actor=actor,
        entity_type="credit_record",
        entity_id=record.id,
        action="redelivery_requested",
        data={"attempts": record.attempts},
    )
    return record


def sender(client: httpx.AsyncClient, settings: DisclosureSettings) -> Sender:
    """The configured endpoint only: a record's content never changes where it goes."""
    url, attempts = settings.credit_china_url, settings.credit_china_max_attempts
    assert url is not None
    return Sender(
        Endpoint(url, attempts, settings.credit_china_backoff_seconds, token=settings.credit_china_token), client
    )


def body_of(record: CreditRecord) -> dict[str, Any]:
    return {"record_id": record.id, "operation": record.operation, "fields": record.fields}


def ledger(
    sessions: async_sessionmaker[AsyncSession], client: httpx.AsyncClient, settings: DisclosureSettings
) -> Ledger[CreditRecord]:
    """Rows of one publication go out in order: a failed one holds back the later ones until redelivered."""
    return Ledger(
        CreditRecord,
        sessions,
        sender(client, settings),
        name="credit_china",
        body_of=body_of,
        group_of=lambda record: record.publication_id,
    )
