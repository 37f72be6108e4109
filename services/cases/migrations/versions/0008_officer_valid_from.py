"""The first day of an officer's credential valid period (执法证有效期自), beside its last day: the register and
the list published before enforcement (事前公开) show the whole period.

Revision ID: 0008_officer_valid_from
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_officer_valid_from"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("officer") as batch:
        batch.add_column(sa.Column("credential_valid_from", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("officer") as batch:
        batch.drop_column("credential_valid_from")
