"""Stations, readings (keyed for upsert and range queries), latest values, day reviews, exceedances, bulletins.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _ts(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "station",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False, index=True),
        sa.Column("town", sa.String(100), nullable=False, index=True),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("water_body", sa.String(10)),
        sa.Column("target_class", sa.String(4)),
        sa.Column("noise_kind", sa.String(20)),
        sa.Column("latitude", sa.Float()),
        sa.Column("longitude", sa.Float()),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("emission_limits", sa.JSON(), nullable=False),
        sa.Column("password_hash", sa.String(200)),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
    )
    op.create_table(
        "reading",
        sa.Column("station_code", sa.String(64), primary_key=True),
        sa.Column("parameter", sa.String(30), primary_key=True),
        sa.Column("interval", sa.String(10), primary_key=True),
        sa.Column("time", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("instrument_flag", sa.String(4), nullable=False),
        sa.Column("auto_flags", sa.String(200), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        _ts("received_at"),
    )
    # Town-wide and all-station windows (bulletins, exceedance scans) read by interval and time.
    op.create_index("ix_reading_interval_time", "reading", ["interval", "time"])
    op.create_table(
        "latest_reading",
        sa.Column("station_code", sa.String(64), primary_key=True),
        sa.Column("parameter", sa.String(30), primary_key=True),
        sa.Column("interval", sa.String(10), nullable=False),
        _ts("time"),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("instrument_flag", sa.String(4), nullable=False),
    )
    op.create_table(
        "day_review",
        sa.Column("station_code", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("reviewer", sa.String(200)),
        _ts("reviewed_at", nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_day_review_status_day", "day_review", ["status", "day"])
    op.create_table(
        "exceedance",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("station_code", sa.String(64), nullable=False),
        sa.Column("parameter", sa.String(30), nullable=False),
        _ts("period_start"),
        _ts("period_end"),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("limit", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        _ts("detected_at"),
        sa.UniqueConstraint("station_code", "parameter", "period_start", name="uq_exceedance_station_param_period"),
    )
    op.create_table(
        "bulletin",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _ts("created_at"),
        _ts("published_at", nullable=True),
        sa.UniqueConstraint("kind", "period_start", name="uq_bulletin_kind_period"),
    )


def downgrade() -> None:
    for table in ("bulletin", "exceedance", "day_review", "latest_reading", "reading", "station"):
        op.drop_table(table)
