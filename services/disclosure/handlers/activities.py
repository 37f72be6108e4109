"""The rule-of-law activity register (法治建设活动台账): record, change and remove entries, audited; the year's
entries for the rule-of-law report."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlmodel import col, select

from services.disclosure.access import OWNERSHIP
from services.disclosure.domain.activities import FACTS, Entry, check_entry
from services.disclosure.schemas import ActivityCreate, ActivityUpdate
from services.disclosure.tables import LawActivity
from shared.audit import append_audit
from shared.auth import Principal
from shared.messaging import UnitOfWork

ACTIVITY = OWNERSHIP["law_activity"]
STORED = (*FACTS, "subject", "note")


def _facts(row: LawActivity) -> dict[str, Any]:
    return {name: getattr(row, name) for name in STORED}


async def record_activity(uow: UnitOfWork, body: ActivityCreate, *, caller: Principal) -> LawActivity:
    """登记: the facts checked against the kind; the year is the date's (an adviser's is given)."""
    facts = body.model_dump(exclude={"kind"})
    year = check_entry(body.kind, facts)
    row = LawActivity(id=str(uuid.uuid4()), kind=body.kind, recorded_by=caller.subject, **{**facts, "year": year})
    uow.session.add(row)
    await _audit(uow, row, caller, "recorded")
    return row


async def get_activity(uow: UnitOfWork, activity_id: str, *, caller: Principal) -> LawActivity:
    """The entry if the caller reaches it (the legal office, the head, the desk, audit); else 404."""
    row = await uow.session.get(LawActivity, activity_id)
    return ACTIVITY.check(caller, row, activity_id)


async def update_activity(uow: UnitOfWork, row: LawActivity, body: ActivityUpdate, *, caller: Principal) -> LawActivity:
    """Change the facts sent (null clears one); the whole entry is checked again against its kind."""
    facts = {**_facts(row), "year": None if row.occurred_on else row.year}
    facts |= body.model_dump(exclude_unset=True)
    year = check_entry(row.kind, facts)
    for name, value in facts.items():
        setattr(row, name, value if name != "subjects" else list(value or []))
    row.year, row.version, row.updated_at = year, row.version + 1, datetime.now(UTC)
    await _audit(uow, row, caller, "changed")
    return row


async def remove_activity(uow: UnitOfWork, row: LawActivity, *, caller: Principal) -> LawActivity:
    """删除 an entry recorded by mistake; the audit trail keeps what it said."""
    await _audit(uow, row, caller, "removed")
    await uow.session.delete(row)
    return row


async def _audit(uow: UnitOfWork, row: LawActivity, caller: Principal, action: str) -> None:
    facts = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in _facts(row).items() if v not in (None, [])}
    await append_audit(
        uow.session,
        actor=caller.subject,
        entity_type="law_activity",
        entity_id=row.id,
        action=action,
        data={"kind": row.kind, "year": row.year, "version": row.version, **facts},
    )


async def list_activities(
    uow: UnitOfWork, *, caller: Principal, year: int | None, kind: str | None, after: str | None, limit: int
) -> list[LawActivity]:
    statement = ACTIVITY.where(select(LawActivity), caller, LawActivity)
    if year is not None:
        statement = statement.where(col(LawActivity.year) == year)
    if kind is not None:
        statement = statement.where(col(LawActivity.kind) == kind)
    if after is not None:
        statement = statement.where(col(LawActivity.id) > after)
    rows = await uow.session.execute(statement.order_by(col(LawActivity.id)).limit(limit))
    return list(rows.scalars())


async def entries_of_year(uow: UnitOfWork, year: int) -> list[Entry]:
    """The year's register as the report's totals read it."""
    rows = (await uow.session.execute(select(LawActivity).where(col(LawActivity.year) == year))).scalars()
    fields = {name for name in Entry.__dataclass_fields__ if name != "subjects"}
    return [Entry(**{n: getattr(r, n) for n in fields}, subjects=tuple(r.subjects or ())) for r in rows]


async def years_with_entries(uow: UnitOfWork) -> set[int]:
    rows = await uow.session.execute(select(col(LawActivity.year)).group_by(col(LawActivity.year)))
    return {int(y) for y in rows.scalars()}
