"""Idempotency keys for writes.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

from shared.migration_ops import create_idempotency_table_v1

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_idempotency_table_v1()


def downgrade() -> None:
    op.drop_table("idempotency_key")
