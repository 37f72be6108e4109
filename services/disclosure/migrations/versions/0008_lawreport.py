"""The rule-of-law activity register (法治建设活动台账) and the rule-of-law annual report (法治政府建设年度报告).

Revision ID: 0008_lawreport
Revises: 0007_lists
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_lawreport"
down_revision = "0007_lists"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "law_activity",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False, index=True),
        sa.Column("year", sa.Integer(), nullable=False, index=True),
        sa.Column("occurred_on", sa.Date(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("topic", sa.String(30), nullable=True),
        sa.Column("town", sa.String(50), nullable=True),
        sa.Column("enterprises", sa.Integer(), nullable=True),
        sa.Column("problems_solved", sa.Integer(), nullable=True),
        sa.Column("materials", sa.Integer(), nullable=True),
        sa.Column("adviser_type", sa.String(20), nullable=True),
        sa.Column("firm", sa.String(200), nullable=True),
        sa.Column("meetings_attended", sa.Integer(), nullable=True),
        sa.Column("subjects", sa.JSON(), nullable=False),
        sa.Column("dispute_type", sa.String(20), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "rule_of_law_report",
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("activities", sa.JSON(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("drafted_by", sa.String(200), nullable=False),
        sa.Column("approved_by", sa.String(200), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("published_by", sa.String(200), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rule_of_law_report")
    op.drop_table("law_activity")
