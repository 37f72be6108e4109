"""Use cases of the inspector pool (执法人员库): exclusions from draws (回避、休假) and the pool a draw uses."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, or_, select

from services.cases.handlers.rows import load, new_id
from services.cases.schemas import (
    ExclusionKind,
    InspectorExclusionCreate,
    InspectorExclusionPublic,
    InspectorPoolPublic,
    PoolOfficer,
    PoolTeam,
)
from services.cases.tables import InspectorExclusion, Officer, SupervisedEntity, Team
from shared.audit import append_audit
from shared.messaging import UnitOfWork


async def create_exclusion(uow: UnitOfWork, body: InspectorExclusionCreate, *, actor: str) -> InspectorExclusion:
    await load(uow.session, Officer, body.officer_id, "执法人员")
    if body.entity_id is not None:
        await load(uow.session, SupervisedEntity, body.entity_id, "监管对象")
    exclusion = InspectorExclusion(id=new_id(), recorded_by=actor, **body.model_dump())
    uow.session.add(exclusion)
    await append_audit(
        uow.session,
        actor=actor,
        entity_type="inspector_exclusion",
        entity_id=exclusion.id,
        action="recorded",
        data=body.model_dump(mode="json"),
    )
    return exclusion


async def get_exclusion(uow: UnitOfWork, exclusion_id: str) -> InspectorExclusion:
    return await load(uow.session, InspectorExclusion, exclusion_id, "回避或休假记录")


async def exclusions_between(
    uow: UnitOfWork, start: date, end: date, *, officer_id: str | None = None
) -> list[InspectorExclusion]:
    """Exclusions in force on any day of [start, end]."""
    statement = select(InspectorExclusion).where(
        col(InspectorExclusion.starts_on) <= end,
        or_(col(InspectorExclusion.ends_on).is_(None), col(InspectorExclusion.ends_on) >= start),
    )
    if officer_id:
        statement = statement.where(InspectorExclusion.officer_id == officer_id)
    return list((await uow.session.exec(statement.order_by(col(InspectorExclusion.starts_on)))).all())


async def credentialed_officers(uow: UnitOfWork, *, valid_through: date) -> list[Officer]:
    """Active officers whose credential is valid through ``valid_through`` (no end recorded counts as valid) and
    already in force on that day (no first day recorded counts as valid since issued)."""
    statement = select(Officer).where(
        Officer.active == True,  # noqa: E712 - SQL comparison
        or_(col(Officer.credential_valid_until).is_(None), col(Officer.credential_valid_until) >= valid_through),
        or_(col(Officer.credential_valid_from).is_(None), col(Officer.credential_valid_from) <= valid_through),
    )
    return list((await uow.session.exec(statement.order_by(col(Officer.id)))).all())


def is_general(exclusion: InspectorExclusion) -> bool:
    """Leave and other exclusions keep the officer out of every entity's inspection."""
    return exclusion.kind != ExclusionKind.CONFLICT_OF_INTEREST or exclusion.entity_id is None


async def inspector_pool(uow: UnitOfWork, *, on: date) -> InspectorPoolPublic:
    """The pool on ``on``, by team name (officers without a team last), each officer with its exclusions."""
    officers = await credentialed_officers(uow, valid_through=on)
    exclusions = await exclusions_between(uow, on, on)
    teams = {t.id: t.name for t in (await uow.session.exec(select(Team))).all()}
    by_team: dict[str | None, list[PoolOfficer]] = {}
    for officer in sorted(officers, key=lambda o: (o.name, o.id)):
        own = [e for e in exclusions if e.officer_id == officer.id]
        by_team.setdefault(officer.team_id, []).append(
            PoolOfficer(
                id=officer.id,
                name=officer.name,
                credential_number=officer.credential_number,
                credential_valid_until=officer.credential_valid_until,
                available=not any(is_general(e) for e in own),
                exclusions=[InspectorExclusionPublic.model_validate(e, from_attributes=True) for e in own],
            )
        )
    ordered = sorted(by_team, key=lambda t: (t is None, teams.get(t or "", "")))
    return InspectorPoolPublic(
        on=on,
        teams=[PoolTeam(team_id=t, team_name=teams.get(t or ""), officers=by_team[t]) for t in ordered],
    )
