"""Account lifecycle: a token generation per account (sign out everywhere, deactivation) and the audit log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.migration_ops import create_audit_log_v1

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACCOUNT_TABLES = ("gateway_user", "gateway_client")


def upgrade() -> None:
    for table in ACCOUNT_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("token_generation", sa.Integer(), nullable=False, server_default="0"))
            batch.add_column(sa.Column("tokens_revoked_at", sa.DateTime(timezone=True), nullable=True))
    create_audit_log_v1()


def downgrade() -> None:
    op.drop_table("audit_log")
    for table in ACCOUNT_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("tokens_revoked_at")
            batch.drop_column("token_generation")
