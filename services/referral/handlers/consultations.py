"""Joint mechanism records (联席会商): consultations with the police, linked to referrals."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlmodel import col, select

from services.referral.access import OWNERSHIP
from services.referral.handlers.referrals import Actor
from services.referral.tables import Consultation, ConsultationReferral, Referral
from shared.audit import append_audit
from shared.auth import Principal
from shared.errors import Invalid, NotFound
from shared.messaging import UnitOfWork

CONSULTATION = OWNERSHIP["consultation"]


async def record_consultation(
    uow: UnitOfWork,
    caller: Principal,
    *,
    held_on: date,
    participants: list[str],
    topic: str,
    outcome: str,
    police_unit: str | None,
    referral_ids: list[str],
    actor: Actor,
) -> Consultation:
    """Every linked referral must be one the caller reaches (another team's is as unknown as a missing one)."""
    missing = [rid for rid in referral_ids if not _linkable(caller, await uow.session.get(Referral, rid))]
    if missing:
        raise Invalid("移送案件不存在 Unknown referrals", slug="unknown-referrals", referral_ids=missing)
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


def _linkable(caller: Principal, referral: Referral | None) -> bool:
    return referral is not None and CONSULTATION.allows(caller, referral)


def _reached_links(caller: Principal) -> Any:
    """Links to the referrals the caller reaches: a consultation is reached through them."""
    links = select(ConsultationReferral.consultation_id, ConsultationReferral.referral_id)
    if CONSULTATION.reaches_all(caller):
        return links
    reached = CONSULTATION.where(select(Referral.id), caller, Referral)
    return links.where(col(ConsultationReferral.referral_id).in_(reached))


async def list_consultations(
    uow: UnitOfWork, caller: Principal, *, referral_id: str | None, after: str | None, limit: int
) -> list[tuple[Consultation, list[str]]]:
    """Consultations, each with the linked referrals the caller reaches; a scoped caller sees only those linking
    one it reaches (a consultation linking none is seen by the unscoped roles only)."""
    query = select(Consultation).order_by(col(Consultation.id)).limit(limit)
    if referral_id:
        linked = select(ConsultationReferral.consultation_id).where(
            col(ConsultationReferral.referral_id) == referral_id
        )
        query = query.where(col(Consultation.id).in_(linked))
    if after:
        query = query.where(col(Consultation.id) > after)
    return await _reached(uow, caller, query)


async def get_consultation(uow: UnitOfWork, caller: Principal, consultation_id: str) -> tuple[Consultation, list[str]]:
    """One consultation as the list shows it; 404 for one the caller does not reach, as if it did not exist."""
    found = await _reached(uow, caller, select(Consultation).where(col(Consultation.id) == consultation_id))
    if not found:
        raise NotFound(f"会商不存在 Consultation {consultation_id} not found", slug=CONSULTATION.slug)
    return found[0]


async def _reached(uow: UnitOfWork, caller: Principal, query: Any) -> list[tuple[Consultation, list[str]]]:
    links = _reached_links(caller)
    if not CONSULTATION.reaches_all(caller):
        query = query.where(col(Consultation.id).in_(links.with_only_columns(ConsultationReferral.consultation_id)))
    consultations = list((await uow.session.execute(query)).scalars())
    named = links.where(col(ConsultationReferral.consultation_id).in_([c.id for c in consultations]))
    by_consultation: dict[str, list[str]] = {c.id: [] for c in consultations}
    for consultation_id, linked_referral in (await uow.session.execute(named.order_by(ConsultationReferral.id))).all():
        by_consultation[consultation_id].append(linked_referral)
    return [(c, by_consultation[c.id]) for c in consultations]
