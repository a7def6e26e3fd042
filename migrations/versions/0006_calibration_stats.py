"""calibration stats: per-panelist and per-debrief figures, filled from the history

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 20:10:00
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

POSTED = "debrief_posted"


def upgrade() -> None:
    op.create_table(
        "debrief_stats",
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("ended_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["interview_id"], ["interviews.id"],
                                name=op.f("fk_debrief_stats_interview_id_interviews"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("interview_id", name=op.f("pk_debrief_stats")),
    )
    op.create_index("ix_debrief_stats_team_ended", "debrief_stats", ["team_id", "ended_at"],
                    unique=False)
    op.create_table(
        "panelist_stats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("ended_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("leniency", sa.Float(), nullable=True),
        sa.Column("shared_questions", sa.Integer(), nullable=False),
        sa.Column("hours_to_scorecard", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["interview_id"], ["interviews.id"],
                                name=op.f("fk_panelist_stats_interview_id_interviews"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panelist_stats")),
        sa.UniqueConstraint("interview_id", "user_id",
                            name=op.f("uq_panelist_stats_interview_id_user_id")),
    )
    op.create_index("ix_panelist_stats_team_user_ended", "panelist_stats",
                    ["team_id", "user_id", "ended_at"], unique=False)
    op.create_index("ix_panelist_stats_team_ended_figures", "panelist_stats",
                    ["team_id", "ended_at", "user_id", "leniency", "hours_to_scorecard"],
                    unique=False)
    _fill(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_panelist_stats_team_ended_figures", table_name="panelist_stats")
    op.drop_index("ix_panelist_stats_team_user_ended", table_name="panelist_stats")
    op.drop_table("panelist_stats")
    op.drop_index("ix_debrief_stats_team_ended", table_name="debrief_stats")
    op.drop_table("debrief_stats")


# The figures of the interviews held so far, computed here with the rules of
# bot/core/calibration.py as they were written (a migration must not change with the app).

_T = sa.table
_C = sa.column
_INTERVIEWS = _T("interviews", _C("id", sa.Integer), _C("team_id", sa.String),
                 _C("ends_at", models.base.UTCDateTime()),
                 _C("deleted_at", models.base.UTCDateTime()))
_PANELISTS = _T("panelists", _C("id", sa.Integer), _C("interview_id", sa.Integer),
                _C("user_id", sa.String), _C("removed_at", models.base.UTCDateTime()))
_SCORECARDS = _T("scorecards", _C("id", sa.Integer), _C("panelist_id", sa.Integer),
                 _C("current_version", sa.Integer), _C("submitted_at", models.base.UTCDateTime()))
_VERSIONS = _T("scorecard_versions", _C("id", sa.Integer), _C("scorecard_id", sa.Integer),
               _C("number", sa.Integer))
_RATINGS = _T("ratings", _C("version_id", sa.Integer), _C("question_id", sa.String),
              _C("score", sa.Integer))
_EVENTS = _T("events", _C("interview_id", sa.Integer), _C("kind", sa.String),
             _C("created_at", models.base.UTCDateTime()))
_PANELIST_STATS = _T("panelist_stats", _C("team_id", sa.String), _C("interview_id", sa.Integer),
                     _C("user_id", sa.String), _C("ended_at", models.base.UTCDateTime()),
                     _C("leniency", sa.Float), _C("shared_questions", sa.Integer),
                     _C("hours_to_scorecard", sa.Float))
_DEBRIEF_STATS = _T("debrief_stats", _C("interview_id", sa.Integer), _C("team_id", sa.String),
                    _C("ended_at", models.base.UTCDateTime()),
                    _C("started_at", models.base.UTCDateTime()), _C("complete", sa.Boolean))


def _fill(connection: sa.Connection) -> None:
    seats = connection.execute(
        sa.select(_INTERVIEWS.c.id, _INTERVIEWS.c.team_id, _INTERVIEWS.c.ends_at,
                  _PANELISTS.c.user_id, _SCORECARDS.c.submitted_at)
        .join(_PANELISTS, _PANELISTS.c.interview_id == _INTERVIEWS.c.id)
        .outerjoin(_SCORECARDS, _SCORECARDS.c.panelist_id == _PANELISTS.c.id)
        .where(_INTERVIEWS.c.deleted_at.is_(None), _PANELISTS.c.removed_at.is_(None))).all()
    scores: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for interview_id, user_id, question_id, score in connection.execute(
            sa.select(_PANELISTS.c.interview_id, _PANELISTS.c.user_id, _RATINGS.c.question_id,
                      _RATINGS.c.score)
            .join(_SCORECARDS, _SCORECARDS.c.panelist_id == _PANELISTS.c.id)
            .join(_VERSIONS, (_VERSIONS.c.scorecard_id == _SCORECARDS.c.id)
                  & (_VERSIONS.c.number == _SCORECARDS.c.current_version))
            .join(_RATINGS, _RATINGS.c.version_id == _VERSIONS.c.id)
            .where(_PANELISTS.c.removed_at.is_(None), _RATINGS.c.score.is_not(None))):
        scores[interview_id][user_id][question_id] = score
    rows = []
    submitted: dict[int, list[datetime | None]] = defaultdict(list)
    for interview_id, team_id, ends_at, user_id, submitted_at in seats:
        difference, shared = _leniency(scores[interview_id], user_id)
        rows.append({"team_id": team_id, "interview_id": interview_id, "user_id": user_id,
                     "ended_at": ends_at, "leniency": difference, "shared_questions": shared,
                     "hours_to_scorecard": _hours(ends_at, submitted_at)})
        submitted[interview_id].append(submitted_at)
    if rows:
        connection.execute(_PANELIST_STATS.insert(), rows)
    _fill_debriefs(connection, {s[0]: (s[1], s[2]) for s in seats}, submitted)


def _leniency(panel: dict[str, dict[str, int]], user_id: str) -> tuple[float | None, int]:
    differences = []
    for question, score in panel.get(user_id, {}).items():
        theirs = [s[question] for u, s in panel.items() if u != user_id and question in s]
        if theirs:
            differences.append(score - sum(theirs) / len(theirs))
    if not differences:
        return None, 0
    return sum(differences) / len(differences), len(differences)


def _hours(ends_at: datetime, submitted_at: datetime | None) -> float | None:
    if submitted_at is None:
        return None
    return max((_aware(submitted_at) - _aware(ends_at)).total_seconds() / 3600, 0.0)


def _aware(moment: Any) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _fill_debriefs(connection: sa.Connection, interviews: dict[int, tuple[str, datetime]],
                   submitted: dict[int, list[datetime | None]]) -> None:
    """Each interview whose summary was posted: whether its panel's scorecards were all in
    by the first post (a loop's earlier rounds are not counted in: their panels' times are
    not in this interview's rows)."""
    first = connection.execute(
        sa.select(_EVENTS.c.interview_id, sa.func.min(_EVENTS.c.created_at))
        .where(_EVENTS.c.kind == POSTED).group_by(_EVENTS.c.interview_id)).all()
    rows = []
    for interview_id, started_at in first:
        if interview_id not in interviews:
            continue
        team_id, ends_at = interviews[interview_id]
        started = _aware(started_at)
        complete = all(s is not None and _aware(s) <= started
                       for s in submitted.get(interview_id, []))
        rows.append({"interview_id": interview_id, "team_id": team_id, "ended_at": ends_at,
                     "started_at": started, "complete": complete})
    if rows:
        connection.execute(_DEBRIEF_STATS.insert(), rows)
