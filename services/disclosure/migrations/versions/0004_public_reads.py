"""Public reads: a change counter of what the public sees, the listing's index, trigram search on PostgreSQL.

``public_change`` holds one row whose ``seq`` the database itself bumps whenever a publication, a withdrawal
notice or a bulletin is inserted, updated or deleted, in the same transaction (triggers, so no writer can forget
it). The public API keys its cache of rendered pages on it. On PostgreSQL the bump is a deferred constraint
trigger: it runs at commit, so the counter's row lock is the last lock a transaction takes and two writers cannot
deadlock on it; it bumps once per transaction, however many rows changed.

``ix_publication_listing (decided_on, id)`` serves the public list's order (newest first) and its date filters;
on PostgreSQL with ``pg_trgm`` available, GIN trigram indexes serve the ``q`` search (``LIKE '%…%'``) on the three
searched columns.

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

WATCHED = ("publication", "withdrawal_notice", "public_bulletin")
SEARCHED = ("public_party_name", "public_facts", "document_number")
BUMP = "UPDATE public_change SET seq = seq + 1 WHERE id = 1"


def _has_trigram_extension() -> bool:
    bind = op.get_bind()
    found = bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).first()
    return found is not None


def upgrade() -> None:
    op.create_table(
        "public_change",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
    )
    op.execute("INSERT INTO public_change (id, seq) VALUES (1, 0)")
    op.create_index("ix_publication_listing", "publication", ["decided_on", "id"])
    if op.get_bind().dialect.name == "postgresql":
        # Once per transaction, however many rows it changed (a bulk load must not bump a million times).
        op.execute(
            "CREATE FUNCTION public_change_bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF current_setting('greenlaw.public_change_bumped', true) = txid_current()::text THEN RETURN NULL; "
            "END IF; "
            "PERFORM set_config('greenlaw.public_change_bumped', txid_current()::text, true); "
            f"{BUMP}; RETURN NULL; END $$"
        )
        for table in WATCHED:
            op.execute(
                f"CREATE CONSTRAINT TRIGGER {table}_public_change AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public_change_bump()"
            )
        if _has_trigram_extension():
            op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for column in SEARCHED:
                op.execute(
                    f"CREATE INDEX ix_publication_{column}_trgm ON publication USING gin ({column} gin_trgm_ops)"
                )
    else:
        for table in WATCHED:
            for action in ("INSERT", "UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_public_change_{action.lower()} AFTER {action} ON {table} BEGIN {BUMP}; END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for column in SEARCHED:
            op.execute(f"DROP INDEX IF EXISTS ix_publication_{column}_trgm")
        for table in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_public_change ON {table}")
        op.execute("DROP FUNCTION IF EXISTS public_change_bump()")
    else:
        for table in WATCHED:
            for action in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_public_change_{action}")
    op.drop_index("ix_publication_listing", table_name="publication")
    op.drop_table("public_change")
