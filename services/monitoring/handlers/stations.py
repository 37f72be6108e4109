"""Stations (监测站点): create, read, list, update."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from services.monitoring.handlers.passwords import hash_password
from services.monitoring.schemas import StationCreate, StationUpdate
from services.monitoring.tables import Station
from shared.audit import append_audit
from shared.auth import Principal
from shared.errors import Conflict, Invalid, NotFound
from shared.messaging import UnitOfWork
from shared.messaging.tables import utcnow


def _audit_data(station: Station) -> dict[str, object]:
    return {"code": station.code, "kind": station.kind, "name": station.name, "version": station.version}


async def create_station(uow: UnitOfWork, body: StationCreate, *, actor: Principal) -> Station:
    fields = body.model_dump(exclude={"password", "emission_limits"})
    station = Station(
        id=str(uuid.uuid4()),
        **fields,
        emission_limits={k: v.model_dump() for k, v in body.emission_limits.items()},
        # argon2 is slow on purpose: off the event loop, which serves the other requests and HJ 212 meanwhile
        password_hash=await asyncio.to_thread(hash_password, body.password) if body.password else None,
    )
    uow.session.add(station)
    try:
        await uow.session.flush()
    except IntegrityError as exc:
        raise Conflict(f"站点编码已存在 Station code {body.code} exists", slug="station-exists") from exc
    await append_audit(
        uow.session, actor=actor.subject, entity_type="station", entity_id=station.id, action="created",
        data=_audit_data(station),
    )  # fmt: skip
    return station


async def get_station(uow: UnitOfWork, code: str) -> Station:
    found: Station | None = (
        await uow.session.execute(select(Station).where(Station.code == code))
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"站点不存在 Station {code} not found", slug="station-not-found")
    return found


async def stations_by_code(uow: UnitOfWork, codes: Iterable[str]) -> dict[str, Station]:
    wanted = list(set(codes))
    found: dict[str, Station] = {}
    for start in range(0, len(wanted), 500):  # bounded IN lists
        query = select(Station).where(col(Station.code).in_(wanted[start : start + 500]))
        found.update({s.code: s for s in (await uow.session.execute(query)).scalars()})
    return found


async def list_stations(
    uow: UnitOfWork, *, kind: str | None, town: str | None, after: str | None, limit: int
) -> list[Station]:
    query = select(Station).order_by(col(Station.code)).limit(limit)
    if kind:
        query = query.where(Station.kind == kind)
    if town:
        query = query.where(Station.town == town)
    if after:
        query = query.where(col(Station.code) > after)
    return list((await uow.session.execute(query)).scalars())


async def update_station(uow: UnitOfWork, station: Station, body: StationUpdate, *, actor: Principal) -> Station:
    if station.kind == "water_section" and (body.water_body is None or body.target_class is None):
        raise Invalid("断面需要水体类型和考核目标 A water section needs water_body and target_class")
    if body.noise_kind == "functional_zone" and body.noise_zone_class is None:
        raise Invalid("功能区监测点需要功能区类别 A functional-zone point needs noise_zone_class")
    for name, value in body.model_dump(exclude={"password", "emission_limits"}).items():
        setattr(station, name, value)
    station.emission_limits = {k: v.model_dump() for k, v in body.emission_limits.items()}
    if body.password:
        station.password_hash = await asyncio.to_thread(hash_password, body.password)
    station.version += 1
    station.updated_at = utcnow()
    uow.session.add(station)
    await append_audit(
        uow.session, actor=actor.subject, entity_type="station", entity_id=station.id, action="updated",
        data={**_audit_data(station), "password_changed": bool(body.password)},
    )  # fmt: skip
    return station


async def deactivate_station(uow: UnitOfWork, station: Station, *, actor: Principal) -> Station:
    """停用: the station stops sending (batch and HJ 212 refuse it) and leaves bulletins; its data stays."""
    station.active = False
    station.version += 1
    station.updated_at = utcnow()
    uow.session.add(station)
    await append_audit(
        uow.session, actor=actor.subject, entity_type="station", entity_id=station.id, action="deactivated",
        data=_audit_data(station),
    )  # fmt: skip
    return station
