"""Use cases of the registers: parties (当事人), teams and officers (执法人员)."""

from __future__ import annotations

from sqlmodel import col, or_, select

from services.cases.case_schemas import OfficerCreate, OfficerUpdate, TeamCreate
from services.cases.common import flush_unique, load, new_id, page
from services.cases.schemas import PartyInput
from services.cases.tables import Officer, Party, Team
from shared.audit import append_audit
from shared.messaging import UnitOfWork
from shared.problems import Problem


async def create_party(uow: UnitOfWork, body: PartyInput, *, actor: str) -> Party:
    for field, value in (("credit_code", body.credit_code), ("id_number", body.id_number)):
        if value is None:
            continue
        clash = (await uow.session.exec(select(Party).where(getattr(Party, field) == value.upper()))).first()
        if clash is not None:
            raise Problem(
                409,
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


async def create_team(uow: UnitOfWork, body: TeamCreate, *, actor: str) -> Team:
    team = Team(id=new_id(), name=body.name)
    uow.session.add(team)
    await flush_unique(uow, f"执法队已存在 Team {body.name} exists", slug="duplicate-team")
    await append_audit(uow.session, actor=actor, entity_type="team", entity_id=team.id, action="created", data={})
    return team


async def create_officer(uow: UnitOfWork, body: OfficerCreate, *, actor: str) -> Officer:
    if body.team_id is not None:
        await load(uow.session, Team, body.team_id, "执法队")
    officer = Officer(id=new_id(), **body.model_dump())
    uow.session.add(officer)
    await flush_unique(uow, "执法证号重复 Duplicate credential number", slug="duplicate-credential")
    await append_audit(
        uow.session,
        actor=actor,
        entity_type="officer",
        entity_id=officer.id,
        action="registered",
        data=body.model_dump(mode="json"),
    )
    return officer


async def update_officer(uow: UnitOfWork, officer: Officer, body: OfficerUpdate, *, actor: str) -> Officer:
    """A qualification obtained later, or when the officer first took up legal review work (行政处罚法 §58 ¶2)."""
    changes = body.model_dump(exclude_unset=True)
    if "legal_qualification" in changes and changes["legal_qualification"] is None:
        raise Problem(422, "legal_qualification 须为 true 或 false", slug="validation")
    for name, value in changes.items():
        setattr(officer, name, value)
    officer.version += 1
    uow.session.add(officer)
    await append_audit(
        uow.session,
        actor=actor,
        entity_type="officer",
        entity_id=officer.id,
        action="updated",
        data=body.model_dump(mode="json", exclude_unset=True),
    )
    return officer


async def deactivate_officer(uow: UnitOfWork, officer_id: str, *, actor: str) -> Officer:
    """停用: the officer stays in the register so past inspections and cases still name them."""
    officer = await load(uow.session, Officer, officer_id, "执法人员")
    officer.active = False
    officer.version += 1
    uow.session.add(officer)
    await append_audit(
        uow.session, actor=actor, entity_type="officer", entity_id=officer.id, action="deactivated", data={}
    )
    return officer


async def list_officers(uow: UnitOfWork, *, team_id: str | None, active: bool | None) -> list[Officer]:
    statement = select(Officer)
    if team_id:
        statement = statement.where(Officer.team_id == team_id)
    if active is not None:
        statement = statement.where(Officer.active == active)
    return list((await uow.session.exec(statement.order_by(col(Officer.name)))).all())
