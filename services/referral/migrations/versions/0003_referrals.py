"""Referrals, their change log, documents, consultations and the procuratorate delivery ledger.

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


def _ts(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _json(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.JSON(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "referral",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("request_id", sa.String(64), nullable=False, unique=True),
        sa.Column("case_id", sa.String(36), nullable=False, index=True),
        sa.Column("case_number", sa.String(100), nullable=False),
        sa.Column("police_unit", sa.String(200), nullable=False, index=True),
        sa.Column("status", sa.String(30), nullable=False, index=True),
        _json("party"),
        sa.Column("party_name", sa.String(200), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=True),
        sa.Column("offence", sa.String(200), nullable=False),
        sa.Column("medium", sa.String(20), nullable=False, index=True),
        sa.Column("summary", sa.Text(), nullable=False),
        _json("threshold_hints"),
        _json("package_items"),
        sa.Column("reported_on", sa.Date(), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=False),
        _ts("approved_at", nullable=False),
        _ts("sent_at"),
        sa.Column("transfer_letter_number", sa.String(100), nullable=True),
        _ts("received_at"),
        sa.Column("receiver", sa.String(200), nullable=True),
        _ts("notice_at"),
        _json("missing_items"),
        _ts("supplemented_at"),
        sa.Column("decision_track", sa.String(20), nullable=False),
        sa.Column("first_decision", sa.String(20), nullable=True),
        _ts("first_decided_at"),
        sa.Column("decision", sa.String(20), nullable=True),
        _ts("decided_at"),
        sa.Column("police_case_number", sa.String(100), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        _ts("reconsideration_requested_at"),
        _ts("reconsideration_answered_at"),
        sa.Column("reconsideration_answer", sa.String(20), nullable=True),
        _ts("supervision_requested_at"),
        _ts("exhibits_handed_over_at"),
        _json("exhibits"),
        sa.Column("version", sa.Integer(), nullable=False),
        _ts("created_at", nullable=False),
        _ts("updated_at", nullable=False),
    )
    op.create_table(
        "referral_change",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("referral_id", sa.String(36), nullable=False, index=True),
        sa.Column("police_unit", sa.String(200), nullable=False),
        sa.Column("step", sa.String(40), nullable=False),
        _ts("at", nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        _json("data"),
        _ts("recorded_at", nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_referral_change_unit_seq", "referral_change", ["police_unit", "seq"])
    op.create_table(
        "referral_document",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("referral_id", sa.String(36), nullable=False, index=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("checklist_item", sa.String(100), nullable=True),
        sa.Column("media_type", sa.String(150), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("stored", sa.Boolean(), nullable=False),
        sa.Column("evidence_id", sa.String(64), nullable=True),
        sa.Column("added_by", sa.String(200), nullable=False),
        _ts("created_at", nullable=False),
    )
    op.create_table(
        "consultation",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("held_on", sa.Date(), nullable=False, index=True),
        _json("participants"),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("police_unit", sa.String(200), nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        _ts("created_at", nullable=False),
    )
    op.create_table(
        "consultation_referral",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("consultation_id", sa.String(36), nullable=False, index=True),
        sa.Column("referral_id", sa.String(36), nullable=False, index=True),
        sa.UniqueConstraint("consultation_id", "referral_id"),
    )
    op.create_table(
        "procuratorate_delivery",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("referral_id", sa.String(36), nullable=False, index=True),
        sa.Column("kind", sa.String(40), nullable=False),
        _json("payload"),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        _ts("created_at", nullable=False),
        _ts("last_attempt_at"),
        _ts("delivered_at"),
    )


def downgrade() -> None:
    for table in (
        "procuratorate_delivery",
        "consultation_referral",
        "consultation",
        "referral_document",
        "referral_change",
        "referral",
    ):
        op.drop_table(table)
