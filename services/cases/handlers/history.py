"""Read model of a case's history (案件记录): its entries in the hash-chained audit log, and the chain's state."""

from __future__ import annotations

import json

from services.cases.domain.history import read_action
from services.cases.schemas import CaseHistory, HistoryEntry
from services.cases.tables import Case
from shared.audit import history, verify_chain
from shared.messaging import UnitOfWork


async def case_history(uow: UnitOfWork, case: Case) -> CaseHistory:
    """Every entry of ``case`` (whose ownership the caller has already passed), oldest first, with its recorded data
    as a JSON object and a stage change split into the stage left and the stage entered."""
    rows = await history(uow.session, entity_type="case", entity_id=case.id)
    chain = await verify_chain(uow.session)
    entries = []
    for row in rows:
        action, from_stage, to_stage = read_action(row.action)
        entries.append(
            HistoryEntry(
                seq=row.seq or 0,
                at=row.recorded_at,
                actor=row.actor,
                action=action,
                from_stage=from_stage,
                to_stage=to_stage,
                data=json.loads(row.data),
                hash=row.hash,
            )
        )
    return CaseHistory(case_id=case.id, chain_intact=chain.ok, chain_checked=chain.checked, entries=entries)
