"""Interviewer calibration and team reports, as data: the per-interview figures kept
current (`refresh_stats`, from the outbox after every change that moves them), and the
reports read from them (bot/core/calibration.py does the maths).

Who sees what: an interviewer sees their own figures; a recruiter or hiring lead sees the
figures of the interviews they organised; nothing of a deleted candidate is left (their
rows go with the candidate: bot/lifecycle/service.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, case, exists, func, or_, select
from sqlalchemy.orm import Session

from bot.core import calibration
from bot.core.calibration import Leniency, Timeliness
from bot.errors import UserError
from bot.i18n import N_
from bot.interviews import current_ratings, debrief_of, get_interview
from bot.outbox import effects
from bot.services import Services
from models import DebriefStats, Event, Interview, PanelistStats, reading, transaction

POSTED = "debrief_posted"  # bot/debrief/service.py's event: the summary went out
DEFAULT_DAYS = 90
MAX_DAYS = 3650


# ---------------------------------------------------------------------------- keeping current


def refresh_stats(services: Services, interview_id: int) -> None:
    """Recompute one interview's figures: each active panelist's leniency and time to
    scorecard, and, when it holds a debrief whose summary went out, whether that debrief
    started with every scorecard in."""
    with transaction(services.db) as session:
        interview = session.get(Interview, interview_id)
        if interview is None or interview.deleted_at is not None:
            return
        interview = get_interview(session, interview.team_id, interview_id)
        _refresh_panel(session, interview)
        _refresh_debrief(session, interview)


def _refresh_panel(session: Session, interview: Interview) -> None:
    ratings = current_ratings(session, interview.id)
    active = interview.active_panelists
    scores = {p.user_id: {q: s for q, (_, s) in ratings.get(p.id, {}).items() if s is not None}
              for p in active if p.scorecard is not None}
    leniencies = calibration.panel_leniencies(scores)
    existing = {row.user_id: row for row in session.scalars(
        select(PanelistStats).where(PanelistStats.interview_id == interview.id))}
    for user_id, row in existing.items():
        if interview.panelist_for(user_id) is None:
            session.delete(row)
    for panelist in active:
        row = existing.get(panelist.user_id) or PanelistStats(
            team_id=interview.team_id, interview_id=interview.id, user_id=panelist.user_id)
        found = leniencies.get(panelist.user_id)
        row.ended_at = interview.ends_at
        row.leniency = found.difference if found else None
        row.shared_questions = found.questions if found else 0
        row.hours_to_scorecard = (
            max((panelist.scorecard.submitted_at - interview.ends_at).total_seconds() / 3600,
                0.0) if panelist.scorecard is not None else None)
        session.add(row)


def _refresh_debrief(session: Session, interview: Interview) -> None:
    debrief = debrief_of(session, interview)
    started = session.scalar(select(func.min(Event.created_at)).where(
        Event.interview_id == interview.id, Event.kind == POSTED))
    row = session.get(DebriefStats, interview.id)
    if started is None or debrief.holder.id != interview.id:
        if row is not None:
            session.delete(row)
        return
    complete = all(p.scorecard is not None and p.scorecard.submitted_at <= started
                   for r in debrief.rounds for p in r.active_panelists)
    row = row or DebriefStats(interview_id=interview.id, team_id=interview.team_id)
    row.ended_at = max(r.ends_at for r in debrief.rounds)
    row.started_at = started
    row.complete = complete
    session.add(row)


# ---------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class InterviewerFigures:
    user_id: str
    leniency: Leniency
    timeliness: Timeliness


@dataclass(frozen=True)
class Report:
    """Calibration over a period: per interviewer, and the team's debriefs."""

    team_id: str
    since: datetime
    until: datetime | None
    organiser_id: str | None  # None: every interview of the workspace (the command line)
    interviewers: tuple[InterviewerFigures, ...]  # furthest from their peers first
    debriefs: int
    complete_debriefs: int  # started with every scorecard in

    @property
    def complete_share(self) -> float | None:
        return self.complete_debriefs / self.debriefs if self.debriefs else None


def report(session: Session, team_id: str, since: datetime, until: datetime | None,
           organiser_id: str | None) -> Report:
    """Every interviewer's figures over the interviews that ended in [since, until) (no
    end: `until` None), of those `organiser_id` organised (None: all the workspace's).
    No join on deleted interviews: their figures are deleted with them (lifecycle `_erase`),
    and a join over 340,000 rows cost 1.3 s on SQLite (benchmarks/scale.py)."""
    query = (select(PanelistStats.user_id, PanelistStats.leniency,
                    PanelistStats.hours_to_scorecard)
             .where(PanelistStats.team_id == team_id, PanelistStats.ended_at >= since))
    debriefs = (select(func.count(),
                       func.coalesce(func.sum(case((DebriefStats.complete, 1), else_=0)), 0))
                .where(DebriefStats.team_id == team_id, DebriefStats.ended_at >= since))
    if until is not None:
        query = query.where(PanelistStats.ended_at < until)
        debriefs = debriefs.where(DebriefStats.ended_at < until)
    if organiser_id is not None:  # from the organiser's own interviews (an index each)
        organised = _organised(team_id, organiser_id)
        query = query.where(PanelistStats.interview_id.in_(organised))
        debriefs = debriefs.where(DebriefStats.interview_id.in_(organised))
    differences: dict[str, list[float | None]] = defaultdict(list)
    hours: dict[str, list[float | None]] = defaultdict(list)
    # Plain rows (Core), not ORM rows: a third of the time over a long history.
    connection = session.connection()
    for user_id, leniency, hours_to in connection.execute(query):
        differences[user_id].append(leniency)
        hours[user_id].append(hours_to)
    figures = [_figures(u, differences[u], hours[u]) for u in differences]
    total, complete = connection.execute(debriefs).one()
    return Report(team_id, since, until, organiser_id, tuple(sorted(figures, key=_order)),
                  int(total), int(complete))


def workspace_reports(session: Session, since: datetime, until: datetime | None = None,
                      team_id: str | None = None) -> list[Report]:
    """Every interviewer of one workspace (`team_id`) or of each, for the command line."""
    teams = [team_id] if team_id else list(session.scalars(
        select(Interview.team_id).distinct().order_by(Interview.team_id)))
    return [report(session, team, since, until, None) for team in teams]


def _organised(team_id: str, user_id: str) -> Select[tuple[int]]:
    """The ids of the live interviews `user_id` organised (recruiter or hiring lead)."""
    return select(Interview.id).where(
        Interview.team_id == team_id, Interview.deleted_at.is_(None),
        or_(Interview.recruiter_id == user_id, Interview.hiring_lead_id == user_id))


def _figures(user_id: str, differences: Sequence[float | None],
             hours: Sequence[float | None]) -> InterviewerFigures:
    return InterviewerFigures(
        user_id,
        calibration.leniency([d for d in differences if d is not None]),
        calibration.timeliness([h for h in hours if h is not None]))


def _order(figures: InterviewerFigures) -> tuple[bool, float, str]:
    """Those with enough interviews first, furthest from their peers first."""
    mean = figures.leniency.mean
    return (mean is None, -abs(mean) if mean is not None else 0.0, figures.user_id)


# ---------------------------------------------------------------------------- asking


@dataclass(frozen=True)
class ReportRequest:
    days: int


def parse_days(raw: str) -> int:
    """`/interview report [days]`: a whole number of days, DEFAULT_DAYS when left out."""
    text = raw.strip()
    if not text:
        return DEFAULT_DAYS
    if not text.isdigit() or not 1 <= int(text) <= MAX_DAYS:
        raise UserError(N_("Give the number of days to look back, 1 to {max}: e.g. "
                           "`/interview report 90`."), max=MAX_DAYS)
    return int(text)


def request_report(services: Services, team_id: str, user_id: str, raw_days: str,
                   response_url: str | None) -> ReportRequest:
    """`/interview report [days]`: for recruiters and hiring leads (of at least one live
    interview); the report is made and sent to their DM after the ack."""
    days = parse_days(raw_days)
    with transaction(services.db) as session:
        if not organises_any(session, team_id, user_id):
            raise UserError(N_("Reports are for recruiters and hiring leads: they cover the "
                               "interviews you organised, and you have none yet."))
        effects.send_report(session, services, team_id, user_id, days, response_url)
    return ReportRequest(days)


def organises_any(session: Session, team_id: str, user_id: str) -> bool:
    return bool(session.scalar(select(exists(_organised(team_id, user_id)))))


def organiser_report(services: Services, team_id: str, user_id: str, days: int) -> Report:
    now = services.clock()
    with reading(services.db) as session:
        return report(session, team_id, now - timedelta(days=days), now, user_id)


