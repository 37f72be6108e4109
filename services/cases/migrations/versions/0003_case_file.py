"""Registers (teams, officers, parties), the case file, and decision service/revocation columns.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _id() -> sa.Column[str]:
    return sa.Column("id", sa.String(36), primary_key=True)


def _ts(name: str = "created_at") -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _s(name: str, length: int, *, nullable: bool = True, index: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(length), nullable=nullable, index=index)


def _registers() -> None:
    op.create_table("team", _id(), _s("name", 100, nullable=False), _ts(), sa.UniqueConstraint("name"))
    op.create_table(
        "officer",
        _id(),
        _s("name", 100, nullable=False),
        _s("subject", 200, index=True),
        _s("credential_number", 50, nullable=False),
        sa.Column("credential_valid_until", sa.Date()),
        sa.Column("legal_qualification", sa.Boolean(), nullable=False),
        _s("team_id", 36, index=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _ts(),
        sa.UniqueConstraint("credential_number"),
    )
    op.create_table(
        "party",
        _id(),
        _s("party_type", 20, nullable=False),
        _s("name", 200, nullable=False, index=True),
        _s("credit_code", 18),
        _s("id_number", 18),
        _s("legal_representative", 100),
        _s("address", 300),
        _s("town", 50, index=True),
        sa.Column("version", sa.Integer(), nullable=False),
        _ts(),
        sa.UniqueConstraint("credit_code"),
        sa.UniqueConstraint("id_number"),
    )


def _field_work() -> None:
    op.create_table(
        "inspection",
        _id(),
        _ts("inspected_at"),
        sa.Column("inspected_on", sa.Date(), nullable=False, index=True),
        _s("place", 300, nullable=False),
        _s("party_id", 36, index=True),
        sa.Column("officer_ids", sa.JSON(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        _s("lead_id", 36),
        _s("recorded_by", 200, nullable=False),
        _ts(),
    )
    op.create_table(
        "lead",
        _id(),
        _s("source", 30, nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False, index=True),
        sa.Column("summary", sa.Text(), nullable=False),
        _s("party_id", 36),
        _s("town", 50),
        _s("inspection_id", 36),
        _s("exceedance_id", 64),
        sa.Column("details", sa.JSON()),
        _s("status", 20, nullable=False, index=True),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        _s("decided_by", 200),
        sa.Column("decided_on", sa.Date()),
        sa.Column("decline_reason", sa.Text()),
        _s("case_id", 36),
        sa.Column("version", sa.Integer(), nullable=False),
        _ts(),
        sa.UniqueConstraint("exceedance_id"),
    )


def _cases() -> None:
    dates = ("notice_received_on", "answer_due_on", "party_answered_on", "hearing_requested_on", "hearing_held_on")
    later = ("decided_on", "served_on", "paid_on", "demand_on")
    op.create_table(
        "enforcement_case",
        _id(),
        _s("case_number", 100, nullable=False),
        _s("lead_id", 36),
        _s("party_id", 36, nullable=False, index=True),
        _s("party_name", 200, nullable=False),
        _s("party_type", 20, nullable=False),
        _s("town", 50, index=True),
        _s("team", 100, index=True),
        _s("medium", 20),
        sa.Column("summary", sa.Text(), nullable=False),
        _s("stage", 30, nullable=False, index=True),
        sa.Column("investigators", sa.JSON(), nullable=False),
        _s("people", 400, nullable=False),
        _s("reviewer_id", 36),
        _s("legal_reviewer_id", 36),
        _s("legal_opinion", 20),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("proposed", sa.JSON(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False, index=True),
        sa.Column("decision_due_on", sa.Date(), nullable=False),
        sa.Column("head_extension", sa.Boolean(), nullable=False),
        sa.Column("collective_extension", sa.Boolean(), nullable=False),
        *(sa.Column(name, sa.Date()) for name in dates),
        _s("meeting_id", 36),
        _s("decision_id", 36),
        *(sa.Column(name, sa.Date()) for name in later),
        sa.Column("money_due_fen", sa.BigInteger(), nullable=False),
        sa.Column("closed_on", sa.Date(), index=True),
        _s("outcome", 30),
        sa.Column("referral_requested", sa.Boolean(), nullable=False),
        sa.Column("police_decision", sa.Text()),
        sa.Column("publicity", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _ts(),
        _ts("updated_at"),
        sa.UniqueConstraint("case_number"),
    )
    op.create_table(
        "clock_stop",
        _id(),
        _s("case_id", 36, nullable=False, index=True),
        _s("reason", 30, nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date()),
        _s("ref", 64),
    )


def _records() -> None:
    op.create_table(
        "review_meeting",
        _id(),
        sa.Column("held_on", sa.Date(), nullable=False, index=True),
        sa.Column("attendees", sa.JSON(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=False),
        _s("recorded_by", 200, nullable=False),
        _ts(),
    )
    op.create_table(
        "referral_request",
        _id(),
        _s("case_id", 36, nullable=False, index=True),
        _s("offence", 100, nullable=False),
        _s("medium", 20, nullable=False),
        _s("police_unit", 100, nullable=False),
        sa.Column("package_items", sa.JSON(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("threshold_hints", sa.JSON(), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False, index=True),
        _s("status", 20, nullable=False),
        _s("requested_by", 200, nullable=False),
    )
    op.create_table(
        "evidence",
        _id(),
        _s("case_id", 36, nullable=False, index=True),
        _s("kind", 20, nullable=False),
        _s("filename", 255, nullable=False),
        _s("content_type", 100, nullable=False),
        _s("sha256", 64, nullable=False, index=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        _s("captured_by", 200, nullable=False),
        _ts("captured_at"),
        _s("uploaded_by", 200, nullable=False),
        _ts(),
    )


def upgrade() -> None:
    _registers()
    _field_work()
    _cases()
    _records()
    with op.batch_alter_table("decision") as batch:
        batch.add_column(sa.Column("terms", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("served_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("service_method", sa.String(40), nullable=True))
        batch.add_column(sa.Column("revoked_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("change_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("decision") as batch:
        for name in ("version", "change_reason", "revoked_on", "service_method", "served_on", "terms"):
            batch.drop_column(name)
    for table in (
        "evidence",
        "referral_request",
        "review_meeting",
        "clock_stop",
        "enforcement_case",
        "lead",
        "inspection",
        "party",
        "officer",
        "team",
    ):
        op.drop_table(table)
