"""The enterprise register (排污单位): enterprises, their outlets (排放口, each measured by a pollution-source
station) and dated permit limits (排污许可限值). Staff keep it; the enterprise register belongs to no team."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from services.monitoring.domain.enterprises import Limit, OverlappingLimit, check_new_limit
from services.monitoring.schemas import (
    EnterpriseCreate,
    EnterpriseUpdate,
    OutletCreate,
    PermitLimitCreate,
    RejectedReadingPublic,
)
from services.monitoring.tables import Enterprise, Outlet, PermitLimit, Station
from shared.audit import append_audit
from shared.auth import Principal
from shared.errors import Conflict, Invalid, NotFound
from shared.messaging import UnitOfWork
from shared.messaging.tables import utcnow

IMPORT_COLUMNS = ("code", "name", "town", "industry", "credit_code", "permit_number", "key_unit")
MAX_IMPORT_ROWS = 5000


@dataclass(frozen=True)
class OutletView:
    outlet: Outlet
    limits: list[PermitLimit]


@dataclass(frozen=True)
class EnterpriseView:
    enterprise: Enterprise
    outlets: list[OutletView]


async def create_enterprise(uow: UnitOfWork, body: EnterpriseCreate, *, actor: Principal) -> Enterprise:
    enterprise = Enterprise(id=str(uuid.uuid4()), **body.model_dump())
    uow.session.add(enterprise)
    try:
        await uow.session.flush()
    except IntegrityError as exc:
        raise Conflict(f"排污单位编码已存在 Enterprise {body.code} exists", slug="enterprise-exists") from exc
    await _audit(uow, actor, enterprise, "created", {"code": enterprise.code, "name": enterprise.name})
    return enterprise


async def _audit(
    uow: UnitOfWork, actor: Principal, enterprise: Enterprise, action: str, data: dict[str, object]
) -> None:
    await append_audit(
        uow.session, actor=actor.subject, entity_type="enterprise", entity_id=enterprise.id, action=action, data=data
    )


async def update_enterprise(
    uow: UnitOfWork, enterprise: Enterprise, body: EnterpriseUpdate, *, actor: Principal
) -> Enterprise:
    for name, value in body.model_dump().items():
        setattr(enterprise, name, value)
    await _touch(uow, enterprise, actor, "updated", body.model_dump(include={"name", "town", "industry"}))
    return enterprise


async def get_enterprise(uow: UnitOfWork, code: str) -> Enterprise:
    found: Enterprise | None = (
        await uow.session.execute(select(Enterprise).where(Enterprise.code == code))
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"排污单位不存在 Enterprise {code} not found", slug="enterprise-not-found")
    return found


async def list_enterprises(
    uow: UnitOfWork, *, town: str | None, industry: str | None, after: str | None, limit: int
) -> list[Enterprise]:
    """By code, ``limit`` rows after the code ``after``."""
    query = select(Enterprise).order_by(col(Enterprise.code)).limit(limit)
    if town:
        query = query.where(Enterprise.town == town)
    if industry:
        query = query.where(Enterprise.industry == industry)
    if after:
        query = query.where(col(Enterprise.code) > after)
    return list((await uow.session.execute(query)).scalars())


async def views(uow: UnitOfWork, enterprises: Sequence[Enterprise]) -> list[EnterpriseView]:
    """The enterprises with their outlets and limits, in two queries."""
    ids = [e.id for e in enterprises]
    outlets = list(
        (
            await uow.session.execute(
                select(Outlet).where(col(Outlet.enterprise_id).in_(ids)).order_by(col(Outlet.code))
            )
        ).scalars()
    )
    limits = await _limits(uow, [o.id for o in outlets])
    by_enterprise: dict[str, list[OutletView]] = {}
    for outlet in outlets:
        by_enterprise.setdefault(outlet.enterprise_id, []).append(OutletView(outlet, limits.get(outlet.id, [])))
    return [EnterpriseView(e, by_enterprise.get(e.id, [])) for e in enterprises]


async def view(uow: UnitOfWork, enterprise: Enterprise) -> EnterpriseView:
    [found] = await views(uow, [enterprise])
    return found


async def _limits(uow: UnitOfWork, outlet_ids: Sequence[str]) -> dict[str, list[PermitLimit]]:
    found: dict[str, list[PermitLimit]] = {}
    for start in range(0, len(outlet_ids), 500):  # bounded IN lists
        query = (
            select(PermitLimit)
            .where(col(PermitLimit.outlet_id).in_(outlet_ids[start : start + 500]))
            .order_by(col(PermitLimit.parameter), col(PermitLimit.valid_from))
        )
        for row in (await uow.session.execute(query)).scalars():
            found.setdefault(row.outlet_id, []).append(row)
    return found


def as_limit(row: PermitLimit) -> Limit:
    return Limit(row.parameter, row.limit, row.unit, row.valid_from, row.valid_to)


async def add_outlet(uow: UnitOfWork, enterprise: Enterprise, body: OutletCreate, *, actor: Principal) -> Outlet:
    """An outlet measured by an existing pollution-source station that no other outlet uses."""
    station = (await uow.session.execute(select(Station).where(Station.code == body.station_code))).scalar_one_or_none()
    if station is None or station.kind != "pollution_source":
        raise Invalid(
            f"{body.station_code} 不是污染源监测站点 is not a pollution-source station", slug="not-a-source-station"
        )
    outlet = Outlet(id=str(uuid.uuid4()), enterprise_id=enterprise.id, **body.model_dump(exclude={"limits"}))
    uow.session.add(outlet)
    try:
        await uow.session.flush()
    except IntegrityError as exc:
        raise Conflict(
            f"排放口编号或站点已登记 Outlet {body.code} or station {body.station_code} is registered",
            slug="outlet-exists",
        ) from exc
    rows: list[PermitLimit] = []
    for limit in body.limits:
        await _add_limit(uow, outlet, rows, limit)
    await _touch(uow, enterprise, actor, "outlet-added", {"outlet": outlet.code, "station": outlet.station_code})
    return outlet


async def get_outlet(uow: UnitOfWork, enterprise: Enterprise, code: str) -> Outlet:
    query = select(Outlet).where(Outlet.enterprise_id == enterprise.id, Outlet.code == code)
    found: Outlet | None = (await uow.session.execute(query)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"排放口不存在 Outlet {code} not found", slug="outlet-not-found")
    return found


async def add_limit(
    uow: UnitOfWork, enterprise: Enterprise, outlet: Outlet, body: PermitLimitCreate, *, actor: Principal
) -> PermitLimit:
    """A new permit period of one pollutant; it may not overlap one already recorded (end that one first)."""
    existing = await _limits(uow, [outlet.id])
    added = await _add_limit(uow, outlet, existing.get(outlet.id, []), body)
    await _touch(uow, enterprise, actor, "limit-added", {"outlet": outlet.code, **body.model_dump(mode="json")})
    return added


async def _add_limit(uow: UnitOfWork, outlet: Outlet, rows: list[PermitLimit], body: PermitLimitCreate) -> PermitLimit:
    """Add the limit to the outlet's ``rows`` (kept up to date); an open-ended limit it renews ends the day before."""
    try:
        superseded = check_new_limit(
            [as_limit(r) for r in rows], Limit(body.parameter, body.limit, body.unit, body.valid_from, body.valid_to)
        )
    except OverlappingLimit as exc:
        raise Invalid(f"许可限值期间重叠 {exc}", slug="overlapping-permit-limit") from exc
    if superseded is not None:
        [ended] = [r for r in rows if as_limit(r) == superseded]
        ended.valid_to = body.valid_from - timedelta(days=1)
        uow.session.add(ended)
    row = PermitLimit(id=str(uuid.uuid4()), outlet_id=outlet.id, **body.model_dump())
    uow.session.add(row)
    await uow.session.flush()
    rows.append(row)
    return row


async def _touch(
    uow: UnitOfWork, enterprise: Enterprise, actor: Principal, action: str, data: dict[str, object]
) -> None:
    enterprise.version += 1
    enterprise.updated_at = utcnow()
    uow.session.add(enterprise)
    await _audit(uow, actor, enterprise, action, {"code": enterprise.code, **data})


async def import_enterprises(
    uow: UnitOfWork, text: str, *, actor: Principal
) -> tuple[int, list[RejectedReadingPublic]]:
    """CSV with a header naming the columns (code, name, town, industry required); a code already registered and a
    bad line are reported by index, the others registered."""
    reader = csv.DictReader(io.StringIO(text))
    missing = {"code", "name", "town", "industry"} - set(reader.fieldnames or ())
    if missing:
        raise Invalid(f"CSV 缺少列 Missing columns: {', '.join(sorted(missing))}", slug="missing-columns")
    bodies: list[tuple[int, EnterpriseCreate]] = []
    rejected: list[RejectedReadingPublic] = []
    try:
        rows = list(reader)
    except csv.Error as exc:  # a field past the csv module's limit, a NUL byte
        raise Invalid(f"CSV 无法读取 Unreadable CSV: {exc}", slug="bad-csv") from exc
    for index, row in enumerate(rows):
        if index >= MAX_IMPORT_ROWS:
            raise Invalid(f"每次最多 {MAX_IMPORT_ROWS} 行 At most {MAX_IMPORT_ROWS} lines", slug="too-many-rows")
        fields = {k: (v or "").strip() for k, v in row.items() if k in IMPORT_COLUMNS}
        fields = {k: v for k, v in fields.items() if v}
        fields["key_unit"] = fields.get("key_unit", "").lower() in ("1", "true", "yes", "是")
        try:
            bodies.append((index, EnterpriseCreate.model_validate(fields)))
        except ValidationError as exc:
            rejected.append(RejectedReadingPublic(index=index, reason=_first_error(exc)))
    query = select(col(Enterprise.code)).where(col(Enterprise.code).in_([b.code for _, b in bodies]))
    known = set((await uow.session.execute(query)).scalars())
    created = 0
    for index, body in bodies:
        if body.code in known:
            rejected.append(RejectedReadingPublic(index=index, reason=f"enterprise {body.code} exists"))
            continue
        known.add(body.code)
        uow.session.add(Enterprise(id=str(uuid.uuid4()), **body.model_dump()))
        created += 1
    await append_audit(
        uow.session, actor=actor.subject, entity_type="enterprise", entity_id="import", action="imported",
        data={"created": created, "rejected": len(rejected)},
    )  # fmt: skip
    return created, sorted(rejected, key=lambda r: r.index)


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}"


async def permit_limits(uow: UnitOfWork, station_codes: Iterable[str]) -> dict[str, list[Limit]]:
    """The permit limits of the outlets the stations measure, by station code; a station that measures no outlet
    is absent (its own ``emission_limits`` apply)."""
    codes = list(set(station_codes))
    if not codes:
        return {}
    outlets = {
        o.id: o.station_code
        for o in (await uow.session.execute(select(Outlet).where(col(Outlet.station_code).in_(codes)))).scalars()
    }
    limits = await _limits(uow, list(outlets))
    return {station: [as_limit(r) for r in limits.get(outlet_id, [])] for outlet_id, station in outlets.items()}
