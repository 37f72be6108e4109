"""Readings: index (station, time) instead of (interval, time).

Every query of readings names its stations. With an index on (interval, time) the planner could answer "these
stations' hourly values in this window" by reading every station's hours in the window and filtering — the whole
table when all stations report the same hours, which they do — whenever its statistics were stale (a bulk load,
the newest hours beyond the histogram). Ingest slowed with the table's size (a 10,000-row batch's neighbour query
took seconds at 4.5 million readings). The primary key (station, parameter, interval, time) serves those
queries; (station, time) serves the reviewer's per-station day counts, which name no parameter or interval.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_reading_interval_time", table_name="reading")
    op.create_index("ix_reading_station_time", "reading", ["station_code", "time"])


def downgrade() -> None:
    op.drop_index("ix_reading_station_time", table_name="reading")
    op.create_index("ix_reading_interval_time", "reading", ["interval", "time"])
