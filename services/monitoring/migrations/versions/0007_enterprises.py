"""Enterprises (排污单位), their outlets (排放口) and dated permit limits (排污许可限值).

Revision ID: 0006_enterprises
Revises: 0006_noise
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_enterprises"
down_revision = "0006_noise"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enterprise",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("town", sa.String(100), nullable=False, index=True),
        sa.Column("industry", sa.String(100), nullable=False, index=True),
        sa.Column("credit_code", sa.String(18), nullable=True),
        sa.Column("permit_number", sa.String(40), nullable=True),
        sa.Column("key_unit", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "outlet",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("enterprise_id", sa.String(36), nullable=False, index=True),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("medium", sa.String(10), nullable=False),
        sa.Column("station_code", sa.String(64), nullable=False, unique=True),
        sa.Column("frequency", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("enterprise_id", "code", name="uq_outlet_enterprise_code"),
    )
    op.create_table(
        "permit_limit",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("outlet_id", sa.String(36), nullable=False),
        sa.Column("parameter", sa.String(30), nullable=False),
        sa.Column("limit", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_permit_limit_outlet_parameter", "permit_limit", ["outlet_id", "parameter"])


def downgrade() -> None:
    op.drop_table("permit_limit")
    op.drop_table("outlet")
    op.drop_table("enterprise")
