"""Interviews: finding them safely, who may do what, which rounds of a candidate's loop a
debrief covers, and the event log."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, select
from sqlalchemy.orm import Session, selectinload, sessionmaker
from sqlalchemy.orm.interfaces import ORMOption

from bot.core.question_sets import QuestionSet
from bot.errors import NotAllowed, NotFound
from bot.i18n import N_, Translator, translator
from bot.outbox import effects
from bot.services import Services
from models import (
    Candidate,
    Event,
    Interview,
    InterviewStatus,
    Panelist,
    PostedKind,
    PostedMessage,
    QuestionSetVersion,
    Rating,
    Reminder,
    ReminderStatus,
    Scorecard,
    ScorecardVersion,
    store_version,
    transaction,
    utcnow,
)

_ID = re.compile(r"^#?(\d{1,9})$")


def parse_interview_id(raw: str) -> int:
    """`12` or `#12`; anything else is a clear error, not a crash."""
    match = _ID.match(raw.strip())
    if not match:
        if not raw.strip():
            raise NotFound(N_("Which interview? Give its number, e.g. `12`."))
        raise NotFound(N_("`{raw}` is not an interview number; use the number shown on the "
                          "plan, e.g. `12`."), raw=raw.strip()[:40])
    return int(match.group(1))


def get_interview(session: Session, team_id: str, interview_id: int | str,
                  *, for_update: bool = False) -> Interview:
    """The interview in this workspace, with its panel, their scorecards and each
    scorecard's current version loaded (its ratings: `current_ratings`). Another
    workspace's interview is reported exactly like a missing one."""
    return find_interview(session, team_id, interview_id, for_update=for_update, options=(
        selectinload(Interview.panelists).selectinload(Panelist.scorecard)
        .selectinload(Scorecard.versions.and_(is_current_version())),))


# question id -> (category id, score); a score of None is "not assessed"
Ratings = dict[str, tuple[str, int | None]]


def current_ratings(session: Session, interview_id: int,
                    panelist_id: int | None = None) -> dict[int, Ratings]:
    """The ratings of each current scorecard version of the interview (or of one
    panelist), by panelist id. Plain rows, one query: building ORM objects for the 1,800
    ratings of a big panel cost more than the consensus maths on them."""
    query = (select(Scorecard.panelist_id, Rating.category_id, Rating.question_id, Rating.score)
             .join(ScorecardVersion, Rating.version_id == ScorecardVersion.id)
             .join(Scorecard, and_(ScorecardVersion.scorecard_id == Scorecard.id,
                                   ScorecardVersion.number == Scorecard.current_version))
             .where(Scorecard.interview_id == interview_id)
             .order_by(Rating.id))
    if panelist_id is not None:
        query = query.where(Scorecard.panelist_id == panelist_id)
    found: dict[int, Ratings] = {}
    for panelist, category_id, question_id, score in session.execute(query):
        found.setdefault(panelist, {})[question_id] = (category_id, score)
    return found


def find_interview(session: Session, team_id: str, interview_id: int | str, *,
                   for_update: bool = False, for_share: bool = False,
                   options: Sequence[ORMOption] = ()) -> Interview:
    """The interview row alone (get_interview loads its panel too). On PostgreSQL,
    `for_update` locks the row; `for_share` keeps it from changing (status, decision)
    while other sharers go on beside."""
    number = interview_number(interview_id)
    query = select(Interview).where(*live_interview(team_id, number)).options(*options)
    if (for_update or for_share) and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Interview, read=not for_update)
    interview = session.scalars(query).first()
    if interview is None:
        raise no_such_interview(number)
    return interview


def interview_number(interview_id: int | str) -> int:
    return interview_id if isinstance(interview_id, int) else parse_interview_id(interview_id)


def live_interview(team_id: str, number: int) -> list[ColumnElement[bool]]:
    """The conditions for interview `number` of the team, not deleted: no other team's
    interview is ever found by its number."""
    return [Interview.id == number, Interview.team_id == team_id, Interview.deleted_at.is_(None)]


def no_such_interview(number: int) -> NotFound:
    return NotFound(N_("There is no interview {id} in this workspace."), id=number)


def is_current_version() -> ColumnElement[bool]:
    """Loader criteria for `Scorecard.versions`: only the current one. Everything but the
    export reads only the current version, and an edited scorecard keeps every old one;
    `Scorecard.current` finds it in the (partly loaded) list either way."""
    current = (select(Scorecard.current_version)
               .where(Scorecard.id == ScorecardVersion.scorecard_id)
               .correlate(ScorecardVersion).scalar_subquery())
    return ScorecardVersion.number == current


_PARSED_SETS: dict[str, QuestionSet] = {}  # content hash -> the set; newest last
_PARSED_SETS_MAX = 256
_PARSED_SETS_LOCK = threading.Lock()


def question_set_of(interview: Interview) -> QuestionSet:
    """The set as frozen for the interview (never the current YAML). Parsed once per
    process per distinct content: the row's hash finds it without reading the document."""
    version = interview.question_set_version
    key = version.content_hash
    with _PARSED_SETS_LOCK:
        found = _PARSED_SETS.get(key)
    if found is not None:
        return found
    parsed = QuestionSet.from_snapshot(version.document)
    with _PARSED_SETS_LOCK:
        _PARSED_SETS[key] = parsed
        while len(_PARSED_SETS) > _PARSED_SETS_MAX:
            del _PARSED_SETS[next(iter(_PARSED_SETS))]
    return parsed


def freeze_question_set(session: Session, question_set: QuestionSet) -> QuestionSetVersion:
    """The stored version of a set loaded from files (shared by every workspace), added if
    this content is new: what a new interview points at."""
    return store_version(session, question_set.to_snapshot())


def translator_for(interview: Interview) -> Translator:
    """Everything about one interview speaks its question set's language."""
    return translator(interview.language)


def is_organiser(interview: Interview, user_id: str) -> bool:
    """The hiring lead and the recruiter see everything and run the debrief."""
    return user_id in (interview.hiring_lead_id, interview.recruiter_id)


def require_organiser(interview: Interview, user_id: str) -> None:
    if not is_organiser(interview, user_id):
        raise NotAllowed(N_("Only the hiring lead and the recruiter of interview {id} can do "
                            "that."), id=interview.id)


def require_panelist(interview: Interview, user_id: str) -> Panelist:
    panelist = interview.panelist_for(user_id)
    if panelist is None:
        raise NotAllowed(N_("You are not on the panel of interview {id}."), id=interview.id)
    return panelist


def submitted_panelists(interview: Interview) -> list[Panelist]:
    return [p for p in interview.active_panelists if p.scorecard is not None]


def missing_panelists(interview: Interview) -> list[Panelist]:
    return [p for p in interview.active_panelists if p.scorecard is None]


def log_event(session: Session, interview: Interview | None, actor_id: str | None, kind: str,
              team_id: str | None = None, **detail: Any) -> Event:
    event = Event(
        team_id=team_id or (interview.team_id if interview else ""),
        interview_id=interview.id if interview else None,
        actor_id=actor_id,
        kind=kind,
        detail=detail,
        created_at=utcnow(),
    )
    session.add(event)
    return event


def record_posted(session: Session, services: Services, interview_id: int, kind: PostedKind,
                  channel: str, *, ts: str | None = None, file_id: str | None = None) -> None:
    """Record a message (`channel`, `ts`) or file (`file_id`) the bot posted about the
    interview's candidate, in the transaction of whatever else the publish step stores:
    deleting the candidate's data erases every message and file recorded. One posted after
    the candidate was deleted (a side effect that raced the deletion) is erased at once."""
    interview = session.get(Interview, interview_id)
    if interview is None:
        return
    where = (PostedMessage.file_id == file_id if file_id else
             and_(PostedMessage.channel_id == channel, PostedMessage.ts == ts))
    if session.scalar(select(PostedMessage.id).where(where)) is None:
        session.add(PostedMessage(candidate_id=interview.candidate_id, interview_id=interview.id,
                                  kind=kind, channel_id=channel, ts=ts, file_id=file_id,
                                  posted_at=services.clock()))
    if interview.candidate.deleted_at is not None:
        effects.erase_posted(session, services, interview.id, interview.candidate_id)


def store_posted(services: Services, interview_id: int, kind: PostedKind, channel: str, *,
                 ts: str | None = None, file_id: str | None = None) -> None:
    """record_posted in a transaction of its own: for a publish step that stores nothing
    else."""
    with transaction(services.db) as session:
        record_posted(session, services, interview_id, kind, channel, ts=ts, file_id=file_id)


def load_live_interview(db: sessionmaker[Session], interview_id: int) -> Interview | None:
    """The interview and its panel, unless it is gone (deleted): for a side effect about
    it, performed after the change that asked for it."""
    with db.begin() as session:
        interview = session.scalars(select(Interview).where(
            Interview.id == interview_id, Interview.deleted_at.is_(None))).first()
        if interview is not None:
            _ = interview.panelists  # loaded while the session is open
        return interview


def cancel_reminders(session: Session, interview_id: int) -> None:
    """Remove the interview's pending reminders (cancelled, decided, deleted)."""
    session.execute(
        delete(Reminder)
        .where(Reminder.interview_id == interview_id, Reminder.status == ReminderStatus.PENDING)
        .execution_options(synchronize_session=False)
    )


# ---------------------------------------------------------------------------- loops


@dataclass(frozen=True)
class Debrief:
    """One debrief: the round that holds its state (status past scheduled, summary,
    decision) and every round it covers, in round order (the holder is among them)."""

    holder: Interview
    rounds: tuple[Interview, ...]

    @property
    def combined(self) -> bool:
        return len(self.rounds) > 1


def live_rounds(session: Session, candidate_id: int) -> list[Interview]:
    """The candidate's rounds not deleted, in round order, each with its panel."""
    return _live_rounds_of(session, [candidate_id]).get(candidate_id, [])


def _live_rounds_of(session: Session, candidate_ids: Sequence[int]) -> dict[int, list[Interview]]:
    found: dict[int, list[Interview]] = {}
    for interview in session.scalars(
            select(Interview).where(Interview.candidate_id.in_(list(candidate_ids)),
                                    Interview.deleted_at.is_(None))
            .order_by(Interview.candidate_id, Interview.round_number)
            .options(selectinload(Interview.panelists).selectinload(Panelist.scorecard)
                     .selectinload(Scorecard.versions.and_(is_current_version())))):
        found.setdefault(interview.candidate_id, []).append(interview)
    return found


def debrief_of(session: Session, interview: Interview) -> Debrief:
    """The debrief that covers `interview`. Debriefed per round, or cancelled, a round is
    its own; otherwise the loop's one debrief is held by its latest round that is not
    cancelled and covers every round that is not."""
    return debriefs_of(session, [interview])[interview.id]


def debriefs_of(session: Session, interviews: Sequence[Interview]) -> dict[int, Debrief]:
    """`debrief_of` for each interview, by id: the loops read together, and only those
    with another live round (most candidates have one)."""
    alone = {i.id for i in interviews
             if i.candidate.debrief_per_round or i.status == InterviewStatus.CANCELLED}
    asked = {i.candidate_id for i in interviews if i.id not in alone}
    loops: dict[int, list[Interview]] = {}
    if asked:
        several = set(session.scalars(
            select(Interview.candidate_id).where(
                Interview.candidate_id.in_(asked), Interview.deleted_at.is_(None),
                Interview.status != InterviewStatus.CANCELLED)
            .group_by(Interview.candidate_id).having(func.count() > 1)))
        several |= {i.candidate_id for i in interviews if i.deleted_at is not None}
        loops = _live_rounds_of(session, list(several & asked)) if several & asked else {}
    found = {}
    for interview in interviews:
        rounds = [r for r in loops.get(interview.candidate_id, [interview])
                  if r.status != InterviewStatus.CANCELLED]
        if interview.id in alone or not rounds:  # only a deleted candidate has none
            found[interview.id] = Debrief(interview, (interview,))
            continue
        # The caller's own loaded (perhaps locked) row stands in for its copy in the list.
        rounds = [interview if r.id == interview.id else r for r in rounds]
        found[interview.id] = Debrief(rounds[-1], tuple(rounds))
    return found


def locked_debrief(session: Session, interview_id: int) -> Debrief:
    """The debrief covering interview `interview_id` (not deleted), for a change to it. On
    PostgreSQL the candidate's row is locked first, then the round's: changes to one loop
    take turns and never lock its rounds in opposite orders. (SQLite's write transactions
    take turns anyway.) Raises NotFound."""
    row = session.execute(select(Interview.team_id, Interview.candidate_id)
                          .where(Interview.id == interview_id)).first()
    if row is None:
        raise no_such_interview(interview_id)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Candidate.id).where(Candidate.id == row.candidate_id)
                        .with_for_update())
    return debrief_of(session, get_interview(session, row.team_id, interview_id,
                                             for_update=True))


def organises_debrief(debrief: Debrief, user_id: str) -> bool:
    """The hiring lead or the recruiter of any round the debrief covers."""
    return any(is_organiser(r, user_id) for r in debrief.rounds)


def people_of(interviews: Sequence[Interview]) -> list[str]:
    """Everyone whose App Home shows these rounds: panels (removed panelists too),
    hiring leads, recruiters."""
    everyone: list[str] = []
    for interview in interviews:
        everyone += [p.user_id for p in interview.panelists]
        everyone += [interview.hiring_lead_id, interview.recruiter_id]
    return list(dict.fromkeys(everyone))
