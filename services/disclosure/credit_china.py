"""Credit China (信用中国) delivery: the ledger, the sender with retries and backoff, manual redelivery.

Each ledger row is one record sent once: the receiver gets the row id as ``Idempotency-Key``, so a retry after a
lost answer is recognised there and the record lands exactly once. Rows of one publication go out in order (an
upsert never overtakes the deletion that followed it).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from services.disclosure.domain.credit_china import PublicText, credit_record
from services.disclosure.settings import DisclosureSettings
from services.disclosure.tables import CreditRecord, Publication
from shared.audit import append_audit
from shared.contracts.common import DecisionKind
from shared.contracts.events import DecisionIssuedV1
from shared.decision_kinds import kind_rule
from shared.messaging import UnitOfWork
from shared.problems import Problem

log = structlog.get_logger()


class RetryableDeliveryError(Exception):
    """The receiver could not take the record now (5xx, 429, timeout, connection): try again later."""


class RejectedDeliveryError(Exception):
    """The receiver refused the record itself (4xx): retrying the same bytes would not help."""


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


async def redeliver(uow: UnitOfWork, record_id: str, *, actor: str) -> CreditRecord:
    """Manual redelivery (重新推送) of a failed record."""
    record = await uow.session.get(CreditRecord, record_id)
    if record is None:
        raise Problem(404, f"推送记录不存在 Credit record {record_id} not found")
    if record.status == "delivered":
        raise Problem(409, "该记录已推送成功 The record was already delivered", slug="credit-record-delivered")
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


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    attempts: int
    error: str | None


async def send(client: httpx.AsyncClient, record: CreditRecord, settings: DisclosureSettings) -> Outcome:
    """POST one record with bounded retries and exponential backoff."""
    assert settings.credit_china_url is not None
    attempts = 0
    body: dict[str, object] = {"record_id": record.id, "operation": record.operation, "fields": record.fields}
    headers = {"Idempotency-Key": record.id}
    if settings.credit_china_token:
        headers["Authorization"] = f"Bearer {settings.credit_china_token}"
    retrying = AsyncRetrying(
        stop=stop_after_attempt(settings.credit_china_max_attempts),
        wait=wait_exponential(multiplier=settings.credit_china_backoff_seconds, max=30),
        retry=retry_if_exception_type(RetryableDeliveryError),
        reraise=True,
    )
    try:
        async for attempt in retrying:
            with attempt:
                attempts += 1
                await _post_once(client, settings.credit_china_url, body, headers)
    except (RetryableDeliveryError, RejectedDeliveryError) as exc:
        return Outcome(delivered=False, attempts=attempts, error=str(exc)[:1000])
    return Outcome(delivered=True, attempts=attempts, error=None)


async def _post_once(client: httpx.AsyncClient, url: str, body: dict[str, object], headers: dict[str, str]) -> None:
    try:
        answer = await client.post(url, json=body, headers=headers)
    except httpx.HTTPError as exc:
        raise RetryableDeliveryError(f"{type(exc).__name__}: {exc}") from exc
    if answer.status_code >= 500 or answer.status_code == 429:
        raise RetryableDeliveryError(f"HTTP {answer.status_code}: {answer.text[:300]}")
    if not answer.is_success:  # a redirect is not followed (the endpoint is the configured one) nor a delivery
        raise RejectedDeliveryError(f"HTTP {answer.status_code}: {answer.text[:300]}")


# pg_try_advisory_lock key: one sender at a time across replicas on PostgreSQL (SQLite means a single process).
_SENDER_LOCK = 0x6372656469746368


async def deliver_pending(
    sessions: async_sessionmaker[AsyncSession], client: httpx.AsyncClient, settings: DisclosureSettings
) -> int:
    """One pass over the pending ledger, oldest first; returns how many records were delivered.

    Replicas take turns: a pass runs only while holding the sender lock, so two never send the same row."""
    async with sessions() as holder:
        postgres = holder.get_bind().dialect.name == "postgresql"
        lock = {"key": _SENDER_LOCK}
        if postgres and not (await holder.execute(text("SELECT pg_try_advisory_lock(:key)"), lock)).scalar():
            return 0
        try:
            return await _deliver_pass(sessions, client, settings)
        finally:
            if postgres:
                await holder.execute(text("SELECT pg_advisory_unlock(:key)"), lock)
                await holder.commit()


async def _deliver_pass(
    sessions: async_sessionmaker[AsyncSession], client: httpx.AsyncClient, settings: DisclosureSettings
) -> int:
    async with sessions() as session:
        query = select(CreditRecord).where(CreditRecord.status == "pending").order_by(col(CreditRecord.created_at))
        pending = list((await session.execute(query)).scalars())
        failed = select(CreditRecord.publication_id).where(CreditRecord.status == "failed")
        # A failed record holds back the later ones of its publication until someone redelivers it.
        blocked = set((await session.execute(failed)).scalars())
    delivered = 0
    for record in pending:
        if record.publication_id in blocked:
            continue  # keep one publication's records in order: wait for the earlier one
        outcome = await send(client, record, settings)
        await _record_outcome(sessions, record.id, outcome)
        delivered += outcome.delivered
        if not outcome.delivered:
            blocked.add(record.publication_id)
            log.warning("credit_china_delivery_failed", record_id=record.id, error=outcome.error)
    return delivered


async def _record_outcome(sessions: async_sessionmaker[AsyncSession], record_id: str, outcome: Outcome) -> None:
    async with sessions() as session:
        record = await session.get(CreditRecord, record_id)
        assert record is not None
        record.attempts += outcome.attempts
        record.status = "delivered" if outcome.delivered else "failed"
        record.last_error = outcome.error
        record.delivered_at = datetime.now(UTC) if outcome.delivered else None
        await session.commit()
