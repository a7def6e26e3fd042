"""One person's interviews at a glance: the App Home tab and `/interview list`.

Four sections in two queries whatever the number of interviews: the ids shown and each
section's total come from indexes (models/interview.py), then the progress of a row
(panel, scorecards in, the loop's debrief) is counted only for the rows shown:
- scorecards I owe: I am on the panel (not removed), the interview has started, it is not
  decided or cancelled, and my scorecard is not in;
- my upcoming interviews: I am on the panel or the hiring lead, and it has not started;
- debriefs I lead: I am the hiring lead of the round holding a debrief (a loop debriefed
  together has one, on its latest round) and no decision is recorded yet, with the
  progress of every round it covers;
- interviews I created (recruiters): every interview I set up, open ones first;
and, for someone who has sat on panels, how they rate: their leniency and timeliness over
the last OWN_FIGURES_DAYS (bot/core/calibration.py), which only they see.
Deleted interviews never show. Each row says which candidate and round it is; the
builders group a candidate's rounds under one name.

A change asks for the tabs of the people it concerns to be published again through the
outbox (bot/outbox/effects.py `refresh_homes`); `publish_home` renders and publishes one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from bot.core import calibration
from bot.services import Services
from models import (
    Candidate,
    DecisionOutcome,
    Interview,
    InterviewStatus,
    Panelist,
    PanelistStats,
    Scorecard,
    reading,
)
from models.base import UTCDateTime

log = logging.getLogger(__name__)

OPEN_STATUSES = (InterviewStatus.SCHEDULED, InterviewStatus.DEBRIEF)
# The App Home holds 100 blocks, a message 50: each section shows at most this many rows
# (bot/home/builders.py adds a candidate's name above two or more of their rounds).
HOME_ROWS = 13
LIST_ROWS = 6
OWN_FIGURES_DAYS = 365


@dataclass(frozen=True)
class InterviewRow:
    """What a home or list line shows about one interview."""

    interview_id: int
    candidate_name: str
    role: str
    candidate_id: int
    round_number: int
    rounds: int  # the candidate's live rounds
    channel_id: str
    starts_at: datetime
    ends_at: datetime
    debrief_at: datetime
    status: InterviewStatus
    decision: DecisionOutcome | None
    panel_size: int  # active panelists
    submitted: int  # of them, scorecards in
    # The same over every round the debrief this round holds covers ("Debriefs I lead").
    debrief_panel_size: int = 0
    debrief_submitted: int = 0


@dataclass(frozen=True)
class Section:
    rows: tuple[InterviewRow, ...] = ()
    total: int = 0

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.rows))


@dataclass(frozen=True)
class OwnFigures:
    """How one interviewer rates, for their eyes only."""

    leniency: calibration.Leniency
    timeliness: calibration.Timeliness


@dataclass(frozen=True)
class HomeData:
    user_id: str
    owed: Section = field(default_factory=Section)
    upcoming: Section = field(default_factory=Section)
    leading: Section = field(default_factory=Section)
    created: Section = field(default_factory=Section)
    own: OwnFigures | None = None  # None: never on a panel in the period


def home_data(session: Session, user_id: str, now: datetime, *, team_id: str | None = None,
              rows: int = HOME_ROWS, own: bool = False) -> HomeData:
    """The four sections for one person, in two queries whatever the history: the ids each
    section shows and its total, read from indexes (`_pages`); then those rows, with their
    progress (panel, scorecards in, the loop's debrief) computed for them alone. With `own`,
    their own figures too (a third)."""
    params = {"user_id": user_id, "now": now, "team_id": team_id, "rows": rows}
    shown: dict[str, list[int]] = {name: [] for name in SECTIONS}
    totals: dict[str, int] = {}
    for name, interview_id, total in session.execute(_pages_statement(team_id is not None),
                                                      params):
        shown[name].append(interview_id)
        totals[name] = int(total)
    wanted = {i for ids in shown.values() for i in ids}
    found = {r.interview_id: r for r in _rows(session, wanted)} if wanted else {}
    figures = (own_figures(session, user_id, now - timedelta(days=OWN_FIGURES_DAYS), now,
                           team_id=team_id) if own else None)
    return HomeData(user_id, **{
        name: Section(tuple(sorted((found[i] for i in ids if i in found), key=SECTIONS[name])),
                      totals.get(name, 0))
        for name, ids in shown.items()}, own=figures)


# Each section's order (the same as its page's, in `_pages`).
SECTIONS: dict[str, Callable[[InterviewRow], Any]] = {
    "owed": lambda r: (r.debrief_at, r.interview_id),
    "upcoming": lambda r: (r.starts_at, r.interview_id),
    "leading": lambda r: (r.debrief_at, r.interview_id),
    "created": lambda r: (r.status not in OPEN_STATUSES, -r.starts_at.timestamp(),
                          -r.interview_id),
}


def own_figures(session: Session, user_id: str, since: datetime, until: datetime, *,
                team_id: str | None = None) -> OwnFigures | None:
    """The interviewer's leniency and timeliness over the interviews that ended in
    [since, until); None when they sat on no panel then."""
    query = (select(PanelistStats.leniency, PanelistStats.hours_to_scorecard)
             .join(Interview, Interview.id == PanelistStats.interview_id)
             .where(PanelistStats.user_id == user_id, PanelistStats.ended_at >= since,
                    PanelistStats.ended_at < until, Interview.deleted_at.is_(None)))
    if team_id is not None:
        query = query.where(PanelistStats.team_id == team_id)
    rows = session.execute(query).all()
    if not rows:
        return None
    return OwnFigures(
        calibration.leniency([r.leniency for r in rows if r.leniency is not None]),
        calibration.timeliness([r.hours_to_scorecard for r in rows
                                if r.hours_to_scorecard is not None]))


@lru_cache(maxsize=2)
def _pages_statement(by_team: bool) -> Select[Any]:
    """(section, id, the section's total) for each row each section shows. Built once with
    bound parameters: building these statements (aliases, subqueries) cost more CPU than
    running them, and App Home is published after every scorecard."""
    branches = []
    for name, (page, total) in _pages(by_team).items():
        ids = page.subquery()
        branches.append(select(literal(name).label("section"), ids.c.id,
                               total.label("total")))
    return union_all(*branches)  # type: ignore[return-value]


@lru_cache(maxsize=1)
def _rows_statement() -> Select[Any]:
    return _rows_query().where(Interview.id.in_(bindparam("ids", expanding=True)))


def _rows(session: Session, interview_ids: set[int]) -> list[InterviewRow]:
    return [InterviewRow(
        interview_id=r.id, candidate_name=r.candidate_name, role=r.role,
        candidate_id=r.candidate_id, round_number=r.round_number, rounds=int(r.rounds),
        channel_id=r.channel_id, starts_at=r.starts_at, ends_at=r.ends_at,
        debrief_at=r.debrief_at, status=r.status, decision=r.decision,
        panel_size=int(r.panel_size), submitted=int(r.submitted),
        debrief_panel_size=int(r.debrief_panel_size),
        debrief_submitted=int(r.debrief_submitted))
        for r in session.execute(_rows_statement(), {"ids": sorted(interview_ids)})]


def _pages(by_team: bool) -> dict[str, tuple[Any, Any]]:
    """Per section: the ids to show (at most `rows`, in order) and a scalar subquery
    counting all the section's interviews."""
    user_id = bindparam("user_id", type_=String())
    now = bindparam("now", type_=UTCDateTime())
    limit = bindparam("rows", type_=Integer())
    row = aliased(Interview, name="paged")
    live: list[ColumnElement[bool]] = [row.deleted_at.is_(None)]
    if by_team:
        live.append(row.team_id == bindparam("team_id", type_=String()))
    me = aliased(Panelist, name="me")
    mine = and_(me.interview_id == row.id, me.user_id == user_id, me.removed_at.is_(None))
    owed = (select(row.id).join(me, mine)
            .outerjoin(Scorecard, Scorecard.panelist_id == me.id)
            .where(*live, Scorecard.id.is_(None), row.status.in_(OPEN_STATUSES),
                   row.starts_at <= now))
    upcoming = select(row.id).where(
        *live, or_(exists(select(me.id).where(mine)), row.hiring_lead_id == user_id),
        row.status == InterviewStatus.SCHEDULED, row.starts_at > now)
    leading = select(row.id).where(*live, row.hiring_lead_id == user_id,
                                   row.status.in_(OPEN_STATUSES), _holds_its_debrief(row))
    created = select(row.id).where(*live, row.recruiter_id == user_id)

    def page(base: Select[Any], *order: Any) -> Any:
        return base.order_by(*order).limit(limit)

    def total(base: Select[Any]) -> Any:
        return select(func.count()).select_from(base.subquery()).scalar_subquery()

    return {
        "owed": (page(owed, row.debrief_at, row.id), total(owed)),
        "upcoming": (page(upcoming, row.starts_at, row.id), total(upcoming)),
        "leading": (page(leading, row.debrief_at, row.id), total(leading)),
        "created": (_created_page(created, row, limit), total(created)),
    }


def _created_page(created: Select[Any], row: Any, limit: Any) -> Any:
    """Open interviews first, then the latest: a recruiter's thousands of decided ones are
    read newest first from the index on (team, recruiter, status, start, id), `rows` per
    status, never all of them."""
    pages = [created.add_columns(literal(0 if status in OPEN_STATUSES else 1).label("closed"),
                                 row.starts_at.label("starts_at"))
             .where(row.status == status)
             .order_by(row.starts_at.desc(), row.id.desc()).limit(limit).subquery()
             for status in InterviewStatus]
    every = union_all(*(select(*p.c) for p in pages)).subquery()
    return (select(every.c.id)
            .order_by(every.c.closed, every.c.starts_at.desc(), every.c.id.desc())
            .limit(limit))


def _holds_its_debrief(row: Any) -> ColumnElement[bool]:
    """The round holds the debrief that covers it (bot/interviews.py `debrief_of`): its
    loop is debriefed per round, or no later round is live and not cancelled."""
    later = aliased(Interview)
    per_round = select(Candidate.debrief_per_round).where(Candidate.id == row.candidate_id)
    return or_(per_round.scalar_subquery(), ~exists(select(later.id).where(
        later.candidate_id == row.candidate_id, later.deleted_at.is_(None),
        later.status != InterviewStatus.CANCELLED,
        later.round_number > row.round_number)))


def _rows_query() -> Select[Any]:
    # Progress is counted per row the section returns (correlated subqueries on the
    # panelists' and scorecards' unique indexes), not aggregated over every interview ever.
    panel = aliased(Panelist)
    card = aliased(Scorecard)
    active = and_(panel.interview_id == Interview.id, panel.removed_at.is_(None))
    panel_size = (select(func.count(panel.id)).where(active)
                  .correlate(Interview).scalar_subquery())
    submitted = (select(func.count(card.id)).join(panel, card.panelist_id == panel.id)
                 .where(active).correlate(Interview).scalar_subquery())
    debrief_panel, debrief_submitted = _loop_progress()
    other = aliased(Interview)
    rounds = (select(func.count(other.id)).where(other.candidate_id == Interview.candidate_id,
                                                 other.deleted_at.is_(None))
              .correlate(Interview).scalar_subquery())
    query = (
        select(Interview.id, Candidate.name.label("candidate_name"), Candidate.role,
               Interview.candidate_id, Interview.round_number, rounds.label("rounds"),
               Interview.channel_id,
               Interview.starts_at, Interview.ends_at, Interview.debrief_at, Interview.status,
               _closing_decision().label("decision"), panel_size.label("panel_size"),
               submitted.label("submitted"),
               case((Candidate.debrief_per_round, panel_size),
                    else_=debrief_panel).label("debrief_panel_size"),
               case((Candidate.debrief_per_round, submitted),
                    else_=debrief_submitted).label("debrief_submitted"))
        .select_from(Interview)
        .join(Candidate, Candidate.id == Interview.candidate_id)
    )
    # Which interviews (the team's, live) is the page's business: repeated here, the
    # conditions would tempt SQLite to walk the team's index instead of the page's ids.
    return query


def _closing_decision() -> Any:
    """The decision that closed the round: its own, or that of the nearest later round of
    its loop that has one (whose debrief covered it)."""
    later = aliased(Interview)
    covering = (select(later.decision).where(
        later.candidate_id == Interview.candidate_id, later.deleted_at.is_(None),
        later.round_number > Interview.round_number, later.decision.is_not(None))
        .order_by(later.round_number).limit(1).correlate(Interview).scalar_subquery())
    return func.coalesce(Interview.decision, covering)


def _loop_progress() -> tuple[Any, Any]:
    """Active panelists, and their scorecards in, over the candidate's live rounds that are
    not cancelled: the progress of a loop's one debrief."""
    panel = aliased(Panelist)
    card = aliased(Scorecard)
    round_ = aliased(Interview)
    covered = and_(round_.candidate_id == Interview.candidate_id, round_.deleted_at.is_(None),
                   round_.status != InterviewStatus.CANCELLED, panel.removed_at.is_(None))
    size = (select(func.count(panel.id)).join(round_, panel.interview_id == round_.id)
            .where(covered).correlate(Interview).scalar_subquery())
    done = (select(func.count(card.id)).join(panel, card.panelist_id == panel.id)
            .join(round_, panel.interview_id == round_.id)
            .where(covered).correlate(Interview).scalar_subquery())
    return size, done


def load_home(services: Services, user_id: str, *, team_id: str | None = None,
              rows: int = HOME_ROWS, own: bool = False) -> HomeData:
    with reading(services.db) as session:
        return home_data(session, user_id, services.clock(), team_id=team_id, rows=rows,
                         own=own)


# ---------------------------------------------------------------------------- publishing


