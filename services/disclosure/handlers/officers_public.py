"""The officer list before enforcement (执法人员名单, 事前公开): the records cases sends of its register, the list on
a day, and its history. Only what the law publishes is kept: name, 执法证号, unit, team, valid period, status."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from services.disclosure.domain.before_enforcement import credential_status, officers_on_list
from services.disclosure.schemas import PublicOfficer, PublicOfficerChange, PublicOfficerList
from services.disclosure.tables import OfficerRecord
from shared.contracts import CloudEvent
from shared.contracts.events import OfficerChangedV1, OfficerDeactivatedV1, OfficerRegisteredV1
from shared.messaging import UnitOfWork

CHANGES = {
    OfficerRegisteredV1.event_type: "registered",
    OfficerChangedV1.event_type: "changed",
    OfficerDeactivatedV1.event_type: "deactivated",
}


async def record_officer(
    uow: UnitOfWork, event: CloudEvent, payload: OfficerRegisteredV1 | OfficerChangedV1 | OfficerDeactivatedV1
) -> None:
    """Kept once per event (the inbox drops a redelivery; the event id is the key besides). Records arriving out of
    order are kept too: the list folds by the register's version, not by arrival."""
    if await uow.session.get(OfficerRecord, event.id) is not None:
        return
    uow.session.add(
        OfficerRecord(
            id=event.id,
            officer_id=payload.officer_id,
            version=payload.version,
            change=CHANGES[event.type],
            name=payload.name,
            credential_number=payload.credential_number,
            unit=payload.unit,
            team=payload.team,
            credential_valid_until=payload.credential_valid_until,
            active=payload.active,
            changed_at=event.time,
            credential_valid_from=payload.credential_valid_from,
        )
    )


def _end_of(day: date, timezone: str) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=ZoneInfo(timezone))


async def officer_list(uow: UnitOfWork, *, as_of: date, timezone: str) -> PublicOfficerList:
    """The active officers as the register stood at the end of ``as_of`` (today: the current list)."""
    rows = await uow.session.exec(select(OfficerRecord).where(col(OfficerRecord.changed_at) < _end_of(as_of, timezone)))
    listed = sorted(officers_on_list(rows.all()), key=lambda r: r.credential_number)
    items = [
        PublicOfficer(
            name=r.name,
            credential_number=r.credential_number,
            unit=r.unit,
            team=r.team,
            credential_valid_from=r.credential_valid_from,
            credential_valid_until=r.credential_valid_until,
            status=credential_status(r.credential_valid_from, r.credential_valid_until, as_of),
        )
        for r in listed
    ]
    return PublicOfficerList(as_of=as_of, items=items)


async def officer_changes(uow: UnitOfWork, *, timezone: str, limit: int) -> list[PublicOfficerChange]:
    """名单变更, newest first."""
    statement = select(OfficerRecord).order_by(col(OfficerRecord.changed_at).desc(), col(OfficerRecord.id)).limit(limit)
    zone = ZoneInfo(timezone)
    return [
        PublicOfficerChange(
            changed_on=r.changed_at.astimezone(zone).date(),
            change=r.change,
            name=r.name,
            credential_number=r.credential_number,
            unit=r.unit,
            team=r.team,
            credential_valid_from=r.credential_valid_from,
            credential_valid_until=r.credential_valid_until,
        )
        for r in (await uow.session.exec(statement)).all()
    ]
