"""Tables every service has in its own database: the outbox, the inbox and dead letters."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Column, Index, Integer, Text, text
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


class OutboxRecord(SQLModel, table=True):
    """An event written in the same transaction as the state change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index(
            "ix_outbox_unpublished",
            "id",
            postgresql_where=text("published_at IS NULL"),
            sqlite_where=text("published_at IS NULL"),
        ),
    )

    id: int | None = Field(
        default=None, sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    )
    event_id: str = Field(max_length=36, unique=True)
    event_type: str = Field(max_length=120)
    topic: str = Field(max_length=120)
    key: str = Field(max_length=200)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class InboxRecord(SQLModel, table=True):
    """An event a consumer has handled; the primary key makes a redelivery fail cleanly."""

    __tablename__ = "inbox"

    consumer: str = Field(max_length=100, primary_key=True)
    event_id: str = Field(max_length=64, primary_key=True)
    event_type: str = Field(max_length=120)
    outcome: str = Field(max_length=20, description="applied | dead_letter")
    processed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DeadLetter(SQLModel, table=True):
    """A poison event set aside after bounded retries, with the error, so it does not block its partition."""

    __tablename__ = "dead_letter"

    id: int | None = Field(default=None, primary_key=True)
    consumer: str = Field(max_length=100, index=True)
    event_id: str = Field(max_length=64)
    event_type: str = Field(max_length=120)
    topic: str = Field(max_length=120)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    error: str = Field(sa_column=Column(Text, nullable=False))
    attempts: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
