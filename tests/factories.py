"""Rows for tests that start mid-flow (a scored interview, a due reminder) without
clicking through `/interview new` each time. End-to-end tests use the real flow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.core.question_sets import Category, Competency, Question, QuestionSet, ScalePoint
from bot.debrief import service as debrief
from bot.interviews import (
    debrief_of,
    freeze_question_set,
    get_interview,
    question_set_of,
)
from bot.scorecards.service import Answers, ScorecardForm
from bot.services import Services
from models import (
    Candidate,
    Interview,
    Panelist,
    Rating,
    Reminder,
    ReminderStatus,
    Scorecard,
    ScorecardVersion,
    transaction,
)
from tests.conftest import CHANNEL, LEAD, MARI, PEETER, PIA, RECRUITER, TEAM

# A name and a note as hostile as a user could type them (mrkdwn, mentions).
NASTY = "<!channel> & <@ULEAD> said *this*"


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
    candidate_id: int | None = None,
    debrief_per_round: bool = False,
) -> int:
    """An interview that ended an hour ago (by the services' clock), debrief tomorrow:
    round 1 of a new candidate, or the next round of `candidate_id`. Focus categories
    default to round-robin over the panel. Returns the interview id."""
    qs = question_set or shipped_set(services, language)
    now = services.clock()
    starts = starts_at or now - timedelta(hours=2)
    category_ids = [c.id for c in qs.categories]
    with transaction(services.db) as session:
        if candidate_id is None:
            candidate = Candidate(team_id=team_id, name=candidate_name,
                                  role="Customer support agent", recruiter_id=recruiter_id,
                                  debrief_per_round=debrief_per_round)
            round_number = 1
        else:
            candidate = session.get_one(Candidate, candidate_id)
            round_number = 1 + max(r.round_number for r in candidate.rounds)
        interview = Interview(
            team_id=team_id, candidate=candidate, round_number=round_number,
            question_set_id=qs.id, language=qs.language,
            question_set_version=freeze_question_set(session, qs),
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
    shift_reasons: Mapping[str, str] | None = None,
) -> None:
    """A submitted scorecard: `scores` maps question id -> score (None = not assessed)."""
    with transaction(services.db) as session:
        interview = session.get(Interview, interview_id)
        assert interview is not None
        qs = question_set_of(interview)
        panelist = next(p for p in interview.panelists if p.user_id == user_id)
        scorecard = panelist.scorecard
        now = services.clock()
        if scorecard is None:
            scorecard = Scorecard(interview_id=interview_id, panelist=panelist, current_version=0,
                                  submitted_at=now, updated_at=now)
            session.add(scorecard)
        number = scorecard.current_version + 1
        version = ScorecardVersion(
            number=number, recommendation=recommendation, takeaways=takeaways,
            private_note=private_note, category_notes=dict(category_notes or {}),
            shift_reasons=dict(shift_reasons or {}), created_at=now)
        scorecard.updated_at = now
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


PIA_SCORES = {"define-customer-service": 4, "good-service-meaning": 4,
              "hardest-case": 5, "could-not-help": 4,
              "angry-customer": 5, "customer-is-wrong": 5,
              "why-customer-service": 3}


PEETER_SCORES = {"define-customer-service": 4, "good-service-meaning": 4,
                 "hardest-case": 1, "could-not-help": 2,
                 "angry-customer": 4, "customer-is-wrong": 4,
                 "why-customer-service": None}


MARI_SCORES = {"define-customer-service": 4, "good-service-meaning": 4,
               "hardest-case": 3, "could-not-help": 3,
               "angry-customer": 3, "customer-is-wrong": 4}


def worked_example(services: Services, **kwargs: Any) -> int:
    interview_id = make_interview(services, panel=(PIA, PEETER, MARI), **kwargs)
    add_scorecard(services, interview_id, PIA, PIA_SCORES, recommendation="strong_hire",
                  takeaways="Owned the <!channel> outage story & fixed it.",
                  private_note="Salary expectations are high.")
    add_scorecard(services, interview_id, PEETER, PEETER_SCORES, recommendation="no_hire",
                  takeaways="Could not give a concrete example.")
    add_scorecard(services, interview_id, MARI, MARI_SCORES, recommendation="hire",
                  takeaways="Calm under pressure.")
    return interview_id


def summary_of(services: Services, interview_id: int) -> debrief.DebriefSummary:
    with transaction(services.db) as session:
        return debrief.debrief_summary(session, debrief_of(session, get_interview(
            session, TEAM, interview_id)))


def add_pending_reminders(services: Services, interview_id: int) -> None:
    due = services.clock() + timedelta(hours=3)
    with transaction(services.db) as session:
        session.add(Reminder(interview_id=interview_id, kind="daily:1", recipient_id=MARI,
                             due_at=due))
        session.add(Reminder(interview_id=interview_id, kind="debrief", recipient_id=CHANNEL,
                             due_at=due))
        session.add(Reminder(interview_id=interview_id, kind="first", recipient_id=PEETER,
                             due_at=due - timedelta(hours=4), status=ReminderStatus.SENT))


LARGE_PANEL = [f"UPANEL{i:02d}" for i in range(12)]


def largest_set() -> QuestionSet:
    """10 categories, 150 questions (15 each), texts near their limits."""
    anchor = "Concrete example, owns the outcome, clear steps shown"
    return QuestionSet.model_validate({
        "id": "largest", "name": "Largest set", "language": "en",
        "description": "A set at the limits.",
        "scale": [{"value": v, "label": f"Level {v} label", "anchor": anchor}
                  for v in range(1, 6)],
        "categories": [
            {"id": f"cat-{c}", "name": f"Category {c} with a name near sixty characters long",
             "purpose": "Why it matters. " * 40,
             "questions": [{"id": f"c{c}-q{q}", "text": f"Question {q} of category {c}? " * 16}
                           for q in range(15)]}
            for c in range(10)],
    })


def largest_interview(services: Services) -> int:
    qs = largest_set()
    interview_id = make_interview(services, panel=LARGE_PANEL, question_set=qs,
                                  candidate_name="Maria " + "<!here> " * 20)
    for i, user_id in enumerate(LARGE_PANEL):
        scores = {q.id: (i + j) % 5 + 1 for c in qs.categories
                  for j, q in enumerate(c.questions)}
        add_scorecard(services, interview_id, user_id, scores,
                      recommendation=("strong_no_hire", "no_hire", "hire", "strong_hire")[i % 4],
                      takeaways=(NASTY + " ") * 100,  # ~3000 characters
                      private_note="Secret " * 400,
                      category_notes={c.id: "Note " * 500 for c in qs.categories})
    return interview_id


def generated_set(sizes: Sequence[int] = (15,) * 10, set_id: str = "generated") -> QuestionSet:
    """A set as large as a team may write, with texts near their limits; every third
    question has anchors of its own."""
    anchor = "Concrete example, owns the outcome, clear steps shown"  # option text <= 75
    return QuestionSet.model_validate({
        "id": set_id, "name": "Generated set", "language": "en",
        "description": "A generated set at Slack's limits.",
        "scale": [{"value": v, "label": f"Level {v}", "anchor": anchor} for v in range(1, 6)],
        "categories": [
            {"id": f"cat-{c}", "name": f"Category {c} with a fairly long name",
             "purpose": "Why this category matters. " * 36,
             "questions": [{"id": f"c{c}-q{q}", "text": f"Question {q} of category {c}? " * 16,
                            "guidance": "What a strong answer shows. " * 50,
                            **({"anchors": [f"Own anchor {v} of c{c}-q{q}, " + "x" * 30
                                            for v in range(1, 6)]} if q % 3 == 0 else {})}
                           for q in range(size)]}
            for c, size in enumerate(sizes)],
    })


def form_for(qs: QuestionSet, focus: Sequence[str] = (), answers: Answers | None = None,
             version: int = 0) -> ScorecardForm:
    return ScorecardForm(interview_id=7, user_id=PIA, candidate_name="Mari <!channel>",
                         role="Agent & co", language=qs.language, question_set=qs,
                         focus=tuple(c.id for c in qs.categories if c.id in focus),
                         answers=answers or Answers(), version=version)


BIG_SIZES = (40, 40, 30, 10, 10, 5, 5, 4, 3, 3)  # 150 questions in 10 categories


def big_set() -> QuestionSet:
    """At every limit: 10 categories, 150 questions, 10 competencies, the longest texts,
    guidance, probes and anchors (every question has its own, "10 · Level 10: " + 60)."""
    scale = [ScalePoint(value=v, label=f"Level {v}", anchor=("Anchor text " * 5)[:50])
             for v in range(1, 11)]
    competencies = [Competency(id=f"competency-{n}", name=f"Competency {n} " + "c" * 46)
                    for n in range(10)]
    categories = []
    for c, size in enumerate(BIG_SIZES):
        questions = [Question(id=f"q-{c}-{n}", text=f"Q{c}.{n} " + "w" * 490,
                              guidance=f"G{c}.{n} " + ("listen for this. " * 100)[:1490],
                              guidance_source="project",
                              probes=[(f"P{c}.{n}.{p} " + "probe " * 60)[:300]
                                      for p in range(5)],
                              anchors=[(f"A{c}.{n}.{v} " + "a" * 60)[:60] for v in range(1, 11)],
                              competency=f"competency-{n % 10}", spare=n > 0)
                     for n in range(size)]
        categories.append(Category(id=f"cat-{c}", name=f"Category {c} " + "n" * 48,
                                   purpose="p" * 1000, questions=questions))
    return QuestionSet(id="big", name="Biggest set", language="en",
                       description="Every limit at once.", scale=scale,
                       competencies=competencies, categories=categories)
