"""The notice's date, the second extension's own period, and when a legal reviewer took up the work.

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
    op.add_column("enforcement_case", sa.Column("notice_on", sa.Date(), nullable=True))
    op.add_column("enforcement_case", sa.Column("collective_extension_days", sa.Integer(), nullable=True))
    # Extensions granted before this revision ran 30 days: keep their due dates.
    op.execute("UPDATE enforcement_case SET collective_extension_days = 30 WHERE collective_extension")
    # None: not recorded, so the qualification is required until the head records an earlier start (§58 ¶2).
    op.add_column("officer", sa.Column("legal_review_started_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("officer") as officer:
        officer.drop_column("legal_review_started_on")
    with op.batch_alter_table("enforcement_case") as case:
        case.drop_column("collective_extension_days")
        case.drop_column("notice_on")
