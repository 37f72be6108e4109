"""Before-enforcement publication (事前公开): the officer records received from cases, the versions of the lists
the editor keeps (权责清单, 执法流程, 救济渠道, 随机抽查事项清单), and the versions of the published enforcement statistics.

Revision ID: 0007_lists
Revises: 0006_draws
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_lists"
down_revision = "0006_draws"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "public_officer_record",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("officer_id", sa.String(36), nullable=False, index=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(20), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("credential_number", sa.String(50), nullable=False),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("team", sa.String(100), nullable=True),
        sa.Column("credential_valid_until", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    op.create_table(
        "enforcement_list_version",
        sa.Column("list_kind", sa.String(40), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("published_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "enforcement_statistics_release",
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("period", sa.String(10), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("revised_on", sa.Date(), nullable=False),
        sa.Column("published_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("enforcement_statistics_release")
    op.drop_table("enforcement_list_version")
    op.drop_table("public_officer_record")
