"""Gapless per-(kind, year) counters for document and case numbers."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from services.cases.tables import DocumentSequence
from shared.messaging import UnitOfWork


async def next_document_seq(uow: UnitOfWork, *, kind: str, year: int) -> int:
    """Bump the (kind, year) counter atomically; the row stays locked until commit, so numbers are gapless.

    A transaction that rolls back also rolls back its bump, so a refused request never burns a number; a
    concurrent issuer of the same kind and year waits on the row lock until this transaction ends.
    """
    dialect = uow.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(DocumentSequence)
        .values(kind=kind, year=year, last_seq=1)
        .on_conflict_do_update(index_elements=["kind", "year"], set_={"last_seq": DocumentSequence.last_seq + 1})
        .returning(col(DocumentSequence.last_seq))
    )
    result = await uow.session.execute(statement)
    return int(result.scalar_one())
