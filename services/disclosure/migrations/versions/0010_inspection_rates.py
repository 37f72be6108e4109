"""抽查比例 received from cases (cases.inspection_rates.changed.v1): the draw plan shows the rates in force.

Revision ID: 0010_inspection_rates
Revises: 0009_officer_valid_from
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_inspection_rates"
down_revision = "0009_officer_valid_from"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "public_inspection_rate",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("effective_from", sa.Date(), nullable=False, index=True),
        sa.Column("rates", sa.JSON(), nullable=False),
        sa.Column("skip_inspected_within_months", sa.Integer(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("document_number", sa.String(100), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("public_inspection_rate")
