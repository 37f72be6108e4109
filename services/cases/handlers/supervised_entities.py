"""Use cases of the registry of supervised entities (监管对象名录): CSV import, reading, and keeping each entity's
last inspection current."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from services.cases.domain.registry import REQUIRED_COLUMNS, RegistryRow, RowError, registry_row
from services.cases.handlers.rows import load, new_id, page
from services.cases.tables import Inspection, Party, SupervisedEntity
from shared.audit import append_audit, audit_batch
from shared.contracts.common import PartyType
from shared.csv_export import BOM, is_dangerous
from shared.errors import Invalid
from shared.messaging import UnitOfWork

MAX_ROWS = 10_000


@dataclass(frozen=True)
class ImportCounts:
    created: int
    updated: int
    parties_registered: int


def _cell(value: str | None) -> str:
    """A cell as typed: the ``'`` our CSV writer puts before a formula-like cell is taken off again."""
    text = value or ""
    return text[1:] if text.startswith("'") and is_dangerous(text[1:]) else text


def read_registry_csv(text: str) -> tuple[list[RegistryRow], list[dict[str, object]]]:
    """The file's rows and its bad lines (``{"line", "error"}``); a bad header is one bad line 1."""
    reader = csv.DictReader(io.StringIO(text.removeprefix(BOM)))
    try:
        header = [h.strip() for h in reader.fieldnames or []]
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            return [], [{"line": 1, "error": f"表头缺少 header lacks {', '.join(missing)}"}]
        reader.fieldnames = header
        rows: list[RegistryRow] = []
        bad: list[dict[str, object]] = []
        for raw in reader:
            line = reader.line_num
            if None in raw:
                bad.append({"line": line, "error": "列数多于表头 more cells than the header names"})
                continue
            try:
                rows.append(registry_row(line, {k: _cell(v) for k, v in raw.items()}))
            except RowError as exc:
                bad.append({"line": line, "error": str(exc)})
            if len(rows) + len(bad) > MAX_ROWS:
                return [], [{"line": line, "error": f"超过{MAX_ROWS}行 more than {MAX_ROWS} rows"}]
    except csv.Error as exc:
        return [], [{"line": reader.line_num, "error": f"CSV: {exc}"}]
    return rows, bad


def _check_parties(rows: list[RegistryRow], parties: dict[str, Party]) -> list[dict[str, object]]:
    bad: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for row in rows:
        party = parties.get(row.credit_code)
        if row.credit_code in seen:
            bad.append(
                {
                    "line": row.line,
                    "error": f"与第{seen[row.credit_code]}行重复 same code as line {seen[row.credit_code]}",
                }
            )
        elif party is None and row.name is None:
            bad.append({"line": row.line, "error": "当事人未登记且未给出名称 unregistered party and no name given"})
        elif party is not None and party.party_type == PartyType.INDIVIDUAL:
            bad.append({"line": row.line, "error": "自然人不列入名录 an individual is not a supervised entity"})
        seen.setdefault(row.credit_code, row.line)
    return bad


async def import_registry(uow: UnitOfWork, text: str, *, actor: str) -> ImportCounts:
    """Every line or none: any bad line is a 422 listing all of them, and nothing is written."""
    rows, bad = read_registry_csv(text)
    codes = sorted({r.credit_code for r in rows})
    found = (await uow.session.exec(select(Party).where(col(Party.credit_code).in_(codes)))).all()
    parties = {p.credit_code: p for p in found if p.credit_code}
    bad = sorted(bad + _check_parties(rows, parties), key=lambda b: int(str(b["line"])))
    if bad or not rows:
        raise Invalid(
            "名录导入有误，未写入任何记录 The registry file has bad lines; nothing was imported",
            slug="bad-registry-rows",
            rows=bad or [{"line": 1, "error": "文件没有数据行 no data rows"}],
        )
    party_ids = [p.id for p in parties.values()]
    existing = await uow.session.exec(select(SupervisedEntity).where(col(SupervisedEntity.party_id).in_(party_ids)))
    entities = {e.party_id: e for e in existing.all()}
    created = updated = registered = 0
    acts: list[tuple[SupervisedEntity, str, dict[str, Any]]] = []
    for row in rows:
        party = parties.get(row.credit_code)
        if party is None:
            assert row.name is not None  # checked above
            party = Party(
                id=new_id(), party_type=row.party_type, name=row.name, credit_code=row.credit_code, town=row.town
            )
            uow.session.add(party)
            registered += 1
        entity = entities.get(party.id)
        if entity is None:
            entity = SupervisedEntity(id=new_id(), party_id=party.id, name=party.name, category=row.category.value)
            created += 1
            action = "registered"
        else:
            entity.version += 1
            updated += 1
            action = "updated"
        entity.category, entity.active = row.category.value, True
        entity.town = row.town or entity.town or party.town
        entity.industry = row.industry or entity.industry
        uow.session.add(entity)
        data = {"party_id": party.id, "category": entity.category, "town": entity.town, "industry": entity.industry}
        acts.append((entity, action, data))
    # The rows are written by one flush (the first append's) and their audit rows by one insert, in file order,
    # instead of a flush and an insert per line.
    async with audit_batch(uow.session):
        for entity, action, data in acts:
            await append_audit(
                uow.session, actor=actor, entity_type="supervised_entity", entity_id=entity.id, action=action,
                data=data,
            )  # fmt: skip
    return ImportCounts(created, updated, registered)


async def list_entities(
    uow: UnitOfWork, *, category: str | None, town: str | None, cursor: str | None, limit: int
) -> tuple[list[SupervisedEntity], str | None]:
    statement = select(SupervisedEntity)
    if category:
        statement = statement.where(SupervisedEntity.category == category)
    if town:
        statement = statement.where(SupervisedEntity.town == town)
    return await page(uow.session, statement, SupervisedEntity, cursor=cursor, limit=limit)


async def get_entity(uow: UnitOfWork, entity_id: str) -> SupervisedEntity:
    return await load(uow.session, SupervisedEntity, entity_id, "监管对象")


async def note_inspection(uow: UnitOfWork, inspection: Inspection) -> None:
    """Keep the registry's last inspection current (a later-recorded earlier inspection changes nothing)."""
    if inspection.party_id is None:
        return
    found = await uow.session.exec(select(SupervisedEntity).where(SupervisedEntity.party_id == inspection.party_id))
    entity = found.first()
    if entity is None or (entity.last_inspected_on and entity.last_inspected_on > inspection.inspected_on):
        return
    entity.last_inspected_on = inspection.inspected_on
    entity.last_result = inspection.result
    entity.last_officer_ids = list(inspection.officer_ids)
    entity.version += 1
    uow.session.add(entity)
