"""SQLAlchemy 2.x typed models and the session factory."""

from models.base import Base, utcnow
from models.calibration import DebriefStats, PanelistStats
from models.candidate import Candidate
from models.event import Event
from models.interview import Decision, DecisionOutcome, Interview, InterviewStatus, Panelist
from models.outbox import OutboxMessage, OutboxStatus
from models.posted import PostedKind, PostedMessage
from models.reminder import Reminder, ReminderStatus
from models.scorecard import Rating, Scorecard, ScorecardDraft, ScorecardVersion
from models.session import create_db_engine, make_session_factory, reading, transaction

__all__ = [
    "Base",
    "Candidate",
    "DebriefStats",
    "Decision",
    "DecisionOutcome",
    "Event",
    "Interview",
    "InterviewStatus",
    "OutboxMessage",
    "OutboxStatus",
    "Panelist",
    "PanelistStats",
    "PostedKind",
    "PostedMessage",
    "Rating",
    "Reminder",
    "ReminderStatus",
    "Scorecard",
    "ScorecardDraft",
    "ScorecardVersion",
    "create_db_engine",
    "make_session_factory",
    "reading",
    "transaction",
    "utcnow",
]
