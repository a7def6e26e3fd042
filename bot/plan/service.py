"""The interview plan and the kits, as data: the interview they show, the plans still
waiting for an invitation, and a "Post plan" request (bot/plan/publish.py posts).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.errors import UserError
from bot.i18n import N_
from bot.interviews import (
    debrief_of,
    get_interview,
    live_rounds,
    require_organiser,
)
from bot.outbox import effects
from bot.services import Services
from models import (
    Candidate,
    DecisionOutcome,
    Interview,
    InterviewStatus,
    Panelist,
    transaction,
)

log = logging.getLogger(__name__)

UNPOSTED_SHOWN = 5
UNPOSTED_MAX_AGE = timedelta(days=30)


class PlanStatus(enum.StrEnum):
    POSTED = "posted"
    ALREADY_POSTED = "already_posted"
    NEEDS_INVITE = "needs_invite"  # a private channel the bot is not in


@dataclass(frozen=True)
class PlanResult:
    status: PlanStatus
    interview_id: int
    channel_id: str
    language: str
    ts: str | None = None


@dataclass(frozen=True)
class KitsSent:
    sent: Sequence[str]
    failed: Sequence[str]


@dataclass(frozen=True)
class UnpostedPlan:
    interview_id: int
    candidate_name: str
    channel_id: str


@dataclass(frozen=True)
class RoundLink:
    """Another round of the loop as a plan names it: when, and where its plan is. Never a
    score: the plan is read by panelists who have not rated yet."""

    interview_id: int
    round_number: int
    starts_at: datetime
    status: InterviewStatus
    channel_id: str
    plan_ts: str | None
    permalink: str | None = None  # filled at Slack (bot/plan/publish.py)


@dataclass(frozen=True)
class LoopView:
    """Where a round stands in its candidate's loop."""

    rounds: tuple[RoundLink, ...]  # every live round, this one included, in order
    round_number: int
    holder_id: int  # the round holding the debrief that covers this one
    per_round: bool
    # The decision that closed this round: its own, or that of the later round whose
    # debrief covered it.
    decision: DecisionOutcome | None = None

    @property
    def latest(self) -> bool:
        """The loop's last round: its plan offers "Add a round"."""
        return self.rounds[-1].round_number == self.round_number

    @property
    def covered(self) -> int:
        """How many rounds this round's debrief covers."""
        if self.per_round:
            return 1
        return sum(1 for r in self.rounds if r.status != InterviewStatus.CANCELLED)


def loop_view(session: Session, interview: Interview) -> LoopView:
    rounds = live_rounds(session, interview.candidate_id)
    return LoopView(
        rounds=tuple(RoundLink(r.id, r.round_number, r.starts_at, r.status, r.channel_id,
                               r.plan_ts) for r in rounds),
        round_number=interview.round_number,
        holder_id=debrief_of(session, interview).holder.id,
        per_round=interview.candidate.debrief_per_round,
        decision=next((r.decision for r in rounds if r.round_number >= interview.round_number
                       and r.decision is not None), None))


def load_interview(session: Session, interview_id: int, *,
                   for_update: bool = False) -> Interview | None:
    """The live interview with its panel and scorecards (locked on PostgreSQL with
    `for_update`)."""
    query = (
        select(Interview)
        .where(Interview.id == interview_id, Interview.deleted_at.is_(None))
        .options(selectinload(Interview.panelists).selectinload(Panelist.scorecard))
    )
    if for_update and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Interview)
    return session.scalars(query).first()


# ---------------------------------------------------------------------------- the plan


def request_plan_post(services: Services, team_id: str, raw_id: str, user_id: str,
                      reply_to: Mapping[str, Any], response_url: str | None) -> None:
    """"Post plan": the recruiter or the hiring lead asks for a plan that is not posted yet
    (bot/performers.py posts it and answers them)."""
    with transaction(services.db) as session:
        interview = get_interview(session, team_id, raw_id)
        require_organiser(interview, user_id)
        if interview.status == InterviewStatus.CANCELLED:
            raise UserError(N_("Interview {id} is cancelled; there is no plan to post."),
                            id=interview.id)
        effects.post_plan(session, services, interview.id, user_id, reply_to, response_url)


def unposted_plans(services: Services, team_id: str, user_id: str) -> list[UnpostedPlan]:
    """The recent interviews this person organises whose plan is still waiting."""
    since = services.clock() - UNPOSTED_MAX_AGE
    with transaction(services.db) as session:
        rows = session.execute(
            select(Interview.id, Candidate.name.label("candidate_name"), Interview.channel_id)
            .join(Candidate, Candidate.id == Interview.candidate_id)
            .where(Interview.team_id == team_id, Interview.plan_ts.is_(None),
                   Interview.deleted_at.is_(None),
                   Interview.status.in_([InterviewStatus.SCHEDULED, InterviewStatus.DEBRIEF]),
                   (Interview.recruiter_id == user_id) | (Interview.hiring_lead_id == user_id),
                   Interview.created_at >= since)
            .order_by(Interview.id.desc())
            .limit(UNPOSTED_SHOWN)
        ).all()
    return [UnpostedPlan(r.id, r.candidate_name, r.channel_id) for r in rows]


# ---------------------------------------------------------------------------- the kits


@dataclass(frozen=True)
class Published:
    """What happened when a new interview went out: its plan (status None: Slack refused
    it with `error`) and its kits."""

    interview_id: int
    channel_id: str
    language: str
    status: PlanStatus | None
    kits: KitsSent
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.status is None

    @property
    def needs_invite(self) -> bool:
        return self.status == PlanStatus.NEEDS_INVITE


