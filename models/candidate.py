"""Candidates: the person a hiring loop is about, with every interview (round) of the loop."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow

if TYPE_CHECKING:
    from models.interview import Interview


class Candidate(Base):
    """Name, role and link live here, once for the whole loop: deleting the candidate's
    data blanks them and every round's scorecards.

    The debrief: with `debrief_per_round` off (the default) the loop has one debrief,
    held by its latest live round (bot/interviews.py `debrief_holder`), which covers every
    live round; with it on, each round is debriefed and decided on its own."""

    __tablename__ = "candidates"
    # App Home and /interview new list a workspace's recent candidates.
    __table_args__ = (Index("ix_candidates_team_created", "team_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200))
    link: Mapped[str | None] = mapped_column(String(2000))
    # Who set the candidate up; each round has its own recruiter and hiring lead too.
    recruiter_id: Mapped[str] = mapped_column(String(32))
    debrief_per_round: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]
    deleted_by: Mapped[str | None] = mapped_column(String(32))

    rounds: Mapped[list[Interview]] = relationship(
        back_populates="candidate", order_by="Interview.round_number"
    )
