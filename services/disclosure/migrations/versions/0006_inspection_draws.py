"""Random inspections as published (双随机、一公开): the draws, each drawn entity with its inspection's result, and
the leads filed as cases (so a drawn inspection's lead shows its case).

Revision ID: 0006_draws
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_draws"
down_revision = "0005"
branch_labels = None
depends_on = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "public_inspection_draw",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("category", sa.String(20), nullable=False, index=True),
        sa.Column("period_kind", sa.String(10), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False, index=True),
        sa.Column("period_number", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("eligible", sa.Integer(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("commitment", sa.String(64), nullable=False),
        sa.Column("inputs_sha256", sa.String(64), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("redraw_of", sa.String(36), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("superseded_by", sa.String(36), nullable=True),
        sa.Column("committed_published_at", _utc(), nullable=False),
        sa.Column("executed_published_at", _utc(), nullable=True),
        sa.Column("seed", sa.String(64), nullable=True),
        sa.Column("public_entropy", sa.String(200), nullable=True),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("entity_names", sa.JSON(), nullable=False),
        sa.Column("officer_credential_numbers", sa.JSON(), nullable=False),
    )
    op.create_table(
        "public_drawn_inspection",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("draw_id", sa.String(36), nullable=False, index=True),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("officer_credential_numbers", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=True),
        sa.Column("inspecting_credential_numbers", sa.JSON(), nullable=False),
        sa.Column("lead_id", sa.String(36), nullable=True, index=True),
        sa.Column("case_filed_on", sa.Date(), nullable=True),
        sa.Column("result_published_at", _utc(), nullable=True),
    )
    op.create_table(
        "public_filed_lead",
        sa.Column("lead_id", sa.String(36), primary_key=True),
        sa.Column("filed_on", sa.Date(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("public_filed_lead")
    op.drop_table("public_drawn_inspection")
    op.drop_table("public_inspection_draw")
