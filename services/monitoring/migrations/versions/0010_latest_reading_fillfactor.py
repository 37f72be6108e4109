"""Latest readings: pages half empty (fillfactor 50), so that their updates stay on the page (HOT).

Every stored reading updates its station and parameter's row of ``latest_reading``: a few thousand rows, each
updated once an hour per station or, under the HJ 212 group commit, many times a second. On full pages an update
puts the new row version on another page and a new entry into the primary key (89 % of them in a run of the HJ 212
benchmark), so the table and its index filled with dead versions between vacuums and that upsert was the largest
part of PostgreSQL's work a packet. With room on each page the new version stays beside the old one, the index is
not touched, and the page's dead versions are pruned as it is read. Only PostgreSQL has the setting (SQLite: no-op).
No rewrite: pages already full keep their rows until their next update moves each to a page filled to the new
setting, so an upgraded table settles within one round of updates and a vacuum.

Revision ID: 0010_latest_fillfactor
Revises: 0009_reading_pk_only
"""

from __future__ import annotations

from alembic import op

revision = "0010_latest_fillfactor"
down_revision = "0009_reading_pk_only"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE latest_reading SET (fillfactor = 50)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE latest_reading RESET (fillfactor)")
