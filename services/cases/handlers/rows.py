"""Row helpers the cases handlers share: new ids, loading a row or 404, a unique clash as 409, keyset pages."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.bounds import LegalAwareDateTime
from shared.errors import Conflict, NotFound
from shared.http import decode_position, encode_cursor
from shared.keyset import Key, keyset, split
from shared.messaging import UnitOfWork

T = TypeVar("T", bound=SQLModel)


def new_id() -> str:
    return str(uuid.uuid4())


async def load(session: AsyncSession, model: type[T], key: str, what: str) -> T:
    found = await session.get(model, key)
    if found is None:
        raise NotFound(f"{what}不存在 {model.__name__} {key} not found")
    return found


async def flush_unique(uow: UnitOfWork, detail: str, *, slug: str) -> None:
    """Flush now so a unique-constraint clash becomes a clear 409, not a 500 at commit."""
    try:
        await uow.session.flush()
    except IntegrityError as exc:
        raise Conflict(detail, slug=slug) from exc


class CreatedPosition(BaseModel):
    """A keyset cursor of the cases lists: the last row's creation time and id."""

    model_config = ConfigDict(extra="forbid")
    t: LegalAwareDateTime
    id: str = Field(max_length=36)


async def page(
    session: AsyncSession, statement: Any, model: type[T], *, cursor: str | None, limit: int
) -> tuple[list[T], str | None]:
    """Keyset page ordered by (created_at, id); the cursor holds the last row's position."""
    position = decode_position(cursor, CreatedPosition)
    fields: Any = model
    keys = (Key(col(fields.created_at)), Key(col(fields.id)))
    after = (position.t, position.id) if position else None
    rows, last = split(list((await session.exec(keyset(statement, keys, after, limit))).all()), limit)
    if last is None:
        return rows, None
    return rows, encode_cursor({"t": last.created_at.isoformat(), "id": last.id})
