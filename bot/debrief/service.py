"""The debrief, as data and rules: the consensus summary (built from the database each time,
so posting it again shows the latest numbers), who may read it, the claim to post it once,
and the hiring decision.

Why a claim in the event log: holding a database lock across a Slack call would stall every
other writer on SQLite for as long as Slack takes. Instead, a short locked transaction
records "posting" (an event) when no summary exists and nobody else is posting; the Slack
call (bot/debrief/publish.py) runs outside any transaction; a second short transaction
stores the message ts. Whoever finds a live claim waits for the ts and then updates the
message in place. A claim left by a process that died mid-post expires.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core import consensus
from bot.core.consensus import Speaker
from bot.core.question_sets import RECOMMENDATION_KEYS, QuestionSet
from bot.debrief.rerating import BeforeAfter, RoundHistory, before_after
from bot.errors import InterviewRefused, NotFound, UserError
from bot.i18n import N_
from bot.independence import (
    PanelHistory,
    SeatHistory,
    SeenBy,
    Side,
    mark_seen,
    owes_own_scorecard,
    panel_history,
    seats_of,
    start_debrief_clock,
)
from bot.interviews import (
    Debrief,
    Ratings,
    cancel_reminders,
    debrief_of,
    find_interview,
    get_interview,
    locked_debrief,
    log_event,
    missing_panelists,
    organises_debrief,
    question_set_of,
    record_posted,
)
from bot.outbox import effects
from bot.services import Services
from models import (
    Decision,
    DecisionOutcome,
    Event,
    Interview,
    InterviewStatus,
    Panelist,
    PostedKind,
    PostedMessage,
    reading,
    transaction,
    utcnow,
)

log = logging.getLogger(__name__)

# Event kinds of the posting claim (see the module docstring).
CLAIMED = "debrief_posting"
RELEASED = "debrief_post_failed"
POSTED = "debrief_posted"
UPDATED = "debrief_updated"
# A claim older than this was left by a process that died between claim and ts.
CLAIM_LIFETIME = timedelta(seconds=60)
# How long a second caller waits for the first one's message before giving up quietly
# (the first one is posting the same summary).
WAIT_FOR_OTHER_POST_SECONDS = 20.0
WAIT_INTERVAL_SECONDS = 0.05

REASON_MAX_LENGTH = 3000



# ---------------------------------------------------------------------------- the summary


@dataclass(frozen=True)
class PanelistTakeaways:
    """What the summary shows of one panelist's scorecard (never the private note)."""

    user_id: str
    recommendation: str  # a RECOMMENDATION_KEYS key
    takeaways: str
    version: int
    round_number: int | None = None  # in a debrief covering several rounds
    # Saved after its author could see the others' ratings: the figures use `counted_version`
    # (None: no version of theirs is counted).
    changed_after_seeing: bool = False
    counted_version: int | None = None


@dataclass(frozen=True)
class RoundPart:
    """One round of a debrief that covers several: who is in, who is missing."""

    interview_id: int
    round_number: int
    set_name: str
    panel: tuple[str, ...]
    submitted: tuple[str, ...]
    missing: tuple[str, ...]
    # Its ratings are counted with the others' (False: its set rates on another scale, so
    # its numbers are in its own `/interview summary`).
    combined: bool = True


@dataclass(frozen=True)
class DecisionView:
    outcome: DecisionOutcome
    reason: str
    decided_by: str
    decided_at: datetime
    changes: int  # earlier decisions replaced by this one


@dataclass(frozen=True)
class Evidence:
    """A panelist's note on a category they rated at an end of the scale: what the debrief
    quotes where the panel is split."""

    rater: str  # a rater key of the consensus (a Slack user; user@round in a loop)
    scores: tuple[int, ...]  # the extreme scores they gave in the category, low to high
    note: str


@dataclass(frozen=True)
class DebriefSummary:
    """Everything the debrief summary shows, read from the database in one transaction."""

    interview_id: int
    candidate_name: str
    role: str
    language: str
    question_set: QuestionSet
    status: InterviewStatus
    panel: tuple[str, ...]  # active panelists, panel order
    submitted: tuple[str, ...]  # active panelists whose scorecard is in
    missing: tuple[str, ...]
    consensus: consensus.PanelConsensus
    panelists: tuple[PanelistTakeaways, ...]  # submitted ones, panel order
    decision: DecisionView | None = None
    # A debrief covering several rounds (a candidate's loop); empty for one round.
    rounds: tuple[RoundPart, ...] = ()
    # rater key of the consensus -> (Slack user, round number): in a loop one person may
    # rate in two rounds, and each rating says which round it came from.
    raters: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    # category id -> the rounds whose sets have it, and names the latest round's set lacks
    category_rounds: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    category_names: Mapping[str, str] = field(default_factory=dict)
    # The numbers before the talk: who speaks first (rater keys; the hiring lead last), and
    # the notes behind ratings at either end of the scale, by category id. Both from the
    # counted versions, like the figures.
    hiring_lead: str = ""
    speakers: tuple[Speaker, ...] = ()
    evidence: Mapping[str, tuple[Evidence, ...]] = field(default_factory=dict)
    # Once the debrief has started: the panel before and after the discussion.
    before_after: BeforeAfter | None = None

    @property
    def combined(self) -> bool:
        return len(self.rounds) > 1


def consensus_ratings(interview: Interview, qs: QuestionSet,
                      ratings: Mapping[int, Ratings]) -> list[consensus.Rating]:
    """The ratings that count, by panelist id (bot/independence.py `PanelHistory.ratings`:
    the versions saved before each author could see the panel's), of active panelists,
    limited to questions of the frozen set (a rating for anything else cannot be named)."""
    known = {(c.id, q.id) for c in qs.categories for q in c.questions}
    counted: list[consensus.Rating] = []
    for panelist in interview.active_panelists:
        if panelist.scorecard is None:
            continue
        for question_id, (category_id, score) in ratings.get(panelist.id, {}).items():
            if (category_id, question_id) in known:
                counted.append(consensus.Rating(rater=panelist.user_id,
                                                category_id=category_id,
                                                question_id=question_id, score=score))
    return counted


def scale_of(qs: QuestionSet) -> consensus.Scale:
    return consensus.Scale(minimum=qs.scale_min, maximum=qs.scale_max)


def build_summary(interview: Interview, history: PanelHistory) -> DebriefSummary:
    """The summary of a loaded interview (get_interview) with its scorecards' history
    (bot/independence.py `panel_history`): the figures from the counted versions."""
    qs = question_set_of(interview)
    submitted = [p for p in interview.active_panelists if p.scorecard is not None]
    recommendations = history.recommendations(Side.COUNTED)
    counted = consensus_ratings(interview, qs, history.ratings(Side.COUNTED))
    panel_consensus = consensus.panel_consensus(
        counted, scale_of(qs), [c.id for c in qs.categories], recommendations,
        RECOMMENDATION_KEYS, weights=qs.weights)
    return DebriefSummary(
        interview_id=interview.id,
        candidate_name=interview.candidate.name,
        role=interview.candidate.role,
        language=interview.language,
        question_set=qs,
        status=interview.status,
        panel=tuple(p.user_id for p in interview.active_panelists),
        submitted=tuple(p.user_id for p in submitted),
        missing=tuple(p.user_id for p in missing_panelists(interview)),
        consensus=panel_consensus,
        panelists=tuple(_takeaways(p, seat=history.seats.get(p.id)) for p in submitted),
        decision=_decision_view(interview),
        hiring_lead=interview.hiring_lead_id,
        speakers=consensus.speaking_order(panel_consensus.categories,
                                          [p.user_id for p in submitted],
                                          interview.hiring_lead_id),
        evidence=extreme_evidence(qs, counted, history.notes(Side.COUNTED)),
        before_after=_before_after([(interview, qs, history, str)], qs),
    )


def extreme_evidence(qs: QuestionSet, ratings: Sequence[consensus.Rating],
                     notes: Mapping[str, Mapping[str, str]]) -> dict[str, tuple[Evidence, ...]]:
    """For each category, the notes of the raters who rated it at an end of the scale
    (`notes`: rater key -> category id -> note, of the same versions as `ratings`), in the
    order of `ratings`."""
    extremes: dict[tuple[str, str], set[int]] = {}
    for rating in ratings:
        if rating.score is not None and qs.is_extreme(rating.score):
            extremes.setdefault((rating.category_id, rating.rater), set()).add(rating.score)
    found: dict[str, list[Evidence]] = {}
    for (category_id, rater), scores in extremes.items():
        note = (notes.get(rater) or {}).get(category_id, "").strip()
        if note:
            found.setdefault(category_id, []).append(Evidence(rater, tuple(sorted(scores)), note))
    return {category_id: tuple(items) for category_id, items in found.items()}


def loop_speaking_order(categories: Sequence[consensus.CategoryConsensus],
                        raters: Sequence[str], keys: Mapping[str, tuple[str, int]],
                        lead: str) -> tuple[consensus.Speaker, ...]:
    """consensus.speaking_order over a loop's rater keys (user@round): every seat of the
    hiring lead, in whichever round, speaks last."""
    order = consensus.speaking_order(categories, raters)
    leads = tuple(replace(s, lead=True) for s in order if keys.get(s.rater, ("",))[0] == lead)
    return tuple(s for s in order if keys.get(s.rater, ("",))[0] != lead) + leads


def _takeaways(panelist: Panelist, round_number: int | None = None,
               seat: SeatHistory | None = None) -> PanelistTakeaways:
    assert panelist.scorecard is not None
    version = panelist.scorecard.current
    return PanelistTakeaways(user_id=panelist.user_id, recommendation=version.recommendation,
                             takeaways=version.takeaways, version=version.number,
                             round_number=round_number,
                             changed_after_seeing=seat is not None and seat.changed_after_seeing,
                             counted_version=seat.counted.number if seat and seat.counted
                             else None)


def _before_after(rounds: list[RoundHistory], qs: QuestionSet,
                  order: list[str] | None = None,
                  names: Mapping[str, str] | None = None) -> BeforeAfter | None:
    """The panel before and after the discussion (bot/debrief/rerating.py), in the
    summary's category order, named in `qs` (or `names`, for another round's category)."""
    order = order or [c.id for c in qs.categories]
    known = {c.id: c.name for c in qs.categories}
    return before_after(rounds, qs, order, {**(names or {}), **known}, consensus_ratings)


def debrief_summary(session: Session, debrief: Debrief) -> DebriefSummary:
    """The summary of a debrief: one round's (build_summary), or a loop's, where
    categories with the same id in several rounds combine, in the latest round's set and
    language, and each rating keeps its round."""
    holder = debrief.holder
    if not debrief.combined:
        return build_summary(holder, panel_history(session, holder))
    qs = question_set_of(holder)
    scale = scale_of(qs)
    counted: list[consensus.Rating] = []
    recommendations: dict[str, str] = {}
    notes: dict[str, Mapping[str, str]] = {}
    raters: dict[str, tuple[str, int]] = {}
    seated: list[str] = []  # rater keys of the submitted scorecards, panel order
    category_rounds: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    parts: list[RoundPart] = []
    histories: list[RoundHistory] = []
    seats: dict[int, SeatHistory] = {}
    for round_ in debrief.rounds:
        round_qs = question_set_of(round_)
        same_scale = scale_of(round_qs) == scale
        parts.append(_round_part(round_, round_qs, same_scale))
        if not same_scale:
            continue
        for category in round_qs.categories:
            category_rounds.setdefault(category.id, []).append(round_.round_number)
            names.setdefault(category.id, category.name)
        history = panel_history(session, round_)
        seats.update(history.seats)
        histories.append((round_, round_qs, history, _round_key(round_.round_number)))
        for rating in consensus_ratings(round_, round_qs, history.ratings(Side.COUNTED)):
            key = f"{rating.rater}@{round_.round_number}"
            raters[key] = (rating.rater, round_.round_number)
            counted.append(replace(rating, rater=key))
        for panelist in round_.active_panelists:
            if panelist.scorecard is not None:
                key = f"{panelist.user_id}@{round_.round_number}"
                raters[key] = (panelist.user_id, round_.round_number)
                seated.append(key)
        for user_id, recommendation in history.recommendations(Side.COUNTED).items():
            recommendations[f"{user_id}@{round_.round_number}"] = recommendation
        for user_id, round_notes in history.notes(Side.COUNTED).items():
            notes[f"{user_id}@{round_.round_number}"] = round_notes
    order = [c.id for c in qs.categories] + [c for c in category_rounds
                                              if c not in {x.id for x in qs.categories}]
    own = {c.id for c in qs.categories}
    loop_consensus = consensus.panel_consensus(counted, scale, order, recommendations,
                                               RECOMMENDATION_KEYS, weights=qs.weights)
    return DebriefSummary(
        interview_id=holder.id,
        candidate_name=holder.candidate.name,
        role=holder.candidate.role,
        language=holder.language,
        question_set=qs,
        status=holder.status,
        panel=tuple(u for part in parts for u in part.panel),
        submitted=tuple(u for part in parts for u in part.submitted),
        missing=tuple(u for part in parts for u in part.missing),
        consensus=loop_consensus,
        panelists=tuple(_takeaways(p, r.round_number, seats.get(p.id)) for r in debrief.rounds
                        for p in r.active_panelists if p.scorecard is not None),
        decision=_decision_view(holder),
        rounds=tuple(parts),
        raters=raters,
        category_rounds={c: tuple(n) for c, n in category_rounds.items()},
        category_names={c: n for c, n in names.items() if c not in own},
        hiring_lead=holder.hiring_lead_id,
        speakers=loop_speaking_order(loop_consensus.categories, seated, raters,
                                     holder.hiring_lead_id),
        evidence=extreme_evidence(qs, counted, notes),
        before_after=_before_after(histories, qs, order, names),
    )


def _round_key(round_number: int) -> Callable[[str], str]:
    """How a loop's summary keys a rater: who, and in which round."""
    return lambda user_id: f"{user_id}@{round_number}"


def _round_part(interview: Interview, qs: QuestionSet, combined: bool) -> RoundPart:
    submitted = [p for p in interview.active_panelists if p.scorecard is not None]
    return RoundPart(interview.id, interview.round_number, qs.name,
                     tuple(p.user_id for p in interview.active_panelists),
                     tuple(p.user_id for p in submitted),
                     tuple(p.user_id for p in missing_panelists(interview)), combined)


def _decision_view(interview: Interview) -> DecisionView | None:
    if interview.decision is None or interview.decided_by is None:
        return None
    return DecisionView(outcome=interview.decision, reason=interview.decision_reason or "",
                        decided_by=interview.decided_by,
                        decided_at=interview.decided_at or interview.created_at,
                        changes=max(len(interview.decisions) - 1, 0))


def can_view_summary(debrief: Debrief, user_id: str) -> bool:
    """A panelist once their own scorecard is in, in every round of it they are on
    (independent ratings), the organisers of the debrief among them; organisers not on
    the panel always."""
    if seats_of(debrief.rounds, user_id):
        return owes_own_scorecard(debrief.rounds, user_id) is None
    return organises_debrief(debrief, user_id)


def summary_for(services: Services, team_id: str, interview_id: int | str,
                user_id: str) -> tuple[DebriefSummary, bool]:
    """The summary for `/interview summary`, and whether the reader is an organiser; a
    reader on the panel has seen it from now (bot/independence.py). Raises NotFound, or
    InterviewRefused for anyone else."""
    with transaction(services.db) as session:
        debrief = debrief_of(session, get_interview(session, team_id, interview_id))
        interview = debrief.holder
        if not can_view_summary(debrief, user_id):
            if any(r.panelist_for(user_id) is not None for r in debrief.rounds):
                raise InterviewRefused(N_("Submit your own scorecard first: the summary of "
                                        "interview {id} opens to panelists once theirs is in."),
                                     language=interview.language, id=interview.id)
            raise InterviewRefused(N_("Only the hiring lead, the recruiter and panelists who "
                                    "have submitted their scorecard can see the summary of "
                                    "interview {id}."),
                                 language=interview.language, id=interview.id)
        mark_seen(session, seats_of(debrief.rounds, user_id), services.clock(), SeenBy.SUMMARY)
        return debrief_summary(session, debrief), organises_debrief(debrief, user_id)


# ---------------------------------------------------------------------------- posting


class SummaryStep(StrEnum):
    POST = "post"
    UPDATE = "update"
    WAIT = "wait"


@dataclass(frozen=True)
class SummaryPlace:
    """Where the summary goes and what it says: post it (a claim is recorded), update it,
    or wait for whoever is posting it."""

    step: SummaryStep
    interview_id: int = 0  # the round holding the debrief
    channel: str = ""
    thread_ts: str | None = None
    ts: str | None = None  # the summary's, when updating
    summary: DebriefSummary | None = None


def claim_summary(services: Services, interview_id: int,
                  actor_id: str | None) -> SummaryPlace:
    """In one locked transaction: the summary to update in place, or a claim to post it
    (the status moves to debrief), or WAIT for a live claim of someone else's. Raises
    NotFound, InterviewRefused (cancelled)."""
    with transaction(services.db) as session:
        debrief = locked_debrief(session, interview_id)
        interview = debrief.holder
        if interview.status == InterviewStatus.CANCELLED:
            raise InterviewRefused(N_("Interview {id} was cancelled: there is no debrief."),
                                   language=interview.language, id=interview.id)
        if interview.summary_ts:
            _open_debrief(debrief)
            if actor_id is not None:
                log_event(session, interview, actor_id, UPDATED, ts=interview.summary_ts)
            return SummaryPlace(SummaryStep.UPDATE, interview.id, interview.channel_id,
                                ts=interview.summary_ts,
                                summary=_current_summary(session, interview))
        if _live_claim(session, interview.id):
            return SummaryPlace(SummaryStep.WAIT, interview.id)
        log_event(session, interview, actor_id, CLAIMED)
        return SummaryPlace(SummaryStep.POST, interview.id, interview.channel_id,
                            thread_ts=interview.plan_ts,
                            summary=_as_posted(_current_summary(session, interview)))


def _as_posted(summary: DebriefSummary) -> DebriefSummary:
    """The summary as it reads once posted: posting it opens the debrief."""
    if summary.status is InterviewStatus.SCHEDULED:
        return replace(summary, status=InterviewStatus.DEBRIEF)
    return summary


def _open_debrief(debrief: Debrief) -> None:
    """Its summary is out: every round it covers is at the debrief (unless decided)."""
    for round_ in debrief.rounds:
        if round_.status == InterviewStatus.SCHEDULED:
            round_.status = InterviewStatus.DEBRIEF


def _current_summary(session: Session, interview: Interview) -> DebriefSummary:
    return debrief_summary(session, debrief_of(session, interview))


def store_summary_ts(services: Services, interview_id: int, actor_id: str | None,
                     channel: str, ts: str, posted_at: datetime | None = None,
                     readers: Collection[str] | None = None,
                     shows: Callable[[DebriefSummary], bool] | None = None) -> None:
    """The summary is posted (at `posted_at`, taken just before the post; default now) and
    recorded as posted about the candidate: its ts, the status (debrief now), the debrief's
    start (the "before" of a re-rating), who on the panel could see it from then (the
    channel's members, `readers`; None: unknown, so everyone), and the plan and App Homes
    that show the status, refreshed; the summary itself too, unless `shows` says the posted
    message shows the summary as it is now (checked here, under the lock that stores the
    ts: a change after this finds the ts and refreshes it)."""
    with transaction(services.db) as session:
        debrief = locked_debrief(session, interview_id)
        interview = debrief.holder
        interview.summary_ts = ts
        record_posted(session, services, interview.id, PostedKind.SUMMARY, channel, ts=ts)
        _open_debrief(debrief)
        now = posted_at or services.clock()
        start_debrief_clock(debrief.rounds, now)
        mark_seen(session, [p for r in debrief.rounds for p in r.active_panelists
                            if readers is None or p.user_id in readers],
                  now, SeenBy.SUMMARY_POSTED)
        log_event(session, interview, actor_id, POSTED, ts=ts,
                  by="reminders" if actor_id is None else "user")
        current = shows is not None and shows(debrief_summary(session, debrief))
        for round_ in debrief.rounds:
            # A panelist's App Home shows an interview that has started without its
            # status: only the organisers' change, unless it is still to come.
            effects.refresh_everywhere(session, services, round_,
                                       summary=not (current and round_ is interview),
                                       panel=round_.starts_at > now)
        effects.refresh_calibration(session, services, interview.id)


def _locked(session: Session, interview_id: int) -> Interview:
    """The interview, locked for this transaction (row lock on PostgreSQL; on SQLite the
    transaction's BEGIN IMMEDIATE already holds the database's write lock)."""
    team_id = session.scalar(select(Interview.team_id).where(Interview.id == interview_id))
    if team_id is None:
        raise NotFound(N_("There is no interview {id} in this workspace."), id=interview_id)
    return get_interview(session, team_id, interview_id, for_update=True)


def _live_claim(session: Session, interview_id: int) -> bool:
    """Someone claimed the first post and has neither stored a ts nor given up, recently."""
    latest = session.scalars(
        select(Event).where(Event.interview_id == interview_id,
                            Event.kind.in_((CLAIMED, RELEASED, POSTED)))
        .order_by(Event.id.desc()).limit(1)).first()
    if latest is None or latest.kind != CLAIMED:
        return False
    # Wall-clock time on purpose: a claim is about a process being alive, not about the
    # interview's (test-movable) business clock; log_event stamps with utcnow() too.
    return utcnow() - latest.created_at < CLAIM_LIFETIME


def release_summary_claim(services: Services, interview_id: int, actor_id: str | None,
                          error: str) -> None:
    """Posting failed: the claim is given up, so the next caller posts."""
    try:
        with transaction(services.db) as session:
            interview = _locked(session, interview_id)
            log_event(session, interview, actor_id, RELEASED, error=error)
    except Exception:  # the original error matters more; the claim expires anyway
        log.exception("interview %s: could not release the summary claim", interview_id)


def forget_summary(services: Services, interview_id: int, ts: str) -> None:
    """The summary at `ts` is gone from Slack (someone deleted it): post a new one next."""
    with transaction(services.db) as session:
        interview = _locked(session, interview_id)
        if interview.summary_ts == ts:
            interview.summary_ts = None


@dataclass(frozen=True)
class PostedSummary:
    """A posted summary as it should read now: `summary` None for a deleted interview, or
    for one whose loop's debrief moved to a later round (`moved_to`, that round's id)."""

    interview_id: int
    channel: str
    ts: str
    language: str
    summary: DebriefSummary | None
    moved_to: int | None = None


def posted_summary(services: Services, interview_id: int) -> PostedSummary | None:
    """Where the summary is and what it should say now (None: not posted)."""
    with reading(services.db) as session:
        row = session.execute(select(Interview.team_id, Interview.channel_id,
                                     Interview.summary_ts, Interview.deleted_at,
                                     Interview.language)
                              .where(Interview.id == interview_id)).first()
        if row is None or not row.summary_ts:
            return None
        if row.deleted_at is not None:
            return PostedSummary(interview_id, row.channel_id, row.summary_ts, row.language,
                                 None)
        debrief = debrief_of(session, get_interview(session, row.team_id, interview_id))
        if debrief.holder.id != interview_id:
            return PostedSummary(interview_id, row.channel_id, row.summary_ts, row.language,
                                 None, moved_to=debrief.holder.id)
        return PostedSummary(interview_id, row.channel_id, row.summary_ts, row.language,
                             _current_summary(session, debrief.holder))


@dataclass(frozen=True)
class ChartPlace:
    """Where the summary's dot plot goes (the summary's thread), the one there now (the
    latest recorded in posted_messages) and the digest of its figures, and the summary it
    should show (None: nothing to show any more: not posted, deleted, or the loop's debrief
    moved to a later round)."""

    channel: str
    thread_ts: str | None
    file_id: str | None
    digest: str | None
    summary: DebriefSummary | None
    stale: bool = False  # an earlier plot whose deletion failed is still recorded


@dataclass(frozen=True)
class StaleChart:
    """A plot to delete from Slack, and its row in posted_messages (None: never recorded)."""

    file_id: str
    posted_id: int | None


def chart_place(services: Services, interview_id: int) -> ChartPlace | None:
    """The chart's place for bot/debrief/publish.py (None: no such interview)."""
    with reading(services.db) as session:
        interview = session.get(Interview, interview_id)
        if interview is None:
            return None
        summary = None
        if interview.summary_ts and interview.deleted_at is None:
            debrief = debrief_of(session, interview)
            if debrief.holder.id == interview.id:
                summary = debrief_summary(session, debrief)
        charts = _charts(session, interview.id)
        return ChartPlace(interview.channel_id, interview.plan_ts or interview.summary_ts,
                          charts[-1].file_id if charts else None,
                          interview.summary_chart_digest, summary, stale=len(charts) > 1)


def _charts(session: Session, interview_id: int) -> list[PostedMessage]:
    """The interview's plots recorded in posted_messages, oldest first: the last one is the
    summary's, any other one is left to delete."""
    return list(session.scalars(select(PostedMessage).where(
        PostedMessage.interview_id == interview_id, PostedMessage.kind == PostedKind.CHART,
        PostedMessage.erase_error.is_(None)).order_by(PostedMessage.id)))


def store_chart(services: Services, interview_id: int, file_id: str | None,
                digest: str | None) -> list[StaleChart]:
    """The summary's chart is now `file_id` (None: none), recorded in posted_messages like
    every file about the candidate. Returns the plots to delete from Slack: every earlier
    one of the interview. Under the interview's lock, so of two refreshes at once the later
    one's file stays and the other's is deleted. When the candidate's data was deleted
    meanwhile, the deletion's erase (bot/lifecycle) takes the file along, and nothing is
    returned."""
    with transaction(services.db) as session:
        interview = session.scalars(select(Interview).where(Interview.id == interview_id)
                                    .with_for_update(of=Interview)).first()
        if interview is None:
            return [StaleChart(file_id, None)] if file_id else []
        if file_id:
            record_posted(session, services, interview.id, PostedKind.CHART,
                          interview.channel_id, file_id=file_id)
        if interview.candidate.deleted_at is not None:
            return []
        interview.summary_chart_digest = digest if file_id else None
        return [StaleChart(str(row.file_id), row.id) for row in _charts(session, interview.id)
                if row.file_id and row.file_id != file_id]


def chart_deleted(services: Services, posted_id: int | None) -> None:
    """An earlier plot is gone from Slack: nothing of it is left to erase."""
    if posted_id is None:
        return
    with transaction(services.db) as session:
        session.execute(delete(PostedMessage).where(PostedMessage.id == posted_id,
                                                    PostedMessage.kind == PostedKind.CHART))


def debrief_holder_id(services: Services, interview_id: int) -> int | None:
    """The round holding the debrief that covers this one (None: deleted)."""
    with reading(services.db) as session:
        interview = session.get(Interview, interview_id)
        if interview is None or interview.deleted_at is not None:
            return None
        return debrief_of(session, interview).holder.id


@dataclass(frozen=True)
class DebriefTarget:
    interview_id: int
    language: str  # the interview's: every answer about it is in this language
    # Not started: the organiser asking is on the panel and this round of theirs has no
    # scorecard yet (they are asked to confirm; see start_debrief).
    own_scorecard_missing: int | None = None


def start_debrief(services: Services, team_id: str, interview_id: int | str, user_id: str,
                  reply_to: Mapping[str, Any], response_url: str | None = None, *,
                  confirmed: bool = False) -> DebriefTarget:
    """"Start debrief" / `/interview debrief <id>`: the hiring lead or the recruiter asks
    for the summary now (posted, or refreshed in place; bot/performers.py). An organiser
    who sits on the panel and whose own scorecard is not in gets `own_scorecard_missing`
    back and nothing is posted, unless `confirmed`: once the summary is out they can see
    the others' ratings, and a scorecard of theirs saved after that does not count in the
    figures. Raises NotFound / InterviewRefused."""
    with transaction(services.db) as session:
        debrief = debrief_of(session, find_interview(session, team_id, interview_id))
        interview = debrief.holder
        _require_organiser(debrief, user_id)
        if interview.status == InterviewStatus.CANCELLED:
            raise InterviewRefused(N_("Interview {id} was cancelled: there is no debrief."),
                                   language=interview.language, id=interview.id)
        owed = owes_own_scorecard(debrief.rounds, user_id)
        if owed is not None and not confirmed and not interview.summary_ts:
            return DebriefTarget(interview.id, interview.language,
                                 own_scorecard_missing=owed.interview_id)
        effects.post_summary(session, services, interview.id, user_id, reply_to, response_url)
        return DebriefTarget(interview.id, interview.language)


def _require_organiser(debrief: Debrief, user_id: str) -> None:
    if not organises_debrief(debrief, user_id):
        raise InterviewRefused(N_("Only the hiring lead and the recruiter of interview {id} "
                                  "can do that."), language=debrief.holder.language,
                               id=debrief.holder.id)




# ---------------------------------------------------------------------------- the decision


@dataclass(frozen=True)
class DecisionForm:
    """What the "Record decision" modal needs."""

    interview_id: int
    candidate_name: str
    role: str
    language: str
    current: DecisionView | None
    history: tuple[DecisionView, ...]  # oldest first, the current one last
    # The numbers before the talk, to decide beside (the set names their side).
    mechanical: consensus.MechanicalRecommendation | None = None
    question_set: QuestionSet | None = None
    # Once the debrief has started: the panel before and after the discussion.
    before_after: BeforeAfter | None = None


class AgainstTheNumbers(UserError):
    """The decision goes against the mechanical recommendation and says nothing of why."""


def goes_against(side: consensus.Recommendation | None, outcome: DecisionOutcome) -> bool:
    """Hire where the numbers say (strong) no hire, or no hire where they say (strong) hire.
    Hold takes no side, and numbers with no side have nothing to go against."""
    if side in (consensus.Recommendation.HIRE, consensus.Recommendation.STRONG_HIRE):
        return outcome is DecisionOutcome.NO_HIRE
    if side in (consensus.Recommendation.NO_HIRE, consensus.Recommendation.STRONG_NO_HIRE):
        return outcome is DecisionOutcome.HIRE
    return False


def _numbers_side(session: Session, debrief: Debrief) -> consensus.Recommendation | None:
    """The side the mechanical recommendation takes now."""
    return debrief_summary(session, debrief).consensus.mechanical.recommendation


@dataclass(frozen=True)
class DecisionResult:
    stored: bool  # False: a retried delivery of a submission already stored
    interview_id: int
    language: str
    outcome: DecisionOutcome
    reason: str
    decided_by: str
    previous: DecisionOutcome | None  # the decision this one replaced
    channel: str
    thread_ts: str | None
    panel: tuple[str, ...]
    # Set when it went against the numbers: their side in the set's words, and why.
    against_label: str | None = None
    against_reason: str | None = None


def _check_may_decide(debrief: Debrief, user_id: str) -> None:
    _require_organiser(debrief, user_id)
    interview = debrief.holder
    if interview.status == InterviewStatus.CANCELLED:
        raise InterviewRefused(N_("Interview {id} was cancelled: there is no decision to "
                                "record."), language=interview.language, id=interview.id)
    if interview.decision is not None and user_id != interview.hiring_lead_id:
        raise InterviewRefused(N_("The decision on interview {id} is recorded; only the hiring "
                                "lead can change it."),
                             language=interview.language, id=interview.id)


def decision_form(services: Services, team_id: str, interview_id: int | str,
                  user_id: str) -> DecisionForm:
    """The modal's content, for the hiring lead or the recruiter (the recruiter only while
    no decision is recorded). Raises NotFound / InterviewRefused."""
    with reading(services.db) as session:
        debrief = debrief_of(session, find_interview(session, team_id, interview_id))
        interview = debrief.holder
        _check_may_decide(debrief, user_id)
        history = tuple(DecisionView(d.outcome, d.reason, d.decided_by, d.decided_at, i)
                        for i, d in enumerate(_loop_decisions(session, interview)))
        summary = debrief_summary(session, debrief)
        return DecisionForm(interview_id=interview.id, candidate_name=interview.candidate.name,
                            role=interview.candidate.role, language=interview.language,
                            current=_decision_view(interview), history=history,
                            mechanical=summary.consensus.mechanical,
                            question_set=summary.question_set,
                            before_after=summary.before_after)


def check_decision_submission(services: Services, team_id: str, interview_id: int,
                              user_id: str, source_view_id: str) -> str:
    """The quick check before a decision modal's submission is acked; returns the
    interview's language. A retried delivery of a stored submission passes (it will store
    nothing), even though the recruiter could no longer change that decision."""
    with reading(services.db) as session:
        debrief = debrief_of(session, find_interview(session, team_id, interview_id))
        if not _decision_by_view(session, source_view_id):
            _check_may_decide(debrief, user_id)
        return debrief.holder.language


def _loop_decisions(session: Session, interview: Interview) -> list[Decision]:
    """Every decision recorded on the candidate's rounds, oldest first: a loop debriefed
    again after a new round shows what was decided before."""
    return list(session.scalars(
        select(Decision).join(Interview, Decision.interview_id == Interview.id)
        .where(Interview.candidate_id == interview.candidate_id)
        .order_by(Decision.decided_at, Decision.id)))


def _decision_by_view(session: Session, source_view_id: str | None) -> Decision | None:
    if not source_view_id:
        return None
    return session.scalars(select(Decision).where(
        Decision.source_view_id == source_view_id)).first()


def record_decision(services: Services, team_id: str, interview_id: int, user_id: str,
                    outcome: DecisionOutcome, reason: str, source_view_id: str | None, *,
                    against_reason: str = "") -> DecisionResult:
    """Store the decision (who, when, why; earlier ones kept), mark the interview decided
    (which locks the scorecards), remove its pending reminders; then update the plan and
    the summary and tell the panel in the thread. Idempotent on the submitted view's id.
    A decision against the numbers (goes_against) is recorded as such, and needs
    `against_reason`: without it AgainstTheNumbers is raised and nothing is stored."""
    reason = reason.strip()[:REASON_MAX_LENGTH]
    if not reason:
        raise UserError(N_("Give a reason for the decision."))
    against_reason = against_reason.strip()[:REASON_MAX_LENGTH]

    def store() -> DecisionResult:
        with transaction(services.db) as session:
            return _store_decision(services, session, team_id, interview_id, user_id, outcome,
                                   reason, source_view_id, against_reason)

    try:
        result = store()
    except IntegrityError:
        result = store()  # a doubled delivery committed first: this time it is found
    if result.stored:
        services.reminders_changed()
    return result


def _store_decision(services: Services, session: Session, team_id: str, interview_id: int,
                    user_id: str, outcome: DecisionOutcome, reason: str,
                    source_view_id: str | None, against_reason: str = "") -> DecisionResult:
    find_interview(session, team_id, interview_id)  # this workspace's, not deleted
    debrief = locked_debrief(session, interview_id)
    interview = debrief.holder
    existing = _decision_by_view(session, source_view_id)
    if existing is not None:
        return _decision_result(debrief, existing, stored=False, previous=None)
    _check_may_decide(debrief, user_id)
    side = _numbers_side(session, debrief)
    against = goes_against(side, outcome)
    if against and not against_reason:
        raise AgainstTheNumbers(
            N_("The numbers say {side}. Say here why you decide otherwise."),
            language=interview.language, side=_side_label(interview, side.value if side else ""))
    now = services.clock()
    previous = interview.decision
    decision = Decision(outcome=outcome, reason=reason, decided_by=user_id, decided_at=now,
                        source_view_id=source_view_id, mechanical=side.value if side else None,
                        against_mechanical=against,
                        against_reason=against_reason if against else None)
    interview.decisions.append(decision)
    interview.decision = outcome
    interview.decision_reason = reason
    interview.decided_by = user_id
    interview.decided_at = now
    # The decision closes every round the debrief covers: their scorecards lock.
    for round_ in debrief.rounds:
        round_.status = InterviewStatus.DECIDED
        cancel_reminders(session, round_.id)
    log_event(session, interview, user_id,
              "decided" if previous is None else "decision_changed",
              outcome=outcome.value, previous=previous.value if previous else None,
              rounds=[r.id for r in debrief.rounds], mechanical=decision.mechanical,
              against_mechanical=against)
    session.flush()
    for round_ in debrief.rounds:
        effects.refresh_everywhere(session, services, round_)
    effects.announce_decision(session, services, interview.id, decision.id)
    return _decision_result(debrief, decision, stored=True, previous=previous)


def _decision_result(debrief: Debrief, decision: Decision, *, stored: bool,
                     previous: DecisionOutcome | None) -> DecisionResult:
    interview = debrief.holder
    panel = [p.user_id for r in debrief.rounds for p in r.active_panelists]
    against = decision.against_mechanical and decision.mechanical is not None
    return DecisionResult(
        stored=stored, interview_id=interview.id, language=interview.language,
        outcome=decision.outcome, reason=decision.reason, decided_by=decision.decided_by,
        previous=previous, channel=interview.channel_id,
        thread_ts=interview.plan_ts or interview.summary_ts,
        panel=tuple(dict.fromkeys(panel)),
        against_label=_side_label(interview, decision.mechanical or "") if against else None,
        against_reason=decision.against_reason if against else None)


def _side_label(interview: Interview, key: str) -> str:
    """A recommendation key in the words of the interview's question set."""
    try:
        return question_set_of(interview).recommendation.label(key)
    except KeyError:
        return key


def decision_announced(services: Services, interview_id: int,
                       decision_id: int) -> DecisionResult | None:
    """A stored decision as the thread announces it; None once the interview is gone."""
    with reading(services.db) as session:
        interview = session.get(Interview, interview_id)
        decision = session.get(Decision, decision_id)
        if interview is None or interview.deleted_at is not None or decision is None:
            return None
        earlier = [d for d in interview.decisions if d.id < decision.id]
        return _decision_result(debrief_of(session, interview), decision, stored=True,
                                previous=earlier[-1].outcome if earlier else None)


# ---------------------------------------------------------------------------- full scorecards


@dataclass(frozen=True)
class FullScorecard:
    user_id: str
    recommendation: str
    takeaways: str
    private_note: str | None
    category_notes: Mapping[str, str]
    ratings: Mapping[str, int | None]  # question id -> score; None = not assessed
    version: int
    # In a debrief covering several rounds: which round, and that round's set.
    round_number: int | None = None
    question_set: QuestionSet | None = None
    # Saved after its author could see the others' ratings (bot/independence.py): the
    # figures use `counted_version` (None: none of theirs).
    changed_after_seeing: bool = False
    counted_version: int | None = None

    @property
    def key(self) -> str:
        """Who and which round: one person may sit in two rounds of a loop."""
        return self.user_id if self.round_number is None else (
            f"{self.user_id}@{self.round_number}")

    def category_mean(self, question_ids: Sequence[str]) -> float | None:
        scores = [s for q in question_ids if (s := self.ratings.get(q)) is not None]
        return sum(scores) / len(scores) if scores else None


@dataclass(frozen=True)
class FullScorecards:
    interview_id: int
    candidate_name: str
    role: str
    language: str
    question_set: QuestionSet
    cards: tuple[FullScorecard, ...]
    missing: tuple[str, ...]


def full_scorecards(services: Services, team_id: str, interview_id: int | str,
                    user_id: str) -> FullScorecards:
    """Every active panelist's current scorecard, private notes included: organisers only,
    and one on the panel once their own scorecard is in (they have seen the panel from
    now). Raises NotFound / InterviewRefused."""
    with transaction(services.db) as session:
        debrief = debrief_of(session, get_interview(session, team_id, interview_id))
        _require_organiser(debrief, user_id)
        _require_own_scorecard(debrief, user_id)
        mark_seen(session, seats_of(debrief.rounds, user_id), services.clock(),
                  SeenBy.FULL_SCORECARDS)
        interview = debrief.holder
        cards = [card for round_ in debrief.rounds
                 for card in _full_cards(session, round_, debrief.combined)]
        return FullScorecards(
            interview_id=interview.id, candidate_name=interview.candidate.name,
            role=interview.candidate.role, language=interview.language,
            question_set=question_set_of(interview), cards=tuple(cards),
            missing=tuple(p.user_id for r in debrief.rounds for p in missing_panelists(r)))


def _require_own_scorecard(debrief: Debrief, user_id: str) -> None:
    """An organiser on the panel is held to the panelists' rule."""
    if owes_own_scorecard(debrief.rounds, user_id) is not None:
        raise InterviewRefused(N_("Submit your own scorecard first: panelists rate "
                                  "independently, so the others' feedback opens once yours "
                                  "is in."), language=debrief.holder.language)


def _full_cards(session: Session, interview: Interview, combined: bool) -> list[FullScorecard]:
    history = panel_history(session, interview)
    ratings = history.ratings(Side.AFTER)
    cards = []
    for panelist in interview.active_panelists:
        if panelist.scorecard is None:
            continue
        version = panelist.scorecard.current
        seat = history.seats.get(panelist.id)
        cards.append(FullScorecard(
            user_id=panelist.user_id, recommendation=version.recommendation,
            takeaways=version.takeaways, private_note=version.private_note,
            category_notes={k: str(v) for k, v in (version.category_notes or {}).items() if v},
            ratings={q: score for q, (_, score) in ratings.get(panelist.id, {}).items()},
            version=version.number,
            round_number=interview.round_number if combined else None,
            question_set=question_set_of(interview) if combined else None,
            changed_after_seeing=seat is not None and seat.changed_after_seeing,
            counted_version=seat.counted.number if seat and seat.counted else None))
    return cards
