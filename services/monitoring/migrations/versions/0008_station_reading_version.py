"""A count of writes per station's readings (``station_reading_version``), for writers that remember stored hours.

Revision ID: 0008_reading_version
Revises: 0006_enterprises
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_reading_version"
down_revision = "0006_enterprises"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "station_reading_version",
        sa.Column("station_code", sa.String(64), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("station_reading_version")
