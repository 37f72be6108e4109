"""Use cases of the register of teams and officers (执法队, 执法人员), and the two-officer rule they serve."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from services.cases.domain.credentials import check_period, valid_on
from services.cases.handlers.rows import flush_unique, load, new_id
from services.cases.schemas import OfficerCreate, OfficerUpdate, TeamCreate
from services.cases.settings import CasesSettings
from services.cases.tables import Officer, Team
from shared.audit import append_audit
from shared.contracts import CloudEvent
from shared.contracts.events import OfficerChangedV1, OfficerDeactivatedV1, OfficerRegisteredV1
from shared.errors import Invalid
from shared.messaging import UnitOfWork

OfficerEvent = type[OfficerRegisteredV1] | type[OfficerChangedV1] | type[OfficerDeactivatedV1]


async def require_credentialed(uow: UnitOfWork, officer_ids: list[str], *, on: date, settings: CasesSettings) -> None:
    """At least two distinct, active officers whose credentials are valid on the day (行政处罚法 §42, §55)."""
    distinct = sorted(set(officer_ids))
    found = {o.id: o for o in (await uow.session.exec(select(Officer).where(col(Officer.id).in_(distinct)))).all()}
    unknown = [i for i in distinct if i not in found]
    invalid = [
        o.id
        for o in found.values()
        if not o.active or not valid_on(on, o.credential_valid_from, o.credential_valid_until)
    ]
    valid = len(distinct) - len(unknown) - len(invalid)
    if valid < 2:
        raise Invalid(
            "执法人员不得少于两人且须持有效执法证 "
            f"At least two officers with valid credentials are required ({valid} valid given)",
            slug="two-officers-required",
            rule=settings.citations["two_officers"],
            unknown_officers=unknown,
            invalid_credentials=invalid,
        )


async def emit_officer(
    uow: UnitOfWork, officer: Officer, event: OfficerEvent, *, authority: str, correlation_id: str, actor: str
) -> None:
    """The officer as published before enforcement (事前公开: name, 执法证号, unit, valid period, status), in the outbox
    with the change; keyed by the officer, so one officer's events stay in order."""
    team = await uow.session.get(Team, officer.team_id) if officer.team_id else None
    payload = event(
        officer_id=officer.id,
        version=officer.version,
        name=officer.name,
        credential_number=officer.credential_number,
        unit=authority,
        team=team.name if team else None,
        credential_valid_until=officer.credential_valid_until,
        active=officer.active,
        credential_valid_from=officer.credential_valid_from,
    )
    uow.emit(CloudEvent.wrap(payload, subject=officer.id, correlation_id=correlation_id, actor=actor))


async def create_team(uow: UnitOfWork, body: TeamCreate, *, actor: str) -> Team:
    team = Team(id=new_id(), name=body.name)
    uow.session.add(team)
    await flush_unique(uow, f"执法队已存在 Team {body.name} exists", slug="duplicate-team")
    await append_audit(uow.session, actor=actor, entity_type="team", entity_id=team.id, action="created", data={})
    return team


async def create_officer(
    uow: UnitOfWork, body: OfficerCreate, *, settings: CasesSettings, correlation_id: str, actor: str
) -> Officer:
    if body.team_id is not None:
        await load(uow.session, Team, body.team_id, "执法队")
    check_period(body.credential_valid_from, body.credential_valid_until)
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
    await emit_officer(
        uow, officer, OfficerRegisteredV1, authority=settings.authority, correlation_id=correlation_id, actor=actor
    )
    return officer


async def update_officer(
    uow: UnitOfWork,
    officer: Officer,
    body: OfficerUpdate,
    *,
    settings: CasesSettings,
    correlation_id: str,
    actor: str,
) -> Officer:
    """A qualification obtained later, when the officer first took up legal review work (行政处罚法 §58 ¶2), or a
    renewed credential's valid period (the period as it stands after the change is checked)."""
    changes = body.model_dump(exclude_unset=True)
    if "legal_qualification" in changes and changes["legal_qualification"] is None:
        raise Invalid("legal_qualification 须为 true 或 false", slug="validation")
    check_period(
        changes.get("credential_valid_from", officer.credential_valid_from),
        changes.get("credential_valid_until", officer.credential_valid_until),
    )
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
    await emit_officer(
        uow, officer, OfficerChangedV1, authority=settings.authority, correlation_id=correlation_id, actor=actor
    )
    return officer


async def deactivate_officer(
    uow: UnitOfWork, officer: Officer, *, settings: CasesSettings, correlation_id: str, actor: str
) -> Officer:
    """停用: the officer stays in the register so past inspections and cases still name them."""
    officer.active = False
    officer.version += 1
    uow.session.add(officer)
    await append_audit(
        uow.session, actor=actor, entity_type="officer", entity_id=officer.id, action="deactivated", data={}
    )
    await emit_officer(
        uow, officer, OfficerDeactivatedV1, authority=settings.authority, correlation_id=correlation_id, actor=actor
    )
    return officer


async def list_officers(uow: UnitOfWork, *, team_id: str | None, active: bool | None) -> list[Officer]:
    statement = select(Officer)
    if team_id:
        statement = statement.where(Officer.team_id == team_id)
    if active is not None:
        statement = statement.where(Officer.active == active)
    return list((await uow.session.exec(statement.order_by(col(Officer.name)))).all())


async def get_officer(uow: UnitOfWork, officer_id: str) -> Officer:
    return await load(uow.session, Officer, officer_id, "执法人员")


async def get_team(uow: UnitOfWork, team_id: str) -> Team:
    return await load(uow.session, Team, team_id, "执法队")
