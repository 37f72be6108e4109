"""Readings: the primary key is their only index (``ix_reading_station_time`` dropped).

Every stored reading paid an insertion into the (station, time) index, about a fifth of PostgreSQL's work to store
a batch. Its readers now name their series: the reviewer's day counts name the parameters a station has stored
(``latest_reading``) and the intervals; the open and enterprise series merge one page per parameter, each read in
time order along the primary key (station, parameter, interval, time).

Revision ID: 0009_reading_pk_only
Revises: 0008_reading_version
"""

from __future__ import annotations

from alembic import op

revision = "0009_reading_pk_only"
down_revision = "0008_reading_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_reading_station_time", table_name="reading")


def downgrade() -> None:
    op.create_index("ix_reading_station_time", "reading", ["station_code", "time"])
