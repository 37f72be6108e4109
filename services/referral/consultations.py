"""Joint mechanism records (联席会商): consultations with the police, linked to referrals."""

from __future__ import annotations

import uuid
from datetime import date

from sqlmodel import col, select

from services.referral.handlers import Actor
from services.referral.tables import Consultation, ConsultationReferral, Referral
from shared.audit import append_audit
from shared.messaging import UnitOfWork
from shared.problems import Problem


async def record_consultation(
    uow: UnitOfWork,
    *,
    held_on: date,
    participants: list[str],
    topic: str,
    outcome: str,
    police_unit: str | None,
    referral_ids: list[str],
    actor: Actor,
) -> Consultation:
    missing = [rid for rid in referral_ids if await uow.session.get(Referral, rid) is None]
    if missing:
        raise Problem(422, "移送案件不存在 Unknown referrals", slug="unknown-referrals", referral_ids=missing)
    consultation = Consultation(
        id=str(uuid.uuid4()),
        held_on=held_on,
        participants=participants,
        topic=topic,
        outcome=outcome,
        police_unit=police_unit,
        recorded_by=actor.name,
    )
    uow.session.add(consultation)
    for referral_id in dict.fromkeys(referral_ids):
        uow.session.add(ConsultationReferral(consultation_id=consultation.id, referral_id=referral_id))
    await append_audit(
        uow.session,
        actor=actor.name,
        entity_type="consultation",
        entity_id=consultation.id,
        action="recorded",
        data={"held_on": held_on.isoformat(), "topic": topic, "referral_ids": referral_ids},
    )
    return consultation


async def list_consultations(
    uow: UnitOfWork, *, referral_id: str | None, after: str | None, limit: int
) -> list[tuple[Consultation, list[str]]]:
    query = select(Consultation).order_by(col(Consultation.id)).limit(limit)
    if referral_id:
        linked = select(ConsultationReferral.consultation_id).where(
            col(ConsultationReferral.referral_id) == referral_id
        )
        query = query.where(col(Consultation.id).in_(linked))
    if after:
        query = query.where(col(Consultation.id) > after)
    consultations = list((await uow.session.execute(query)).scalars())
    links = select(ConsultationReferral).where(
        col(ConsultationReferral.consultation_id).in_([c.id for c in consultations])
    )
    by_consultation: dict[str, list[str]] = {c.id: [] for c in consultations}
    for link in (await uow.session.execute(links)).scalars():
        by_consultation[link.consultation_id].append(link.referral_id)
    return [(c, by_consultation[c.id]) for c in consultations]
