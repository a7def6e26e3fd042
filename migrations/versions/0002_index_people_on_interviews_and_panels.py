"""index people on interviews and panels

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 11:45:57.564374
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interviews_hiring_lead_id"), ["hiring_lead_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_interviews_recruiter_id"), ["recruiter_id"], unique=False
        )

    with op.batch_alter_table("panelists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_panelists_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("panelists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panelists_user_id"))

    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interviews_recruiter_id"))
        batch_op.drop_index(batch_op.f("ix_interviews_hiring_lead_id"))
