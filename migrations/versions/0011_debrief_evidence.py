"""debrief evidence: a decision against the numbers is recorded with its reason; the
digest of the summary's dot plot is remembered so a refresh can tell when to replace it
(the plot's file itself is recorded in posted_messages, kind "chart": a new value of a
VARCHAR column, no schema change)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 21:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mechanical", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("against_mechanical", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("against_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("summary_chart_digest", sa.String(length=64),
                                      nullable=True))


def downgrade() -> None:
    # The app at 0008 knows no "chart" kind; as a file it is erased like an export's.
    posted = sa.table("posted_messages", sa.column("kind", sa.String))
    op.execute(posted.update().where(posted.c.kind == "chart").values(kind="export_file"))
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.drop_column("summary_chart_digest")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("against_reason")
        batch_op.drop_column("against_mechanical")
        batch_op.drop_column("mechanical")
