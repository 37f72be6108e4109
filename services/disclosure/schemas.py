"""Request and response models of the disclosure API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from shared.contracts.common import DecisionKind


class DueDate(BaseModel):
    due_on: date = Field(description="公示截止日期")
    working_days: int
    provisional: bool = Field(description="true when the holiday calendar for a year involved is not yet known")


class PublicationStaff(BaseModel):
    id: str
    decision_id: str
    kind: DecisionKind
    document_number: str
    party_name: str
    decided_on: date
    due_on: date
    due_provisional: bool
    status: str
    created_at: datetime


class PublicationList(BaseModel):
    items: list[PublicationStaff]
    next_cursor: str | None
