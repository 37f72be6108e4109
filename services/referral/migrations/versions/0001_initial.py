"""Base tables: outbox, inbox, dead letters, audit log.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from shared.migration_ops import create_base_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_base_tables_v1()


def downgrade() -> None:
    pass
