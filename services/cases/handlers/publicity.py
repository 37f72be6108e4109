"""The case's publicity record (公示记录): what disclosure did with the case's decision."""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import select

from services.cases.domain.history import CaseAction
from services.cases.handlers.cases import audit_case, touch
from services.cases.tables import Case
from shared.messaging import UnitOfWork


async def note_publicity(uow: UnitOfWork, decision_id: str, entry: Mapping[str, object], *, actor: str) -> None:
    """公示记录: what disclosure did with the case's decision."""
    case = (await uow.session.exec(select(Case).where(Case.decision_id == decision_id))).first()
    if case is None:
        return
    case.publicity = [*case.publicity, dict(entry)]
    touch(case)
    uow.session.add(case)
    await audit_case(uow, case, actor=actor, action=CaseAction(f"publicity_{entry.get('event')}"), data=dict(entry))
