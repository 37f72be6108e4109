"""The first day of an officer's credential valid period (执法证有效期自) on the officer records received from
cases: the list published before enforcement shows the period from–to. Rows received before stay null.

Revision ID: 0009_officer_valid_from
Revises: 0008_lawreport
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_officer_valid_from"
down_revision = "0008_lawreport"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("public_officer_record") as batch:
        batch.add_column(sa.Column("credential_valid_from", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("public_officer_record") as batch:
        batch.drop_column("credential_valid_from")
