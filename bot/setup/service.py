"""`/interview new`, the recruiter's path: what the setup form must say before an interview
is created, and creating it (a new candidate's first round, or the next round of an
earlier candidate's loop: panel with focus categories, frozen question set, event log
entry, reminders) in one transaction, once per submitted modal.

Validation runs before the view_submission ack (its errors appear next to the fields), so
it is quick: the users it checks come from the cached user directory, looked up together.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.focus import assign_focus
from bot.core.question_sets import QUESTIONS_PER_CATEGORY_MAX, QuestionSet
from bot.core.selection import per_category_for_length
from bot.errors import InterviewRefused, NotAllowed, NotFound
from bot.i18n import N_, Translator
from bot.interviews import (
    find_interview,
    freeze_question_set,
    live_rounds,
    log_event,
    people_of,
    require_organiser,
)
from bot.outbox import effects
from bot.people import PeopleUnavailable, Person
from bot.reminders.service import schedule_reminders
from bot.services import Services
from bot.workspace_sets import SetEntry, file_set_key, file_set_value, own_sets, resolve
from models import (
    Candidate,
    Interview,
    InterviewStatus,
    Panelist,
    QuestionSetVersion,
    reading,
    transaction,
)

log = logging.getLogger(__name__)

# Input block ids of the setup modal; validation errors are keyed by them.
EARLIER_CANDIDATE_BLOCK = "earlier_candidate"  # the action id of the choice, too
CANDIDATE_BLOCK = "candidate"
ROLE_BLOCK = "role"
QUESTION_SET_BLOCK = "question_set"
PANEL_BLOCK = "panel"
HIRING_LEAD_BLOCK = "hiring_lead"
CHANNEL_BLOCK = "channel"
STARTS_AT_BLOCK = "starts_at"
LENGTH_BLOCK = "length"
DEBRIEF_AT_BLOCK = "debrief_at"
LINK_BLOCK = "link"
NOTE_BLOCK = "note"
DEBRIEF_MODE_BLOCK = "debrief_mode"
QUESTIONS_BLOCK = "questions_per_category"

MAX_PANEL = 12
LENGTH_MINUTES = (30, 45, 60, 90, 120, 180)
DEFAULT_LENGTH_MINUTES = 60
NAME_MAX_LENGTH = 200  # the columns' sizes
ROLE_MAX_LENGTH = 200
LINK_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 2000
MAX_AHEAD = timedelta(days=365)
# Setting up an interview that already happened (to collect scorecards) is fine for a
# while; a start further back is a wrong month or year.
MAX_BEHIND = timedelta(days=7)
USER_LOOKUP_THREADS = 8
# The setup modal offers the recruiter's latest candidates (a select holds 100 options,
# one of them "new candidate").
RECENT_CANDIDATES = 99


@dataclass(frozen=True)
class NewInterviewForm:
    """What the recruiter submitted, as typed (strings not yet stripped)."""

    candidate_name: str = ""
    role: str = ""
    question_set_id: str | None = None
    language: str | None = None
    panel: Sequence[str] = ()
    hiring_lead_id: str | None = None
    channel_id: str | None = None
    starts_at: datetime | None = None
    length_minutes: int | None = None
    debrief_at: datetime | None = None
    candidate_link: str | None = None
    note: str | None = None
    # An earlier candidate's next round (their name, role and link are kept); None: a new
    # candidate, whose rounds are debriefed together unless `debrief_per_round`.
    candidate_id: int | None = None
    debrief_per_round: bool = False
    # One of the workspace's own sets, by its version row (question_set_id and language
    # are then not used); None: a set from a file.
    question_set_version_id: int | None = None
    # How many questions of each category to ask (the rest are spares); None: as many as
    # fit the length (bot/core/selection.py).
    questions_per_category: int | None = None

    @property
    def ends_at(self) -> datetime | None:
        if self.starts_at is None or self.length_minutes is None:
            return None
        return self.starts_at + timedelta(minutes=self.length_minutes)


def question_set_value(question_set: QuestionSet) -> str:
    """The select option's value for a set from a file (own sets: SetEntry.value)."""
    return file_set_value(question_set)


def parse_question_set_value(value: str | None) -> tuple[str | None, str | None]:
    key = file_set_key(value)
    return key if key else (None, None)


def own_set_choices(services: Services, team_id: str) -> list[SetEntry]:
    """The workspace's own published sets (the latest version of each) for the form."""
    with reading(services.db) as session:
        return own_sets(session, team_id)


def per_category(form: NewInterviewForm, question_set: QuestionSet) -> int:
    """The number of questions per category the interview asks: the one picked, else as
    many as fit its length."""
    if form.questions_per_category is not None:
        return max(1, min(form.questions_per_category, QUESTIONS_PER_CATEGORY_MAX))
    return per_category_for_length(form.length_minutes or 60, len(question_set.categories))


# ---------------------------------------------------------------------------- candidates


@dataclass(frozen=True)
class CandidateChoice:
    """An earlier candidate the recruiter can add a round for, and what the next round's
    form starts from."""

    candidate_id: int
    name: str
    role: str
    rounds: int  # live rounds so far
    debrief_per_round: bool
    channel_id: str  # the latest round's
    hiring_lead_id: str  # the latest round's
    # The latest end of a round that is not cancelled: a debrief held together must be
    # after it.
    last_end: datetime | None


def recent_candidates(services: Services, team_id: str, user_id: str,
                      limit: int = RECENT_CANDIDATES) -> list[CandidateChoice]:
    """The latest candidates this user organises a round of (recruiter or hiring lead),
    newest round first: nobody is offered, or shown the name of, a loop that is not
    theirs."""
    with reading(services.db) as session:
        latest = func.max(Interview.created_at).label("latest")
        ids = list(session.scalars(
            select(Interview.candidate_id)
            .where(Interview.team_id == team_id, Interview.deleted_at.is_(None),
                   (Interview.recruiter_id == user_id) | (Interview.hiring_lead_id == user_id))
            .group_by(Interview.candidate_id).order_by(latest.desc()).limit(limit)))
        return [_choice(session, candidate) for candidate in _candidates(session, ids)]


def _candidates(session: Session, ids: list[int]) -> list[Candidate]:
    found = {c.id: c for c in session.scalars(select(Candidate).where(Candidate.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def candidate_choice(services: Services, team_id: str, candidate_id: int | str,
                     user_id: str) -> CandidateChoice:
    """One candidate the user may add a round for; NotFound otherwise (another workspace's,
    deleted, or a loop the user does not organise are all reported alike)."""
    with reading(services.db) as session:
        return _choice(session, _organised_candidate(session, team_id, candidate_id, user_id))


def next_round_choice(services: Services, team_id: str, interview_id: int | str,
                      user_id: str) -> CandidateChoice:
    """"Add a round" on a plan: the candidate of that interview, for its organisers
    (NotFound / InterviewRefused otherwise, in the interview's language)."""
    with reading(services.db) as session:
        interview = find_interview(session, team_id, interview_id)
        try:
            require_organiser(interview, user_id)
        except NotAllowed as err:
            raise InterviewRefused(err.message, language=interview.language,
                                   **err.values) from err
        return _choice(session, interview.candidate)


def _organised_candidate(session: Session, team_id: str, candidate_id: int | str,
                         user_id: str) -> Candidate:
    number = int(candidate_id) if str(candidate_id).isdigit() else 0
    candidate = session.get(Candidate, number)
    if candidate is None or candidate.team_id != team_id or candidate.deleted_at is not None \
            or not any(user_id in (r.recruiter_id, r.hiring_lead_id)
                       for r in live_rounds(session, candidate.id)):
        raise NotFound(N_("That candidate is not one of yours any more; pick another or add "
                          "a new one."))
    return candidate


def _choice(session: Session, candidate: Candidate) -> CandidateChoice:
    rounds = live_rounds(session, candidate.id)
    held = [r for r in rounds if r.status != InterviewStatus.CANCELLED]
    latest = rounds[-1] if rounds else None
    return CandidateChoice(
        candidate_id=candidate.id, name=candidate.name, role=candidate.role,
        rounds=len(rounds), debrief_per_round=candidate.debrief_per_round,
        channel_id=latest.channel_id if latest else "",
        hiring_lead_id=latest.hiring_lead_id if latest else "",
        last_end=max((r.ends_at for r in held), default=None))


# ---------------------------------------------------------------------------- validation


def validate(services: Services, form: NewInterviewForm, t: Translator,
             team_id: str, recruiter_id: str) -> dict[str, str]:
    """{block_id: what is wrong, in words}; empty when the form can be created. Times in
    the messages are shown in the recruiter's time zone."""
    errors: dict[str, str] = {}
    earlier: CandidateChoice | None = None
    if form.candidate_id is not None:
        try:
            earlier = candidate_choice(services, team_id, form.candidate_id, recruiter_id)
        except NotFound as err:
            errors[EARLIER_CANDIDATE_BLOCK] = t._(err.message, **err.values)
    else:
        errors.update(_new_candidate_problems(form, t))
    if chosen_set(services, form, team_id) is None:
        errors[QUESTION_SET_BLOCK] = t._("That question set is not available any more; "
                                         "pick another.")
    people = look_up(services, [*form.panel, form.hiring_lead_id, recruiter_id])
    panel_problem = _panel_problem(form.panel, people, t)
    if panel_problem:
        errors[PANEL_BLOCK] = panel_problem
    lead_problem = _lead_problem(form.hiring_lead_id, people, t)
    if lead_problem:
        errors[HIRING_LEAD_BLOCK] = lead_problem
    if not form.channel_id:
        errors[CHANNEL_BLOCK] = t._("Pick the channel for the interview plan.")
    recruiter = people.get(recruiter_id)
    recruiter_tz = recruiter.tz if isinstance(recruiter, Person) and recruiter.tz else "UTC"
    errors.update(time_problems(services, form, t, recruiter_tz))
    if earlier is not None and not earlier.debrief_per_round:
        errors.update(loop_debrief_problems(form, earlier.last_end, t, recruiter_tz))
    link_problem = _link_problem(form.candidate_link, t) if earlier is None else None
    if link_problem:
        errors[LINK_BLOCK] = link_problem
    if form.note and len(form.note.strip()) > NOTE_MAX_LENGTH:
        errors[NOTE_BLOCK] = t._("Keep the note under {n} characters.", n=NOTE_MAX_LENGTH + 1)
    return errors


def _new_candidate_problems(form: NewInterviewForm, t: Translator) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not form.candidate_name.strip():
        errors[CANDIDATE_BLOCK] = t._("Enter the candidate's name.")
    elif len(form.candidate_name.strip()) > NAME_MAX_LENGTH:
        errors[CANDIDATE_BLOCK] = t._("Keep the name under {n} characters.",
                                      n=NAME_MAX_LENGTH + 1)
    if not form.role.strip():
        errors[ROLE_BLOCK] = t._("Enter the role the candidate applies for.")
    elif len(form.role.strip()) > ROLE_MAX_LENGTH:
        errors[ROLE_BLOCK] = t._("Keep the role under {n} characters.", n=ROLE_MAX_LENGTH + 1)
    return errors


def loop_debrief_problems(form: NewInterviewForm, last_end: datetime | None, t: Translator,
                          tz: str) -> dict[str, str]:
    """A debrief held together covers every round: it must come after the last one ends."""
    if form.debrief_at is None or last_end is None or form.debrief_at > last_end:
        return {}
    return {DEBRIEF_AT_BLOCK: t._("This debrief covers every round of the candidate: make it "
                                  "after the last one ends ({end}).",
                                  end=t.datetime(last_end, tz))}


def chosen_set(services: Services, form: NewInterviewForm, team_id: str
               ) -> QuestionSet | None:
    """The set picked, if the workspace may still use it."""
    with reading(services.db) as session:
        entry = _chosen_entry(session, services, form, team_id)
        return entry.question_set if entry else None


def _chosen_entry(session: Session, services: Services, form: NewInterviewForm,
                  team_id: str) -> SetEntry | None:
    if form.question_set_version_id is not None:
        value = f"v{form.question_set_version_id}"
    elif form.question_set_id and form.language:
        value = f"{form.question_set_id}:{form.language}"
    else:
        return None
    return resolve(session, services.question_sets, team_id, value)


Lookup = Mapping[str, Person | PeopleUnavailable | None]


def look_up(services: Services, user_ids: Sequence[str | None]) -> Lookup:
    """Every user at once (cached; concurrent on a cold cache so the ack stays quick)."""
    wanted = list(dict.fromkeys(u for u in user_ids if u))

    def one(user_id: str) -> Person | PeopleUnavailable | None:
        try:
            return services.users.get(user_id)
        except PeopleUnavailable as error:  # answered as "could not check", not as a crash
            log.warning("looking up %s failed: %s", user_id, error)
            return error

    if len(wanted) <= 1:
        return {u: one(u) for u in wanted}
    with ThreadPoolExecutor(max_workers=min(USER_LOOKUP_THREADS, len(wanted))) as pool:
        return dict(zip(wanted, pool.map(one, wanted), strict=True))


def person_problem(user_id: str, people: Lookup, t: Translator) -> str | None:
    found = people.get(user_id)
    if isinstance(found, PeopleUnavailable):
        return t._("Slack did not answer about one of these people; submit again in a moment.")
    if found is None:
        return t._("{user} is not in this workspace.", user=user_id)
    if found.is_bot:
        return t._("{name} is a bot; pick people.", name=found.name or user_id)
    if found.deleted:
        return t._("{name} is deactivated; pick someone else.", name=found.name or user_id)
    return None


def _panel_problem(panel: Sequence[str], people: Lookup, t: Translator) -> str | None:
    if not panel:
        return t._("Pick the panelists (1 to {n} people).", n=MAX_PANEL)
    if len(panel) > MAX_PANEL:
        return t._("A panel has at most {max} people; you picked {n}.", max=MAX_PANEL,
                   n=len(panel))
    seen: set[str] = set()
    for user_id in panel:
        if user_id in seen:
            person = people.get(user_id)
            name = person.name if isinstance(person, Person) and person.name else user_id
            return t._("{name} is on the panel twice.", name=name)
        seen.add(user_id)
    for user_id in panel:
        problem = person_problem(user_id, people, t)
        if problem:
            return problem
    return None


def _lead_problem(lead_id: str | None, people: Lookup, t: Translator) -> str | None:
    if not lead_id:
        return t._("Pick the hiring lead.")
    return person_problem(lead_id, people, t)


def time_problems(services: Services, form: NewInterviewForm, t: Translator,
                   tz: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    now = services.clock()
    if form.starts_at is None:
        errors[STARTS_AT_BLOCK] = t._("Pick the date and time of the interview.")
    elif form.starts_at > now + MAX_AHEAD:
        errors[STARTS_AT_BLOCK] = t._("That is more than a year away; check the date.")
    elif form.starts_at < now - MAX_BEHIND:
        errors[STARTS_AT_BLOCK] = t._("That was more than a week ago; check the date.")
    if form.length_minutes not in LENGTH_MINUTES:
        errors[LENGTH_BLOCK] = t._("Pick the length of the interview.")
    ends_at = form.ends_at
    if form.debrief_at is None:
        errors[DEBRIEF_AT_BLOCK] = t._("Pick the date and time of the debrief.")
    elif ends_at is not None and form.debrief_at <= ends_at:
        errors[DEBRIEF_AT_BLOCK] = t._("The debrief must be after the interview ends "
                                       "({end}).", end=t.datetime(ends_at, tz))
    return errors


def _link_problem(link: str | None, t: Translator) -> str | None:
    if not link or not link.strip():
        return None
    link = link.strip()
    if len(link) > LINK_MAX_LENGTH:
        return t._("That link is too long ({n} characters at most).", n=LINK_MAX_LENGTH)
    try:
        parts = urlsplit(link)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc \
            or any(c.isspace() for c in link):
        return t._("Enter a web link starting with https:// (or http://).")
    return None


# ---------------------------------------------------------------------------- creating


@dataclass(frozen=True)
class Created:
    interview_id: int
    created: bool  # False: this submission was seen before (a retry or a double click)


def create_interview(services: Services, *, team_id: str, recruiter_id: str,
                     form: NewInterviewForm, source_view_id: str,
                     reply: Mapping[str, Any] | None = None) -> Created:
    """Create the interview from a validated form, once per submitted view: a retried or
    doubled delivery of the same view finds the first one's interview (the UNIQUE
    source_view_id settles a race between two deliveries). Its reminders and what it asks
    of Slack (the plan, the kits, the App Homes, the answer to the recruiter at `reply`)
    are stored in the same transaction."""
    if form.starts_at is None or form.ends_at is None \
            or form.debrief_at is None or not form.hiring_lead_id or not form.channel_id:
        raise ValueError("create_interview needs a validated form")
    try:
        with transaction(services.db) as session:
            existing = _by_view(session, source_view_id)
            if existing is not None:
                return Created(existing, created=False)
            entry = _chosen_entry(session, services, form, team_id)
            if entry is None:
                raise ValueError("create_interview needs a validated form")
            candidate = _candidate_for(session, team_id, recruiter_id, form,
                                       now=services.clock())
            interview = _new_interview(session, candidate, recruiter_id, form, entry,
                                       source_view_id, now=services.clock())
            _after_new_round(session, services, interview)
            schedule_reminders(session, interview, services)
            effects.publish_new_interview(session, services, interview.id, recruiter_id,
                                          reply or {})
            effects.refresh_homes(session, services, team_id,
                                  people_of(live_rounds(session, candidate.id)),
                                  interview_id=interview.id)
            result = Created(interview.id, created=True)
    except IntegrityError:
        # Another delivery of this view committed first (PostgreSQL lets both start).
        with transaction(services.db) as session:
            existing = _by_view(session, source_view_id)
        if existing is None:
            raise
        return Created(existing, created=False)
    services.reminders_changed()
    return result


def _after_new_round(session: Session, services: Services, interview: Interview) -> None:
    """The earlier rounds' plans show the loop, and a summary they posted is redrawn; in a
    loop debriefed together, a debrief that had started waits for the new round."""
    for earlier in live_rounds(session, interview.candidate_id):
        if earlier.id == interview.id:
            continue
        if not interview.candidate.debrief_per_round \
                and earlier.status == InterviewStatus.DEBRIEF:
            earlier.status = InterviewStatus.SCHEDULED
        effects.refresh_plan(session, services, earlier.id)
        effects.refresh_summary(session, services, earlier.id)


def _by_view(session: Session, source_view_id: str) -> int | None:
    return session.scalars(
        select(Interview.id).where(Interview.source_view_id == source_view_id)).first()


def _candidate_for(session: Session, team_id: str, recruiter_id: str, form: NewInterviewForm,
                   *, now: datetime) -> Candidate:
    """The earlier candidate (locked: two rounds added at once take turns for the number),
    or a new one."""
    if form.candidate_id is not None:
        query = select(Candidate).where(Candidate.id == form.candidate_id)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        candidate = session.scalars(query).first()
        if candidate is None:
            raise ValueError("create_interview needs a validated form")
        _organised_candidate(session, team_id, candidate.id, recruiter_id)
        return candidate
    candidate = Candidate(team_id=team_id, name=form.candidate_name.strip(),
                          role=form.role.strip(),
                          link=(form.candidate_link or "").strip() or None,
                          recruiter_id=recruiter_id, debrief_per_round=form.debrief_per_round,
                          created_at=now)
    session.add(candidate)
    return candidate


def _new_interview(session: Session, candidate: Candidate, recruiter_id: str,
                   form: NewInterviewForm, entry: SetEntry, source_view_id: str, *,
                   now: datetime) -> Interview:
    assert form.starts_at and form.ends_at and form.debrief_at  # checked by the caller
    question_set = entry.question_set
    # A workspace's set: the version picked; a set from a file: its stored copy.
    version = (session.get_one(QuestionSetVersion, entry.version_id)
               if entry.own and entry.version_id is not None
               else freeze_question_set(session, question_set))
    note = (form.note or "").strip() or None
    last = session.scalar(select(func.max(Interview.round_number))
                          .where(Interview.candidate_id == candidate.id)) \
        if candidate.id is not None else None
    interview = Interview(
        team_id=candidate.team_id,
        candidate=candidate,
        round_number=(last or 0) + 1,
        note=note,
        question_set_id=question_set.id,
        language=question_set.language,
        question_set_version=version,
        questions_per_category=per_category(form, question_set),
        channel_id=str(form.channel_id),
        recruiter_id=recruiter_id,
        hiring_lead_id=str(form.hiring_lead_id),
        starts_at=form.starts_at,
        ends_at=form.ends_at,
        debrief_at=form.debrief_at,
        status=InterviewStatus.SCHEDULED,
        source_view_id=source_view_id,
        created_at=now,
    )
    focus = assign_focus([c.id for c in question_set.categories], list(form.panel))
    for position, user_id in enumerate(form.panel):
        interview.panelists.append(Panelist(user_id=user_id, position=position,
                                            focus_categories=focus[user_id], added_at=now))
    session.add(interview)
    session.flush()
    # No candidate data in the log: deleting an interview's candidate data keeps the log.
    log_event(session, interview, recruiter_id, "created", question_set=question_set.id,
              language=question_set.language, question_set_version=version.version,
              questions_per_category=interview.questions_per_category,
              panel=list(form.panel),
              candidate=candidate.id, round=interview.round_number,
              starts_at=interview.starts_at.isoformat(),
              debrief_at=interview.debrief_at.isoformat())
    return interview
