"""Noise monitoring: a noise point's functional-zone class and road section length; noise measurements.

Revision ID: 0006_noise
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_noise"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("station") as batch:
        batch.add_column(sa.Column("noise_zone_class", sa.String(4), nullable=True))
        batch.add_column(sa.Column("road_length_m", sa.Float(), nullable=True))
    op.create_table(
        "noise_measurement",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("station_code", sa.String(64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=False),
        sa.Column("sample_interval_seconds", sa.Float(), nullable=True),
        sa.Column("samples", sa.JSON(), nullable=False),
        sa.Column("hourly_leq", sa.JSON(), nullable=False),
        sa.Column("leq", sa.Float(), nullable=False),
        *(
            sa.Column(name, sa.Float(), nullable=True)
            for name in ("l10", "l50", "l90", "lmax", "lmin", "sd", "ld", "ln")
        ),
        sa.Column("vehicles_per_hour", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("station_code", "started_at", name="uq_noise_measurement_station_start"),
    )
    op.create_index("ix_noise_measurement_day", "noise_measurement", ["day"])


def downgrade() -> None:
    op.drop_index("ix_noise_measurement_day", table_name="noise_measurement")
    op.drop_table("noise_measurement")
    with op.batch_alter_table("station") as batch:
        batch.drop_column("road_length_m")
        batch.drop_column("noise_zone_class")
