"""The interview plan and the kits, as data: the interview they show, the plans still
waiting for an invitation, and a "Post plan" request (bot/plan/publish.py posts).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.errors import UserError
from bot.i18n import N_
from bot.interviews import (
    get_interview,
    require_organiser,
)
from bot.outbox import effects
from bot.services import Services
from models import Candidate, Interview, InterviewStatus, Panelist, transaction

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


