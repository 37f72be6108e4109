"""Read side: public lists (only published or withdrawn, searched on the redacted text only) and staff lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import and_, or_
from sqlmodel import col, select

from services.disclosure.domain.deadlines import OnTimeRate, is_at_risk, on_time_rate
from services.disclosure.tables import Bulletin, Publication, WithdrawalNotice
from shared.bounds import LegalDate
from shared.contracts.common import DecisionKind
from shared.errors import NotFound
from shared.http import decode_position, encode_cursor
from shared.keyset import Key, keyset, split
from shared.messaging import UnitOfWork
from shared.workdays import Calendar

PUBLIC_STATUSES = ("published", "withdrawn")


@dataclass(frozen=True)
class PublicFilters:
    kind: DecisionKind | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str | None = None
    credit_code: str | None = None
    town: str | None = None


class DecidedPosition(BaseModel):
    """The public list's cursor: decision date and id of the last item seen."""

    model_config = ConfigDict(extra="forbid")
    d: LegalDate
    id: str = Field(max_length=36)


class CreatedPosition(BaseModel):
    """The staff list's cursor: when the last publication seen was opened, and its id."""

    model_config = ConfigDict(extra="forbid")
    c: AwareDatetime
    id: str = Field(max_length=36)


def is_public() -> Any:
    """Published, or withdrawn after having been published (its notice stays); never what was not yet public."""
    return or_(
        col(Publication.status) == "published",
        and_(col(Publication.status) == "withdrawn", col(Publication.published_on).is_not(None)),
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _where(filters: PublicFilters) -> list[Any]:
    conditions: list[Any] = [is_public()]
    if filters.kind:
        conditions.append(Publication.kind == filters.kind.value)
    if filters.date_from:
        conditions.append(col(Publication.decided_on) >= filters.date_from)
    if filters.date_to:
        conditions.append(col(Publication.decided_on) <= filters.date_to)
    if filters.credit_code:
        conditions.append(Publication.credit_code == filters.credit_code.upper())
        conditions.append(Publication.status == "published")
    if filters.town:
        conditions.append(Publication.town == filters.town)
        conditions.append(Publication.status == "published")
    if filters.q:
        # Only the redacted, still-public text is searched: a query must not reveal what was removed.
        pattern = _like(filters.q.strip())
        conditions.append(Publication.status == "published")
        conditions.append(
            or_(
                col(Publication.public_party_name).like(pattern, escape="\\"),
                col(Publication.public_facts).like(pattern, escape="\\"),
                col(Publication.document_number).like(pattern, escape="\\"),
            )
        )
    return conditions


async def public_decisions(
    uow: UnitOfWork, filters: PublicFilters, *, cursor: str | None, limit: int
) -> tuple[list[Publication], str | None]:
    """Newest decisions first; the cursor holds (decided_on, id) of the last item of the previous page."""
    position = decode_position(cursor, DecidedPosition)
    keys = (Key(col(Publication.decided_on), descending=True), Key(col(Publication.id), descending=True))
    query = keyset(
        select(Publication).where(*_where(filters)), keys, (position.d, position.id) if position else None, limit
    )
    rows, last = split(list((await uow.session.execute(query)).scalars()), limit)
    return rows, encode_cursor({"d": last.decided_on.isoformat(), "id": last.id}) if last else None


async def public_decision_row(uow: UnitOfWork, publication_id: str) -> Publication:
    found = await uow.session.get(Publication, publication_id)
    if found is None or found.status not in PUBLIC_STATUSES or found.published_on is None:
        raise NotFound(f"未找到公示 No public decision {publication_id}")
    return found


async def public_notices(uow: UnitOfWork, *, limit: int = 100) -> list[WithdrawalNotice]:
    query = select(WithdrawalNotice).order_by(col(WithdrawalNotice.withdrawn_on).desc(), col(WithdrawalNotice.id))
    return list((await uow.session.execute(query.limit(limit))).scalars())


async def list_publications(
    uow: UnitOfWork, *, decision_id: str | None, status: str | None, cursor: str | None, limit: int
) -> tuple[list[Publication], str | None]:
    """Newest first (the publication a decision just opened is on the first page); the cursor holds when the last
    item was opened and its id."""
    position = decode_position(cursor, CreatedPosition)
    conditions = []
    if decision_id:
        conditions.append(Publication.decision_id == decision_id)
    if status:
        conditions.append(Publication.status == status)
    keys = (Key(col(Publication.created_at), descending=True), Key(col(Publication.id), descending=True))
    at = (position.c.astimezone(UTC), position.id) if position else None
    query = keyset(select(Publication).where(*conditions), keys, at, limit)
    rows, last = split(list((await uow.session.execute(query)).scalars()), limit)
    return rows, encode_cursor({"c": last.created_at.isoformat(), "id": last.id}) if last else None


async def pending_publications(uow: UnitOfWork) -> list[Publication]:
    query = select(Publication).where(Publication.status == "pending").order_by(col(Publication.due_on))
    return list((await uow.session.execute(query)).scalars())


async def at_risk(uow: UnitOfWork, calendar: Calendar, *, today: date, within: int) -> list[Publication]:
    """Unpublished and due within ``within`` working days (today included)."""
    return [
        p for p in await pending_publications(uow) if is_at_risk(calendar, due_on=p.due_on, today=today, within=within)
    ]


async def overdue(uow: UnitOfWork, *, today: date) -> list[Publication]:
    return [p for p in await pending_publications(uow) if p.due_on < today]


async def on_time_rates(uow: UnitOfWork, *, year: int, today: date) -> tuple[OnTimeRate, list[OnTimeRate]]:
    """公示及时率 for a year and each of its months, by due date; withdrawn ones count as they were published."""
    query = select(col(Publication.due_on), col(Publication.published_on)).where(
        col(Publication.due_on) >= date(year, 1, 1),
        col(Publication.due_on) <= date(year, 12, 31),
        # a decision revoked before it was ever published was never owed to the public
        or_(col(Publication.status) != "withdrawn", col(Publication.published_on).is_not(None)),
    )
    items: list[tuple[date, date | None]] = [(d, p) for d, p in (await uow.session.execute(query)).all()]
    months = [on_time_rate(f"{year}-{m:02d}", [i for i in items if i[0].month == m], today=today) for m in range(1, 13)]
    return on_time_rate(str(year), items, today=today), months


async def bulletins(uow: UnitOfWork, *, kind: str | None, limit: int = 100) -> list[Bulletin]:
    query = select(Bulletin).order_by(col(Bulletin.period_end).desc(), col(Bulletin.id)).limit(limit)
    if kind:
        query = query.where(Bulletin.kind == kind)
    return list((await uow.session.execute(query)).scalars())


async def bulletin(uow: UnitOfWork, bulletin_id: str) -> Bulletin:
    found = await uow.session.get(Bulletin, bulletin_id)
    if found is None:
        raise NotFound(f"未找到监测简报 No bulletin {bulletin_id}")
    return found
