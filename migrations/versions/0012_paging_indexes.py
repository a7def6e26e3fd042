"""indexes to page App Home and /interview list from, and to find what retention deletes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 21:45:00

Partial indexes over the live rows let App Home and /interview list read a recruiter's or a
hiring lead's page of interviews, and a panelist's seats, without reading the history; and
the retention sweep find the candidates due from an index alone (benchmarks/scale.py:
a recruiter with 10,000 interviews, App Home p95 422 -> 7 ms on SQLite).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_PAGING_INDEXES = (
    ("ix_interviews_team_recruiter_live", "interviews",
     ["team_id", "recruiter_id", "status", "starts_at", "id"], "deleted_at IS NULL"),
    ("ix_interviews_team_lead_live", "interviews",
     ["team_id", "hiring_lead_id", "status", "debrief_at", "id"], "deleted_at IS NULL"),
    ("ix_interviews_retention", "interviews",
     ["candidate_id", "status", "decided_at", "debrief_at"], "deleted_at IS NULL"),
    ("ix_panelists_user_live", "panelists", ["user_id", "interview_id", "id"],
     "removed_at IS NULL"),
)


def upgrade() -> None:
    for name, table, columns, where in _PAGING_INDEXES:
        op.create_index(name, table, columns, unique=False, sqlite_where=sa.text(where),
                        postgresql_where=sa.text(where))


def downgrade() -> None:
    for name, table, _, _ in _PAGING_INDEXES:
        op.drop_index(name, table_name=table)
