"""question set versions (each frozen question set stored once per distinct content), and
indexes to page App Home from

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-05 10:00:00

Every interview carried its own copy of the set (12 KB of JSON on each row); now it points
at a row of `question_set_versions`, one per distinct document. The sets used so far came
from files, so they become shared versions (team_id NULL), numbered per set and language
in the order the interviews first used them.

Partial indexes over the live rows let App Home and /interview list read a recruiter's or a
hiring lead's page of interviews, and a panelist's seats, without reading the history; and
the retention sweep find the candidates due from an index alone.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0010"
down_revision = "0006"
branch_labels = None
depends_on = None

PAGE = 1000  # interviews read at a time: 12 KB each
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

_INTERVIEWS = sa.table(
    "interviews", sa.column("id", sa.Integer), sa.column("question_set", sa.JSON),
    sa.column("created_at", models.base.UTCDateTime()),
    sa.column("question_set_version_id", sa.Integer))
_VERSIONS = sa.table(
    "question_set_versions", sa.column("id", sa.Integer), sa.column("team_id", sa.String),
    sa.column("set_id", sa.String), sa.column("language", sa.String),
    sa.column("version", sa.Integer), sa.column("content_hash", sa.String),
    sa.column("status", sa.String), sa.column("document", sa.JSON),
    sa.column("created_at", models.base.UTCDateTime()), sa.column("created_by", sa.String))


def _hash(document: dict[str, Any]) -> str:
    # models/question_set.py `content_hash` as written: a migration must not change with
    # the app.
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def upgrade() -> None:
    op.create_table(
        "question_set_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=True),
        sa.Column("set_id", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Enum("draft", "published", name="question_set_status",
                                    native_enum=False, length=20), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_set_versions")),
    )
    shared, team = sa.text("team_id IS NULL"), sa.text("team_id IS NOT NULL")
    for name, columns, where in (
            ("uq_question_set_versions_shared_hash", ["content_hash"], shared),
            ("uq_question_set_versions_team_hash", ["team_id", "content_hash"], team),
            ("uq_question_set_versions_shared_version", ["set_id", "language", "version"],
             shared),
            ("uq_question_set_versions_team_version",
             ["team_id", "set_id", "language", "version"], team)):
        op.create_index(name, "question_set_versions", columns, unique=True,
                        sqlite_where=where, postgresql_where=where)
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("question_set_version_id", sa.Integer(), nullable=True))

    connection = op.get_bind()
    pointers = _store_versions(connection)
    if pointers:
        connection.execute(
            _INTERVIEWS.update().where(_INTERVIEWS.c.id == sa.bindparam("interview"))
            .values(question_set_version_id=sa.bindparam("version")),
            [{"interview": i, "version": v} for i, v in pointers])

    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.alter_column("question_set_version_id", existing_type=sa.Integer(),
                              nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_interviews_question_set_version_id_question_set_versions"),
            "question_set_versions", ["question_set_version_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_interviews_question_set_version_id"),
                              ["question_set_version_id"], unique=False)
        batch_op.drop_column("question_set")

    # App Home and /interview list page a person's interviews from these.
    for name, table, columns, where in _PAGING_INDEXES:
        op.create_index(name, table, columns, unique=False, sqlite_where=sa.text(where),
                        postgresql_where=sa.text(where))


def _store_versions(connection: sa.Connection) -> list[tuple[int, int]]:
    """A version row for each distinct document, in the order of first use; (interview id,
    version id) for every interview. Reads the interviews a page at a time."""
    by_hash: dict[str, int] = {}
    numbers: dict[tuple[str, str], int] = {}
    pointers: list[tuple[int, int]] = []
    last = 0
    while True:
        page = connection.execute(
            sa.select(_INTERVIEWS.c.id, _INTERVIEWS.c.question_set, _INTERVIEWS.c.created_at)
            .where(_INTERVIEWS.c.id > last).order_by(_INTERVIEWS.c.id).limit(PAGE)).all()
        if not page:
            return pointers
        for interview_id, document, created_at in page:
            digest = _hash(document)
            if digest not in by_hash:
                key = (str(document["id"]), str(document["language"]))
                numbers[key] = numbers.get(key, 0) + 1
                by_hash[digest] = connection.execute(
                    _VERSIONS.insert().values(
                        team_id=None, set_id=key[0], language=key[1], version=numbers[key],
                        content_hash=digest, status="published", document=document,
                        created_at=created_at, created_by=None)
                    .returning(_VERSIONS.c.id)).scalar_one()
            pointers.append((interview_id, by_hash[digest]))
        last = page[-1].id


def downgrade() -> None:
    for name, table, _, _ in _PAGING_INDEXES:
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("question_set", sa.JSON(), nullable=True))
    connection = op.get_bind()
    connection.execute(_INTERVIEWS.update().values(question_set=(
        sa.select(_VERSIONS.c.document)
        .where(_VERSIONS.c.id == _INTERVIEWS.c.question_set_version_id)
        .scalar_subquery())))
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.alter_column("question_set", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_index(batch_op.f("ix_interviews_question_set_version_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_interviews_question_set_version_id_question_set_versions"),
            type_="foreignkey")
        batch_op.drop_column("question_set_version_id")
    for name in ("uq_question_set_versions_shared_hash", "uq_question_set_versions_team_hash",
                 "uq_question_set_versions_shared_version",
                 "uq_question_set_versions_team_version"):
        op.drop_index(name, table_name="question_set_versions")
    op.drop_table("question_set_versions")
