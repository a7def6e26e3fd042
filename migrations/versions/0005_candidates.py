"""candidates: every interview becomes round 1 of a candidate's loop

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_INTERVIEWS = sa.table(
    "interviews", sa.column("id", sa.Integer), sa.column("team_id", sa.String),
    sa.column("candidate_name", sa.String), sa.column("role", sa.String),
    sa.column("candidate_link", sa.String), sa.column("recruiter_id", sa.String),
    sa.column("created_at", models.base.UTCDateTime()),
    sa.column("deleted_at", models.base.UTCDateTime()), sa.column("deleted_by", sa.String),
    sa.column("candidate_id", sa.Integer), sa.column("round_number", sa.Integer))
_CANDIDATES = sa.table(
    "candidates", sa.column("id", sa.Integer), sa.column("team_id", sa.String),
    sa.column("name", sa.String), sa.column("role", sa.String), sa.column("link", sa.String),
    sa.column("recruiter_id", sa.String), sa.column("debrief_per_round", sa.Boolean),
    sa.column("created_at", models.base.UTCDateTime()),
    sa.column("deleted_at", models.base.UTCDateTime()), sa.column("deleted_by", sa.String))


def upgrade() -> None:
    op.create_table(
        "candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("link", sa.String(length=2000), nullable=True),
        sa.Column("recruiter_id", sa.String(length=32), nullable=False),
        sa.Column("debrief_per_round", sa.Boolean(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidates")),
    )
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.create_index("ix_candidates_team_created", ["team_id", "created_at"],
                              unique=False)
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("candidate_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("round_number", sa.Integer(), nullable=True))

    # Each interview becomes its candidate's round 1; the candidate takes the interview's
    # number, so what users knew as "interview 12" is candidate 12 as well.
    connection = op.get_bind()
    rows = connection.execute(sa.select(
        _INTERVIEWS.c.id, _INTERVIEWS.c.team_id, _INTERVIEWS.c.candidate_name,
        _INTERVIEWS.c.role, _INTERVIEWS.c.candidate_link, _INTERVIEWS.c.recruiter_id,
        _INTERVIEWS.c.created_at, _INTERVIEWS.c.deleted_at, _INTERVIEWS.c.deleted_by)).all()
    for row in rows:
        connection.execute(_CANDIDATES.insert().values(
            id=row.id, team_id=row.team_id, name=row.candidate_name, role=row.role,
            link=row.candidate_link, recruiter_id=row.recruiter_id, debrief_per_round=False,
            created_at=row.created_at, deleted_at=row.deleted_at, deleted_by=row.deleted_by))
    connection.execute(_INTERVIEWS.update().values(candidate_id=_INTERVIEWS.c.id,
                                                   round_number=1))
    if connection.dialect.name == "postgresql" and rows:
        connection.execute(sa.text(
            "SELECT setval(pg_get_serial_sequence('candidates', 'id'),"
            " (SELECT max(id) FROM candidates))"))

    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.alter_column("candidate_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("round_number", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f("fk_interviews_candidate_id_candidates"),
                                    "candidates", ["candidate_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_interviews_candidate_id"), ["candidate_id"],
                              unique=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_interviews_candidate_id_round_number"),
            ["candidate_id", "round_number"])
        batch_op.drop_column("candidate_name")
        batch_op.drop_column("role")
        batch_op.drop_column("candidate_link")


def downgrade() -> None:
    # Back to one interview per candidate: each round takes its candidate's fields.
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("candidate_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("role", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("candidate_link", sa.String(length=2000),
                                      nullable=True))
    connection = op.get_bind()
    for row in connection.execute(sa.select(_CANDIDATES.c.id, _CANDIDATES.c.name,
                                            _CANDIDATES.c.role, _CANDIDATES.c.link)).all():
        connection.execute(_INTERVIEWS.update().where(_INTERVIEWS.c.candidate_id == row.id)
                           .values(candidate_name=row.name, role=row.role,
                                   candidate_link=row.link))
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.alter_column("candidate_name", existing_type=sa.String(length=200),
                              nullable=False)
        batch_op.alter_column("role", existing_type=sa.String(length=200), nullable=False)
        batch_op.drop_constraint(batch_op.f("uq_interviews_candidate_id_round_number"),
                                 type_="unique")
        batch_op.drop_index(batch_op.f("ix_interviews_candidate_id"))
        batch_op.drop_constraint(batch_op.f("fk_interviews_candidate_id_candidates"),
                                 type_="foreignkey")
        batch_op.drop_column("round_number")
        batch_op.drop_column("candidate_id")
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_index("ix_candidates_team_created")
    op.drop_table("candidates")
