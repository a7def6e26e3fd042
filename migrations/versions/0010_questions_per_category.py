"""questions per category: how many questions of each category an interview asks

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 20:45:00

Setup picks how many questions of each category the kit and the scorecard ask; the rest are
spares. Interviews created before have none (NULL): they keep the set's own core and spare
marks.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("questions_per_category", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.drop_column("questions_per_category")
