"""Use cases of the register of parties (当事人): register, search, read."""

from __future__ import annotations

from sqlmodel import col, or_, select

from services.cases.handlers.rows import flush_unique, load, new_id, page
from services.cases.schemas import PartyCreate
from services.cases.tables import Party
from shared.audit import append_audit
from shared.errors import Conflict
from shared.messaging import UnitOfWork


async def create_party(uow: UnitOfWork, body: PartyCreate, *, actor: str) -> Party:
    for field, value in (("credit_code", body.credit_code), ("id_number", body.id_number)):
        if value is None:
            continue
        clash = (await uow.session.exec(select(Party).where(getattr(Party, field) == value.upper()))).first()
        if clash is not None:
            raise Conflict(
                f"该证件号码已登记为当事人 {clash.name} The {field} is already registered",
                slug="duplicate-party-code",
                existing_party_id=clash.id,
            )
    party = Party(
        id=new_id(),
        **body.model_dump(exclude={"party_id", "credit_code", "id_number"}),
        credit_code=body.credit_code.upper() if body.credit_code else None,
        id_number=body.id_number.upper() if body.id_number else None,
    )
    uow.session.add(party)
    await flush_unique(uow, "证件号码重复 Duplicate party code", slug="duplicate-party-code")
    await append_audit(
        uow.session,
        actor=actor,
        entity_type="party",
        entity_id=party.id,
        action="registered",
        data={"name": party.name},
    )
    return party


async def search_parties(
    uow: UnitOfWork, *, q: str | None, town: str | None, cursor: str | None, limit: int
) -> tuple[list[Party], str | None]:
    statement = select(Party)
    if q:
        # autoescape: a % or _ typed by staff is a character of the name, not a wildcard.
        in_name = col(Party.name).contains(q, autoescape=True)
        statement = statement.where(
            or_(in_name, col(Party.credit_code) == q.upper(), col(Party.id_number) == q.upper())
        )
    if town:
        statement = statement.where(Party.town == town)
    return await page(uow.session, statement, Party, cursor=cursor, limit=limit)


async def get_party(uow: UnitOfWork, party_id: str) -> Party:
    return await load(uow.session, Party, party_id, "当事人")
