"""抽查比例 entered by the head: dated rows per category (table ``inspection_rate``), and the row each draw used.

Revision ID: 0009_inspection_rates
Revises: 0008_officer_valid_from
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_inspection_rates"
down_revision = "0008_officer_valid_from"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inspection_rate",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("effective_from", sa.Date(), nullable=False, unique=True),
        sa.Column("rates", sa.JSON(), nullable=False),
        sa.Column("skip_inspected_within_months", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(), nullable=False),
        sa.Column("document_number", sa.String(100), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("inspection_draw") as batch:
        batch.add_column(sa.Column("rate_id", sa.String(36), nullable=True))
        batch.create_index("ix_inspection_draw_rate_id", ["rate_id"])


def downgrade() -> None:
    with op.batch_alter_table("inspection_draw") as batch:
        batch.drop_index("ix_inspection_draw_rate_id")
        batch.drop_column("rate_id")
    op.drop_table("inspection_rate")
