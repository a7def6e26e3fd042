"""independence: when the debrief started, when each panelist could first see the panel,
and the reasons for a re-rating's big moves

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 10:00:00
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

POSTED = "debrief_posted"

_T = sa.table
_C = sa.column
_CANDIDATES = _T("candidates", _C("id", sa.Integer), _C("debrief_per_round", sa.Boolean))
_INTERVIEWS = _T("interviews", _C("id", sa.Integer), _C("candidate_id", sa.Integer),
                 _C("round_number", sa.Integer),
                 _C("debrief_started_at", models.base.UTCDateTime()))
_PANELISTS = _T("panelists", _C("interview_id", sa.Integer),
                _C("saw_panel_at", models.base.UTCDateTime()))
_EVENTS = _T("events", _C("interview_id", sa.Integer), _C("kind", sa.String),
             _C("created_at", models.base.UTCDateTime()))


def upgrade() -> None:
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("debrief_started_at",
                                      models.base.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("panelists", schema=None) as batch_op:
        batch_op.add_column(sa.Column("saw_panel_at", models.base.UTCDateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table("scorecard_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shift_reasons", sa.JSON(), nullable=True))
    _fill(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("scorecard_versions", schema=None) as batch_op:
        batch_op.drop_column("shift_reasons")
    with op.batch_alter_table("panelists", schema=None) as batch_op:
        batch_op.drop_column("saw_panel_at")
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.drop_column("debrief_started_at")


def _fill(connection: sa.Connection) -> None:
    """A round's debrief started when the first summary covering it was posted: its own,
    or (in a loop debriefed as one) that of a later round of the candidate, the holder.
    Whoever was on its panel then is taken to have seen the summary from that moment (it
    was posted in the plan's channel; who was a member then is not known)."""
    posted = dict(connection.execute(
        sa.select(_EVENTS.c.interview_id, sa.func.min(_EVENTS.c.created_at))
        .where(_EVENTS.c.kind == POSTED, _EVENTS.c.interview_id.is_not(None))
        .group_by(_EVENTS.c.interview_id)).all())
    rounds = connection.execute(
        sa.select(_INTERVIEWS.c.id, _INTERVIEWS.c.candidate_id, _INTERVIEWS.c.round_number,
                  _CANDIDATES.c.debrief_per_round)
        .join(_CANDIDATES, _CANDIDATES.c.id == _INTERVIEWS.c.candidate_id)).all()
    loops: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for interview_id, candidate_id, number, _ in rounds:
        loops[candidate_id].append((number, interview_id))
    for interview_id, candidate_id, number, per_round in rounds:
        covering = [interview_id] if per_round else [
            other for n, other in loops[candidate_id] if n >= number]
        starts = [posted[i] for i in covering if i in posted]
        if not starts:
            continue
        started: datetime = min(starts)
        connection.execute(_INTERVIEWS.update().where(_INTERVIEWS.c.id == interview_id)
                           .values(debrief_started_at=started))
        connection.execute(_PANELISTS.update().where(_PANELISTS.c.interview_id == interview_id)
                           .values(saw_panel_at=started))
