"""Publishing: redacted public text, workflow, withdrawal notices, Credit China ledger, bulletins, annual reports.

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


def _publication_columns() -> tuple[sa.Column[object], ...]:
    # Built afresh per run: a Column object can belong to one table only.
    return (
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("publish_mode", sa.String(20), nullable=False, server_default="approval"),
        sa.Column("party_type", sa.String(20), nullable=False, server_default="organisation"),
        sa.Column("public_party_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("credit_code", sa.String(18), nullable=True),
        sa.Column("legal_representative", sa.String(100), nullable=True),
        sa.Column("town", sa.String(50), nullable=True),
        sa.Column("authority", sa.String(200), nullable=False, server_default=""),
        sa.Column("public_facts", sa.Text(), nullable=False, server_default=""),
        sa.Column("public_legal_basis", sa.Text(), nullable=False, server_default=""),
        sa.Column("public_violation_type", sa.String(200), nullable=False, server_default=""),
        sa.Column("public_penalty", sa.JSON(), nullable=False, server_default="{}"),
        sa.Column("redaction_report", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("decision", sa.JSON(), nullable=False, server_default="{}"),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.String(200), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("overdue_notified_on", sa.Date(), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
    )


def upgrade() -> None:
    for column in _publication_columns():
        op.add_column("publication", column)
    op.create_index("ix_publication_credit_code", "publication", ["credit_code"])
    op.create_index("ix_publication_town", "publication", ["town"])
    op.create_index("ix_publication_published_on", "publication", ["published_on"])
    op.create_table(
        "withdrawal_notice",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("publication_id", sa.String(36), nullable=False, index=True),
        sa.Column("decision_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("document_number", sa.String(100), nullable=False),
        sa.Column("cause", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("withdrawn_on", sa.Date(), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "credit_record",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("publication_id", sa.String(36), nullable=False, index=True),
        sa.Column("decision_id", sa.String(36), nullable=False),
        sa.Column("operation", sa.String(10), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "public_bulletin",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False, index=True),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False, index=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "annual_enforcement_report",
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("published_by", sa.String(200), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("annual_enforcement_report", "public_bulletin", "credit_record", "withdrawal_notice"):
        op.drop_table(table)
    for index in ("ix_publication_published_on", "ix_publication_town", "ix_publication_credit_code"):
        op.drop_index(index, table_name="publication")
    with op.batch_alter_table("publication") as batch:
        for column in reversed(_publication_columns()):
            batch.drop_column(column.name)
