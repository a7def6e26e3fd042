"""Scorecards: one per panelist, with every submitted version kept."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow

if TYPE_CHECKING:
    from models.interview import Panelist


class Scorecard(Base):
    __tablename__ = "scorecards"
    __table_args__ = (UniqueConstraint("panelist_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), index=True
    )
    panelist_id: Mapped[int] = mapped_column(ForeignKey("panelists.id", ondelete="CASCADE"))
    current_version: Mapped[int] = mapped_column(default=1)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    panelist: Mapped[Panelist] = relationship(back_populates="scorecard")
    versions: Mapped[list[ScorecardVersion]] = relationship(
        back_populates="scorecard", cascade="all, delete-orphan", order_by="ScorecardVersion.number"
    )

    @property
    def current(self) -> ScorecardVersion:
        return next(v for v in self.versions if v.number == self.current_version)


class ScorecardVersion(Base):
    """One submission. Edits add a version; nothing is overwritten."""

    __tablename__ = "scorecard_versions"
    __table_args__ = (UniqueConstraint("scorecard_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id", ondelete="CASCADE"))
    number: Mapped[int]
    recommendation: Mapped[str] = mapped_column(String(20))
    takeaways: Mapped[str] = mapped_column(Text)
    private_note: Mapped[str | None] = mapped_column(Text)
    category_notes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # category id -> why the panelist's category score moved 2 points or more from the one in
    # place when the debrief started (a re-rating after the discussion); None before 0008.
    shift_reasons: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The modal submission it came from: a retried submission stores no second version.
    source_view_id: Mapped[str | None] = mapped_column(String(64), unique=True)

    scorecard: Mapped[Scorecard] = relationship(back_populates="versions")
    ratings: Mapped[list[Rating]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="Rating.id"
    )


class Rating(Base):
    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("version_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("scorecard_versions.id", ondelete="CASCADE")
    )
    category_id: Mapped[str] = mapped_column(String(40))
    question_id: Mapped[str] = mapped_column(String(40))
    score: Mapped[int | None]  # None = not assessed; never counted as a zero
    note: Mapped[str | None] = mapped_column(Text)

    version: Mapped[ScorecardVersion] = relationship(back_populates="ratings")


class ScorecardDraft(Base):
    """Answers on the pages of a paged scorecard modal not yet submitted: Slack's 3000
    characters of private_metadata cannot carry 150 ratings and the notes."""

    __tablename__ = "scorecard_drafts"
    __table_args__ = (UniqueConstraint("panelist_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panelist_id: Mapped[int] = mapped_column(ForeignKey("panelists.id", ondelete="CASCADE"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
