"""Rows for tests that start mid-flow (a scored interview, a due reminder) without
clicking through `/interview new` each time. End-to-end tests use the real flow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from bot.core.question_sets import QuestionSet
from bot.services import Services
from models import Interview, Panelist, Rating, Scorecard, ScorecardVersion, transaction
from tests.conftest import CHANNEL, LEAD, MARI, PEETER, PIA, RECRUITER, TEAM


def shipped_set(services: Services, language: str = "en",
                set_id: str = "customer-service") -> QuestionSet:
    found = services.question_sets.get(set_id, language)
    assert found is not None, f"{set_id}.{language} is not loaded"
    return found


def make_interview(
    services: Services,
    *,
    panel: Sequence[str] = (PIA, PEETER, MARI),
    language: str = "en",
    question_set: QuestionSet | None = None,
    starts_at: datetime | None = None,
    length: timedelta = timedelta(hours=1),
    debrief_at: datetime | None = None,
    channel_id: str = CHANNEL,
    plan_ts: str | None = None,
    candidate_name: str = "Mari Maasikas",
    recruiter_id: str = RECRUITER,
    hiring_lead_id: str = LEAD,
    focus: Mapping[str, list[str]] | None = None,
    team_id: str = TEAM,
) -> int:
    """An interview that ended an hour ago (by the services' clock), debrief tomorrow.
    Focus categories default to round-robin over the panel. Returns the interview id."""
    qs = question_set or shipped_set(services, language)
    now = services.clock()
    starts = starts_at or now - timedelta(hours=2)
    category_ids = [c.id for c in qs.categories]
    with transaction(services.db) as session:
        interview = Interview(
            team_id=team_id, candidate_name=candidate_name, role="Customer support agent",
            question_set_id=qs.id, language=qs.language, question_set=qs.to_snapshot(),
            channel_id=channel_id, plan_ts=plan_ts, recruiter_id=recruiter_id,
            hiring_lead_id=hiring_lead_id, starts_at=starts, ends_at=starts + length,
            debrief_at=debrief_at or starts + timedelta(days=1),
        )
        for position, user_id in enumerate(panel):
            default = [c for i, c in enumerate(category_ids) if i % len(panel) == position]
            interview.panelists.append(Panelist(
                user_id=user_id, position=position,
                focus_categories=list((focus or {}).get(user_id, default))))
        session.add(interview)
        session.flush()
        return interview.id


def add_scorecard(
    services: Services,
    interview_id: int,
    user_id: str,
    scores: Mapping[str, int | None],
    *,
    recommendation: str = "hire",
    takeaways: str = "Clear examples.",
    private_note: str | None = None,
    category_notes: Mapping[str, str] | None = None,
) -> None:
    """A submitted scorecard: `scores` maps question id -> score (None = not assessed)."""
    with transaction(services.db) as session:
        interview = session.get(Interview, interview_id)
        assert interview is not None
        qs = QuestionSet.from_snapshot(interview.question_set)
        panelist = next(p for p in interview.panelists if p.user_id == user_id)
        scorecard = panelist.scorecard
        if scorecard is None:
            scorecard = Scorecard(interview_id=interview_id, panelist=panelist, current_version=0)
            session.add(scorecard)
        number = scorecard.current_version + 1
        version = ScorecardVersion(
            number=number, recommendation=recommendation, takeaways=takeaways,
            private_note=private_note, category_notes=dict(category_notes or {}))
        for question_id, score in scores.items():
            category, _ = qs.question(question_id)
            version.ratings.append(Rating(category_id=category.id, question_id=question_id,
                                          score=score))
        scorecard.versions.append(version)
        scorecard.current_version = number


def perform_side_effects(services: Services) -> int:
    """What a listener does after its ack, for tests that call bot/ directly: perform every
    side effect the outbox holds that is due (bot/outbox.py); how many were performed."""
    done = 0
    while performed := services.side_effects.perform_due():
        done += performed
    return done
