"""Per-interview figures for interviewer calibration, kept current by the outbox
(bot/report/service.py `refresh_stats`) so a report over years of interviews reads these
rows instead of every rating. Deleting a candidate deletes theirs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class PanelistStats(Base):
    """One panelist (not removed) in one interview."""

    __tablename__ = "panelist_stats"
    __table_args__ = (
        UniqueConstraint("interview_id", "user_id"),
        # An interviewer's own figures: their rows in the period.
        Index("ix_panelist_stats_team_user_ended", "team_id", "user_id", "ended_at"),
        # The report reads every row of a period from this index alone (covering): over
        # 340,000 rows on SQLite 0.5 s instead of 1.0 s (benchmarks/scale.py).
        Index("ix_panelist_stats_team_ended_figures", "team_id", "ended_at", "user_id",
              "leniency", "hours_to_scorecard"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    ended_at: Mapped[datetime]  # the interview's end: the report's period is by it
    # Their mean rating minus their co-panelists' on the same questions (None: no shared
    # question yet), and how many questions that is.
    leniency: Mapped[float | None]
    shared_questions: Mapped[int] = mapped_column(default=0)
    # From the interview's end to their first scorecard (None: not in yet).
    hours_to_scorecard: Mapped[float | None]


class DebriefStats(Base):
    """A debrief, once its summary was first posted: were all the scorecards in?"""

    __tablename__ = "debrief_stats"
    __table_args__ = (Index("ix_debrief_stats_team_ended", "team_id", "ended_at"),)

    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    ended_at: Mapped[datetime]  # the end of the latest round it covers
    started_at: Mapped[datetime]
    complete: Mapped[bool]  # every active panelist's scorecard was in when it started
