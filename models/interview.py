"""Interviews, their panel, and the decision history."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow

if TYPE_CHECKING:
    from models.candidate import Candidate
    from models.question_set import QuestionSetVersion
    from models.scorecard import Scorecard


class InterviewStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    DEBRIEF = "debrief"
    DECIDED = "decided"
    CANCELLED = "cancelled"


class DecisionOutcome(enum.StrEnum):
    HIRE = "hire"
    NO_HIRE = "no_hire"
    HOLD = "hold"


def _enum(kind: type[enum.Enum], name: str) -> Enum:
    # Stored as the lower-case values; a plain VARCHAR + CHECK keeps migrations simple.
    return Enum(kind, name=name, native_enum=False, values_callable=lambda e: [m.value for m in e],
                length=20, validate_strings=True)


def _live_index(name: str, *columns: str, where: str = "deleted_at IS NULL") -> Index:
    return Index(name, *columns, sqlite_where=text(where), postgresql_where=text(where))


class Interview(Base):
    """One round of a candidate's loop: its own panel, times, question set and language.
    The debrief's state (status past scheduled, summary, decision) is stored on the round
    that holds the debrief (models/candidate.py)."""

    __tablename__ = "interviews"
    __table_args__ = (
        Index("ix_interviews_team_status", "team_id", "status"),
        UniqueConstraint("candidate_id", "round_number"),
        # App Home and /interview list page a person's interviews from these (live rows
        # only), however many they created or lead (bot/home/service.py).
        _live_index("ix_interviews_team_recruiter_live", "team_id", "recruiter_id", "status",
                    "starts_at", "id"),
        _live_index("ix_interviews_team_lead_live", "team_id", "hiring_lead_id", "status",
                    "debrief_at", "id"),
        # DATA_RETENTION_DAYS: each candidate's live rounds, whether and when they closed,
        # read from the index alone (bot/lifecycle/service.py `retention_due`).
        _live_index("ix_interviews_retention", "candidate_id", "status", "decided_at",
                    "debrief_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    round_number: Mapped[int] = mapped_column(default=1)  # 1, 2, ... within the candidate
    note: Mapped[str | None] = mapped_column(Text)
    question_set_id: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8))
    # The set exactly as used at creation (models/question_set.py): later edits of the
    # set make new versions and never change this interview.
    question_set_version_id: Mapped[int] = mapped_column(
        ForeignKey("question_set_versions.id"), index=True)
    # How many questions of each category the kit and the scorecard ask, the others offered
    # as spares (bot/core/selection.py); None: the set's own core and spare marks.
    questions_per_category: Mapped[int | None]
    channel_id: Mapped[str] = mapped_column(String(32))
    plan_ts: Mapped[str | None] = mapped_column(String(32))
    summary_ts: Mapped[str | None] = mapped_column(String(32))
    # A digest of what the dot plot next to the summary shows (the file is recorded in
    # posted_messages): a refresh that changes the figures replaces it (bot/debrief/publish.py).
    summary_chart_digest: Mapped[str | None] = mapped_column(String(64))
    # When the debrief covering this round first posted its summary (the app's clock): the
    # ratings in place then are the panel's "before", versions saved later its "after".
    debrief_started_at: Mapped[datetime | None]
    # Indexed: App Home and /interview list look interviews up by the person.
    recruiter_id: Mapped[str] = mapped_column(String(32), index=True)
    hiring_lead_id: Mapped[str] = mapped_column(String(32), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    debrief_at: Mapped[datetime]
    status: Mapped[InterviewStatus] = mapped_column(
        _enum(InterviewStatus, "interview_status"), default=InterviewStatus.SCHEDULED
    )
    decision: Mapped[DecisionOutcome | None] = mapped_column(
        _enum(DecisionOutcome, "decision_outcome")
    )
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]
    deleted_by: Mapped[str | None] = mapped_column(String(32))
    # The modal view that created it: a retried or doubled submission finds this row.
    source_view_id: Mapped[str | None] = mapped_column(String(64), unique=True)

    # Joined: nearly every reader of a round shows the candidate's name.
    candidate: Mapped[Candidate] = relationship(back_populates="rounds", lazy="joined")
    # Joined: an interview read is usable after its session (exports, side effects); the
    # parsed set is cached by content hash (bot/interviews.py `question_set_of`).
    question_set_version: Mapped[QuestionSetVersion] = relationship(lazy="joined",
                                                                    innerjoin=True)
    panelists: Mapped[list[Panelist]] = relationship(
        back_populates="interview", cascade="all, delete-orphan", order_by="Panelist.position"
    )
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="interview", cascade="all, delete-orphan", order_by="Decision.id"
    )

    @property
    def question_set(self) -> dict[str, Any]:
        """The frozen document of the set as used."""
        return self.question_set_version.document

    @property
    def active_panelists(self) -> list[Panelist]:
        return [p for p in self.panelists if p.removed_at is None]

    def panelist_for(self, user_id: str) -> Panelist | None:
        return next((p for p in self.active_panelists if p.user_id == user_id), None)


class Panelist(Base):
    __tablename__ = "panelists"
    __table_args__ = (
        UniqueConstraint("interview_id", "user_id"),
        # A person's seats (App Home), without reading the rows.
        _live_index("ix_panelists_user_live", "user_id", "interview_id", "id",
                    where="removed_at IS NULL"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32), index=True)
    position: Mapped[int] = mapped_column(default=0)
    focus_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]
    # Where this panelist's interview kit was sent, so a reschedule can update it in place.
    kit_channel: Mapped[str | None] = mapped_column(String(32))
    kit_ts: Mapped[str | None] = mapped_column(String(32))
    # The first moment they could see the others' ratings (panel feedback, the summary, or
    # the summary posted in a channel they are in): versions saved from then on are not
    # independent and do not count toward the agreement figures (bot/independence.py).
    saw_panel_at: Mapped[datetime | None]

    interview: Mapped[Interview] = relationship(back_populates="panelists")
    scorecard: Mapped[Scorecard | None] = relationship(
        back_populates="panelist", cascade="all, delete-orphan", uselist=False
    )


class Decision(Base):
    """Every decision recorded, oldest first; the interview row holds the current one."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), index=True
    )
    outcome: Mapped[DecisionOutcome] = mapped_column(_enum(DecisionOutcome, "decision_outcome"))
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(32))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    source_view_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The side the numbers took when it was decided (the mechanical recommendation, a
    # Recommendation value; None: no side), whether the decision went against it, and why.
    mechanical: Mapped[str | None] = mapped_column(String(20))
    against_mechanical: Mapped[bool] = mapped_column(default=False, server_default=false())
    against_reason: Mapped[str | None] = mapped_column(Text)

    interview: Mapped[Interview] = relationship(back_populates="decisions")
