"""The scheduled audit-chain check (审计日志定期校验): every service re-walks its own chain in the background.

Each round re-hashes the whole chain with ``verify_chain`` and also checks that the head seen by the previous round
is still there with the same hash, so a truncated tail (newest rows deleted) is caught too, which the chain alone
cannot show. The outcome goes to ``/metrics`` and, when the chain is broken, to the log as an error event.

A broken chain does not make ``/readyz`` fail: it is evidence that someone edited the database by hand, which calls
for an investigation, not for taking every replica out of the load balancer (the data is still served as it is).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

import structlog
from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Gauge
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession as SAAsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.audit import ChainReport, verify_chain
from shared.periodic import Periodic
from shared.settings import ServiceSettings
from shared.tasks import running


class Runtime(Protocol):
    """What the check needs of a ``shared.service.ServiceRuntime`` (named here, not imported: service imports us)."""

    @property
    def settings(self) -> ServiceSettings: ...

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]: ...


log = structlog.get_logger()


@dataclass(frozen=True)
class ChainHead:
    """The newest row a round found intact: its ``seq`` and ``hash``."""

    seq: int
    hash: str


class AuditCheckMetrics:
    """Prometheus series of the check, labelled by service (several services share a registry when embedded)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.ok = Gauge(
            "greenlaw_audit_chain_ok", "1 if the audit chain verified intact, else 0", ["service"], registry=registry
        )
        self.rows = Gauge(
            "greenlaw_audit_chain_rows", "audit rows verified intact by the last check", ["service"], registry=registry
        )
        self.last_checked = Gauge(
            "greenlaw_audit_chain_last_checked_timestamp_seconds",
            "Unix time of the last completed audit chain check",
            ["service"],
            registry=registry,
        )
        self.checks = Counter(
            "greenlaw_audit_chain_checks_total",
            "audit chain checks by outcome (ok, broken, error)",
            ["service", "outcome"],
            registry=registry,
        )


class AuditChainCheck:
    """One service's check; ``run_once`` is a round, ``head`` what the next round expects to find again."""

    def __init__(self, service: str, sessions: async_sessionmaker[AsyncSession], metrics: AuditCheckMetrics) -> None:
        self.service = service
        self.sessions = sessions
        self.metrics = metrics
        self.head: ChainHead | None = None

    async def run_once(self) -> ChainReport:
        try:
            async with self.sessions() as session:
                report = await verify_chain(session)
                if report.ok:
                    report = await self._check_head(session, report)
        except Exception:
            self.metrics.checks.labels(self.service, "error").inc()
            raise
        self._record(report)
        return report

    async def _check_head(self, session: SAAsyncSession, report: ChainReport) -> ChainReport:
        """The chain verified; is the head of the previous round still there? Then remember the new head."""
        if self.head is not None:
            stored = await _hash_at(session, self.head.seq)
            if stored != self.head.hash:
                reason = (
                    f"row {self.head.seq}, the head at the previous check, is gone: newest rows deleted"
                    if stored is None
                    else f"row {self.head.seq} differs from the previous check: chain rewritten"
                )
                return ChainReport(ok=False, checked=report.checked, first_broken_seq=self.head.seq, reason=reason)
        if report.checked:
            tail = await _hash_at(session, report.checked)
            if tail is not None:
                self.head = ChainHead(seq=report.checked, hash=tail)
        return report

    def _record(self, report: ChainReport) -> None:
        self.metrics.ok.labels(self.service).set(1 if report.ok else 0)
        self.metrics.rows.labels(self.service).set(report.checked)
        self.metrics.last_checked.labels(self.service).set(time.time())
        self.metrics.checks.labels(self.service, "ok" if report.ok else "broken").inc()
        if report.ok:
            log.debug("audit_chain_ok", service=self.service, rows=report.checked)
        else:
            log.error(
                "audit_chain_broken",
                service=self.service,
                first_broken_seq=report.first_broken_seq,
                reason=report.reason,
                rows_intact=report.checked,
            )


async def _hash_at(session: SAAsyncSession, seq: int) -> str | None:
    connection = await session.connection()
    row = (await connection.execute(text("SELECT hash FROM audit_log WHERE seq = :seq"), {"seq": seq})).first()
    return None if row is None else str(row[0])


def metrics_of(app: FastAPI) -> AuditCheckMetrics:
    """The app's metrics, registered once in the app's own registry."""
    registry: CollectorRegistry = app.state.metrics_registry
    existing: AuditCheckMetrics | None = getattr(app.state, "audit_check_metrics", None)
    if existing is None:
        existing = AuditCheckMetrics(registry)
        app.state.audit_check_metrics = existing
    return existing


@contextlib.asynccontextmanager
async def audit_chain_check(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
    """Service hook: check the chain now and every ``GREENLAW_AUDIT_CHECK_INTERVAL_S`` seconds (0: never)."""
    interval = runtime.settings.common.audit_check_interval_s
    if interval <= 0:
        yield
        return
    check = AuditChainCheck(runtime.settings.service_name, runtime.sessions, metrics_of(app))
    app.state.audit_chain_check = check
    rounds = Periodic("audit-chain-check", check.run_once, interval, failure_event="audit_chain_check_failed")
    async with running(rounds.run(), name=f"{check.service}:audit-chain-check"):
        yield
