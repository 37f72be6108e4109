"""Credit China ledger: the last answer's status code and the time of the last attempt, as every delivery ledger
(``shared.delivery.DeliveryRow``) keeps them.

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
    with op.batch_alter_table("credit_record") as batch:
        batch.add_column(sa.Column("last_status_code", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("credit_record") as batch:
        batch.drop_column("last_attempt_at")
        batch.drop_column("last_status_code")
