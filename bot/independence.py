"""Independent ratings, kept and shown: who may see the panel's ratings, the moment each
panelist first could, and which version of each scorecard counts for what.

Panelists rate independently: nobody on a panel (the hiring lead and the recruiter included,
when they sit on it) sees the others' ratings before their own scorecard is in. Seeing them
is recorded on the seat, once: opening panel feedback, the summary or the full scorecards,
or the summary posted in a channel one is in. From that moment a panelist's new versions
are not independent any more: they are marked "changed after seeing the panel", and the
agreement figures and verdicts use the last version saved before it (none: that panelist
is not counted).

Estimate, talk, estimate: the ratings in place when the debrief started (its summary was
first posted) are the panel's "before"; versions saved after that are its "after".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.interviews import Ratings, log_event
from models import Interview, Panelist, Rating, Scorecard, ScorecardVersion

SAW_PANEL = "saw_panel"  # event kind: the first time someone could see others' ratings


class SeenBy(StrEnum):
    """How someone first saw others' ratings (the event's detail)."""

    PANEL_FEEDBACK = "panel_feedback"
    SUMMARY = "summary"  # `/interview summary`, just for them
    SUMMARY_POSTED = "summary_posted"  # in a channel they are in
    FULL_SCORECARDS = "full_scorecards"


# ---------------------------------------------------------------------------- who may see


def seats_of(rounds: Iterable[Interview], user_id: str) -> list[Panelist]:
    """The user's active seats on these rounds' panels."""
    return [p for r in rounds if (p := r.panelist_for(user_id)) is not None]


def owes_own_scorecard(rounds: Iterable[Interview], user_id: str) -> Panelist | None:
    """The user's first seat on these rounds whose scorecard is not in: while there is
    one, they may not see the others' ratings, whatever else they are (organisers too)."""
    return next((p for p in seats_of(rounds, user_id) if p.scorecard is None), None)


def mark_seen(session: Session, seats: Iterable[Panelist], now: datetime, how: SeenBy) -> None:
    """These seats' panelists can see the others' ratings from `now` (kept if earlier)."""
    for seat in seats:
        if seat.saw_panel_at is None and seat.removed_at is None:
            seat.saw_panel_at = now
            log_event(session, seat.interview, seat.user_id, SAW_PANEL, how=how.value)


def start_debrief_clock(rounds: Iterable[Interview], now: datetime) -> None:
    """The debrief covering these rounds has begun (kept if it began earlier)."""
    for round_ in rounds:
        if round_.debrief_started_at is None:
            round_.debrief_started_at = now


# ---------------------------------------------------------------------------- which version


class Side(StrEnum):
    COUNTED = "counted"  # the last version saved before its author could see the panel
    BEFORE = "before"  # the version in place when the debrief started
    AFTER = "after"  # the current version


@dataclass(frozen=True)
class SavedVersion:
    number: int
    saved_at: datetime
    recommendation: str
    shift_reasons: Mapping[str, str]  # category id -> why it moved 2 points or more
    ratings: Ratings
    category_notes: Mapping[str, str] = field(default_factory=dict)  # category id -> note


@dataclass(frozen=True)
class SeatHistory:
    """One panelist's scorecard: the versions that count for something."""

    panelist_id: int
    user_id: str
    saw_panel_at: datetime | None
    counted: SavedVersion | None  # None: every version was saved after seeing the panel
    before: SavedVersion | None  # None: the debrief has not started, or nothing was in then
    current: SavedVersion
    rerated: bool  # the current version was saved after the debrief started

    @property
    def changed_after_seeing(self) -> bool:
        """The current version is not the one the figures use."""
        return self.counted is None or self.counted.number != self.current.number

    def version(self, side: Side) -> SavedVersion | None:
        return {Side.COUNTED: self.counted, Side.BEFORE: self.before,
                Side.AFTER: self.current}[side]


@dataclass(frozen=True)
class PanelHistory:
    """One round's scorecards (active panelists whose scorecard is in), by panelist id."""

    started_at: datetime | None
    seats: Mapping[int, SeatHistory]

    def ratings(self, side: Side) -> dict[int, Ratings]:
        """Each seat's ratings on that side (seats with no version there are left out)."""
        return {seat_id: version.ratings for seat_id, seat in self.seats.items()
                if (version := seat.version(side)) is not None}

    def notes(self, side: Side) -> dict[str, Mapping[str, str]]:
        """user id -> category id -> the category note on that side (what a rating is
        quoted with)."""
        return {seat.user_id: version.category_notes for seat in self.seats.values()
                if (version := seat.version(side)) is not None}

    def recommendations(self, side: Side) -> dict[str, str]:
        """user id -> overall recommendation on that side."""
        return {seat.user_id: version.recommendation for seat in self.seats.values()
                if (version := seat.version(side)) is not None}

    @property
    def rerated(self) -> bool:
        """Someone saved their scorecard after the debrief started."""
        return any(seat.rerated for seat in self.seats.values())


def _last_before(versions: list[SavedVersion], moment: datetime | None) -> SavedVersion | None:
    found = None
    for version in versions:
        if moment is None or version.saved_at < moment:
            found = version
    return found


def panel_history(session: Session, interview: Interview) -> PanelHistory:
    """The round's scorecards (its panel loaded: get_interview), each with its counted,
    before and current version: two queries, ratings only of the versions needed."""
    started = interview.debrief_started_at
    seats = {p.id: p for p in interview.active_panelists if p.scorecard is not None}
    rows = session.execute(
        select(ScorecardVersion.id, Scorecard.panelist_id, ScorecardVersion.number,
               ScorecardVersion.created_at, ScorecardVersion.recommendation,
               ScorecardVersion.shift_reasons, ScorecardVersion.category_notes)
        .join(Scorecard, ScorecardVersion.scorecard_id == Scorecard.id)
        .where(Scorecard.interview_id == interview.id,
               ScorecardVersion.number <= Scorecard.current_version)
        .order_by(Scorecard.panelist_id, ScorecardVersion.number)).all()
    by_seat: dict[int, list[tuple[int, int, datetime, str, Mapping[str, str],
                                  Mapping[str, str]]]] = {}
    for version_id, seat_id, number, saved_at, recommendation, reasons, notes in rows:
        if seat_id in seats:
            by_seat.setdefault(seat_id, []).append(
                (version_id, number, saved_at, recommendation, _texts(reasons), _texts(notes)))
    ids = {0}
    chosen: dict[int, tuple[int | None, int | None, int]] = {}
    for seat_id, versions in by_seat.items():
        saw = seats[seat_id].saw_panel_at
        counted = [v for v in versions if saw is None or v[2] < saw]
        before = [v for v in versions if started is not None and v[2] < started]
        picks = (counted[-1][0] if counted else None, before[-1][0] if before else None,
                 versions[-1][0])
        chosen[seat_id] = picks
        ids.update(i for i in picks if i is not None)
    ratings: dict[int, Ratings] = {}
    for version_id, category_id, question_id, score in session.execute(
            select(Rating.version_id, Rating.category_id, Rating.question_id, Rating.score)
            .where(Rating.version_id.in_(ids)).order_by(Rating.id)):
        ratings.setdefault(version_id, {})[question_id] = (category_id, score)
    histories = {}
    for seat_id, versions in by_seat.items():
        saved = {v[0]: SavedVersion(number=v[1], saved_at=v[2], recommendation=v[3],
                                    shift_reasons=v[4], ratings=ratings.get(v[0], {}),
                                    category_notes=v[5])
                 for v in versions}
        counted_id, before_id, current_id = chosen[seat_id]
        current = saved[current_id]
        histories[seat_id] = SeatHistory(
            panelist_id=seat_id, user_id=seats[seat_id].user_id,
            saw_panel_at=seats[seat_id].saw_panel_at,
            counted=saved[counted_id] if counted_id is not None else None,
            before=saved[before_id] if before_id is not None else None,
            current=current, rerated=started is not None and current.saved_at >= started)
    return PanelHistory(started_at=started, seats=histories)


def _texts(stored: Mapping[str, object] | None) -> dict[str, str]:
    """A version's texts by category id (shift reasons, notes), the empty ones left out."""
    return {str(k): str(v) for k, v in (stored or {}).items() if v}


def ratings_before_debrief(session: Session, interview: Interview,
                           panelist: Panelist) -> Ratings | None:
    """The panelist's ratings in place when the debrief started (None: it has not, or
    their scorecard was not in then): what a re-rating is measured against."""
    started = interview.debrief_started_at
    if started is None or panelist.scorecard is None:
        return None
    version_id = session.scalar(
        select(ScorecardVersion.id)
        .where(ScorecardVersion.scorecard_id == panelist.scorecard.id,
               ScorecardVersion.created_at < started)
        .order_by(ScorecardVersion.number.desc()).limit(1))
    if version_id is None:
        return None
    return {question_id: (category_id, score) for category_id, question_id, score in
            session.execute(select(Rating.category_id, Rating.question_id, Rating.score)
                            .where(Rating.version_id == version_id))}


def category_means(ratings: Ratings) -> dict[str, float]:
    """category id -> the mean of its rated questions ("not assessed" never counts)."""
    scores: dict[str, list[int]] = {}
    for category_id, score in ratings.values():
        if score is not None:
            scores.setdefault(category_id, []).append(score)
    return {c: sum(s) / len(s) for c, s in scores.items()}
