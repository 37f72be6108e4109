"""Referrals: the enforcement team (执法队) of the case, which owns the referral.

Rows from before have no team: officers do not reach them (fail closed) until a head acts on them.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("referral", sa.Column("team", sa.String(100), nullable=True))
    op.create_index("ix_referral_team", "referral", ["team"])


def downgrade() -> None:
    op.drop_index("ix_referral_team", table_name="referral")
    with op.batch_alter_table("referral") as batch:
        batch.drop_column("team")
