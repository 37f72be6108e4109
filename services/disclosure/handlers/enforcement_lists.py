"""The lists published before enforcement (事前公开) that the editor keeps: 权责清单, 执法流程, 救济渠道 and
随机抽查事项清单. Each change is a new version of the whole list; the public reads the newest and any earlier one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from services.disclosure.schemas import (
    AuthorityListPublic,
    AuthorityListUpdate,
    InspectionListPublic,
    InspectionListUpdate,
    ListUpdate,
    ListVersionFields,
    ListVersionList,
    ListVersionSummary,
    ProcedureListPublic,
    ProcedureListUpdate,
    RemedyListPublic,
    RemedyListUpdate,
)
from services.disclosure.tables import EnforcementListVersion
from shared.audit import append_audit
from shared.errors import NotFound, PreconditionFailed
from shared.http import etag_of
from shared.messaging import UnitOfWork


@dataclass(frozen=True)
class ListKind:
    """One list: its path segment (also its key), Chinese title, and the schemas of a new version and of a version."""

    slug: str
    title: str
    update: type[ListUpdate]
    public: type[ListVersionFields]


LIST_KINDS: tuple[ListKind, ...] = (
    ListKind("authority-list", "行政执法权责清单", AuthorityListUpdate, AuthorityListPublic),
    ListKind("procedures", "行政执法流程", ProcedureListUpdate, ProcedureListPublic),
    ListKind("remedies", "行政复议和行政诉讼救济渠道", RemedyListUpdate, RemedyListPublic),
    ListKind("random-inspection-items", "随机抽查事项清单", InspectionListUpdate, InspectionListPublic),
)
BY_SLUG = {kind.slug: kind for kind in LIST_KINDS}


def list_etag(kind: ListKind, version: int) -> str:
    return etag_of("enforcement-list", kind.slug, version)


def _view(kind: ListKind, row: EnforcementListVersion | None) -> ListVersionFields:
    fields: dict[str, object]
    if row is None:  # nothing published yet: version 0, which the first change names in its If-Match
        fields = {"version": 0, "published_on": None, "note": "", "items": []}
    else:
        fields = {"version": row.version, "published_on": row.published_on, "note": row.note, "items": row.items}
    return kind.public.model_validate({"list_kind": kind.slug, "title": kind.title, **fields})


async def _latest(uow: UnitOfWork, kind: ListKind) -> EnforcementListVersion | None:
    statement = (
        select(EnforcementListVersion)
        .where(EnforcementListVersion.list_kind == kind.slug)
        .order_by(col(EnforcementListVersion.version).desc())
        .limit(1)
    )
    return (await uow.session.exec(statement)).first()


async def current_list(uow: UnitOfWork, kind: ListKind) -> ListVersionFields:
    """The newest version, or version 0 (empty) before the first."""
    return _view(kind, await _latest(uow, kind))


async def published_list(uow: UnitOfWork, kind: ListKind, version: int | None) -> ListVersionFields:
    """A published version (the newest when ``version`` is None); 404 if there is none."""
    if version is None:
        row = await _latest(uow, kind)
    else:
        row = await uow.session.get(EnforcementListVersion, (kind.slug, version))
    if row is None:
        raise NotFound(f"{kind.title}尚无此版本 No such published version of {kind.slug}")
    return _view(kind, row)


async def list_versions(uow: UnitOfWork, kind: ListKind) -> ListVersionList:
    statement = (
        select(EnforcementListVersion)
        .where(EnforcementListVersion.list_kind == kind.slug)
        .order_by(col(EnforcementListVersion.version).desc())
    )
    rows = (await uow.session.exec(statement)).all()
    items = [
        ListVersionSummary(version=r.version, published_on=r.published_on, note=r.note, items=len(r.items))
        for r in rows
    ]
    return ListVersionList(list_kind=kind.slug, title=kind.title, items=items)


async def publish_version(
    uow: UnitOfWork, kind: ListKind, body: BaseModel, *, read_version: int, today: date, actor: str
) -> ListVersionFields:
    """发布新版本: the whole list as ``body`` gives it becomes version n+1, if n is still the newest (the caller
    checked its If-Match against n); of two editors changing the same version, the second gets 412."""
    latest = await _latest(uow, kind)
    if (latest.version if latest else 0) != read_version:
        raise PreconditionFailed("数据已被他人修改 The list changed since you read it")
    data = body.model_dump(mode="json")
    row = EnforcementListVersion(
        list_kind=kind.slug,
        version=read_version + 1,
        items=data["items"],
        note=data.get("note", ""),
        published_on=today,
        published_by=actor,
    )
    uow.session.add(row)
    try:
        await uow.session.flush()
    except IntegrityError as exc:  # a concurrent change made the same version first
        raise PreconditionFailed("数据已被他人修改 The list changed since you read it") from exc
    await append_audit(
        uow.session,
        actor=actor,
        entity_type="enforcement_list",
        entity_id=kind.slug,
        action="published",
        data={"version": row.version, "items": len(row.items), "note": row.note},
    )
    return _view(kind, row)
