"""Random inspections (双随机): the registry of supervised entities, inspector exclusions, draws, planned
inspections, and an inspection's result and planned inspection.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _id(name: str = "id") -> sa.Column[str]:
    return sa.Column(name, sa.String(36), primary_key=True)


def _ts(name: str = "created_at", *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _s(name: str, length: int, *, nullable: bool = True, index: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(length), nullable=nullable, index=index)


def upgrade() -> None:
    with op.batch_alter_table("inspection") as batch:
        batch.add_column(_s("result", 30))
        batch.add_column(_s("planned_inspection_id", 36))
        batch.create_unique_constraint("uq_inspection_planned_inspection_id", ["planned_inspection_id"])
    op.create_table(
        "supervised_entity",
        _id(),
        _s("party_id", 36, nullable=False),
        _s("name", 200, nullable=False),
        _s("category", 20, nullable=False, index=True),
        _s("town", 50, index=True),
        _s("industry", 100),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_inspected_on", sa.Date()),
        _s("last_result", 30),
        sa.Column("last_officer_ids", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _ts(),
        sa.UniqueConstraint("party_id"),
    )
    op.create_table(
        "inspector_exclusion",
        _id(),
        _s("officer_id", 36, nullable=False, index=True),
        _s("entity_id", 36),
        _s("kind", 30, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date()),
        _s("recorded_by", 200, nullable=False),
        _ts(),
    )
    op.create_table(
        "inspection_draw",
        _id(),
        _s("category", 20, nullable=False, index=True),
        _s("period_kind", 10, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("period_number", sa.Integer()),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        _s("status", 20, nullable=False, index=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        _s("commitment", 64, nullable=False),
        _s("seed", 64, nullable=False),
        _s("public_entropy", 200),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON()),
        _s("redraw_of", 36),
        sa.Column("reason", sa.Text()),
        _s("created_by", 200, nullable=False),
        _s("executed_by", 200),
        _ts("executed_at", nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        _ts(),
    )
    op.create_table(
        "planned_inspection",
        _id(),
        _s("draw_id", 36, nullable=False, index=True),
        _s("entity_id", 36, nullable=False, index=True),
        _s("party_id", 36, nullable=False),
        sa.Column("officer_ids", sa.JSON(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        _s("status", 20, nullable=False, index=True),
        _s("inspection_id", 36),
        _ts(),
    )


def downgrade() -> None:
    for table in ("planned_inspection", "inspection_draw", "inspector_exclusion", "supervised_entity"):
        op.drop_table(table)
    with op.batch_alter_table("inspection") as batch:
        batch.drop_constraint("uq_inspection_planned_inspection_id", type_="unique")
        batch.drop_column("planned_inspection_id")
        batch.drop_column("result")
