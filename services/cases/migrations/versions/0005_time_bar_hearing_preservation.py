"""The violation's dates on a case (time bar), the hearing notice and date, evidence registered and preserved.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enforcement_case") as batch:
        batch.add_column(sa.Column("violation", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("hearing_notified_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("hearing_on", sa.Date(), nullable=True))
    op.create_table(
        "evidence_preservation",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), nullable=False, index=True),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("place", sa.String(300), nullable=False),
        sa.Column("preserved_on", sa.Date(), nullable=False),
        sa.Column("dispose_by", sa.Date(), nullable=False, index=True),
        sa.Column("due_provisional", sa.Boolean(), nullable=False),
        sa.Column("disposed_on", sa.Date(), nullable=True),
        sa.Column("disposal", sa.String(30), nullable=True),
        sa.Column("disposal_note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("evidence_preservation")
    with op.batch_alter_table("enforcement_case") as batch:
        batch.drop_column("hearing_on")
        batch.drop_column("hearing_notified_on")
        batch.drop_column("violation")
