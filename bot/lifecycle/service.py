"""Changing an interview after it is set up: rescheduling, cancelling, panel changes, and
deleting the candidate's data (on request, or by the retention sweep).

Every change is one transaction (the row locked), then the Slack side after the commit,
each step on its own so one failure does not stop the others: the plan is re-rendered,
the kits are updated, the panel is told in the plan's thread (in the interview's language)
and the App Home of everyone concerned is published again.

Only the hiring lead and the recruiter change an interview. A retried submission of the
same modal changes nothing the second time: the change is compared with what is stored
(same times, already cancelled, already on the panel, already deleted) and a no-op says so.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import Session, selectinload

from bot.core.focus import assign_focus
from bot.errors import InterviewRefused, NotAllowed, NotFound
from bot.i18n import N_, translator
from bot.interviews import (
    debrief_of,
    get_interview,
    live_rounds,
    log_event,
    people_of,
    question_set_of,
    require_organiser,
)
from bot.outbox import effects
from bot.outbox.effects import ReplyTo
from bot.people import PeopleUnavailable
from bot.reminders.service import schedule_reminders
from bot.services import Services
from bot.setup.service import (
    DEBRIEF_AT_BLOCK,
    MAX_PANEL,
    STARTS_AT_BLOCK,
    NewInterviewForm,
    look_up,
    loop_debrief_problems,
    person_problem,
    time_problems,
)
from models import (
    Candidate,
    DebriefStats,
    Event,
    Interview,
    InterviewStatus,
    Panelist,
    PanelistStats,
    PostedKind,
    PostedMessage,
    Rating,
    Reminder,
    Scorecard,
    ScorecardDraft,
    ScorecardVersion,
    reading,
    transaction,
)

log = logging.getLogger(__name__)

OPEN_STATUSES = (InterviewStatus.SCHEDULED, InterviewStatus.DEBRIEF)
# What a deleted interview's candidate fields hold: nothing about the person.
DELETED_NAME = "[deleted]"
DELETED_KIND = "deleted"
PANELIST_BLOCK = "panelist"


class Action(enum.StrEnum):
    """What the plan's menu and the commands offer (the menu option values' prefixes)."""

    RESCHEDULE = "reschedule"
    ADD_PANELIST = "add_panelist"
    REMOVE_PANELIST = "remove_panelist"
    CANCEL = "cancel"
    DELETE = "delete"


# ---------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class InterviewInfo:
    """What the lifecycle modals show about the interview they change."""

    interview_id: int
    candidate_name: str
    role: str
    language: str
    status: InterviewStatus
    starts_at: datetime
    ends_at: datetime
    debrief_at: datetime
    panel: tuple[str, ...]  # active panelists, panel order
    rounds: tuple[int, ...] = ()  # the interview ids of the candidate's live rounds

    @property
    def length_minutes(self) -> int:
        return round((self.ends_at - self.starts_at).total_seconds() / 60)


def _info(interview: Interview) -> InterviewInfo:
    return InterviewInfo(
        interview_id=interview.id, candidate_name=interview.candidate.name,
        role=interview.candidate.role, language=interview.language, status=interview.status,
        starts_at=interview.starts_at, ends_at=interview.ends_at,
        debrief_at=interview.debrief_at,
        panel=tuple(p.user_id for p in interview.active_panelists),
        rounds=tuple(r.id for r in interview.candidate.rounds if r.deleted_at is None))


def _organised(session: Session, team_id: str, interview_id: int | str, user_id: str,
               *, for_update: bool = False) -> Interview:
    """The interview, if this user organises it (NotFound / NotAllowed otherwise)."""
    interview = get_interview(session, team_id, interview_id, for_update=for_update)
    try:
        require_organiser(interview, user_id)
    except NotAllowed as err:
        raise InterviewRefused(err.message, language=interview.language, **err.values) from err
    return interview


def _require_open(interview: Interview) -> None:
    if interview.status == InterviewStatus.CANCELLED:
        raise InterviewRefused(N_("Interview {id} is cancelled; there is nothing to change."),
                      language=interview.language, id=interview.id)
    if interview.status == InterviewStatus.DECIDED:
        raise InterviewRefused(N_("Interview {id} is decided; there is nothing to change."),
                      language=interview.language, id=interview.id)


def prepare(services: Services, team_id: str, interview_id: int | str, user_id: str,
            action: Action) -> InterviewInfo:
    """Check that this user may do `action` to the interview now, and what its modal
    shows. Raises NotFound (unknown, malformed, another workspace's) or InterviewRefused."""
    with transaction(services.db) as session:
        interview = _organised(session, team_id, interview_id, user_id)
        if action != Action.DELETE:
            _require_open(interview)
        if action == Action.REMOVE_PANELIST and len(interview.active_panelists) < 2:
            raise InterviewRefused(N_("Interview {id} has one panelist; add someone before "
                                      "removing them."), language=interview.language,
                                   id=interview.id)
        if action == Action.ADD_PANELIST and len(interview.active_panelists) >= MAX_PANEL:
            raise InterviewRefused(N_("The panel of interview {id} is full ({n} people)."),
                          language=interview.language, id=interview.id, n=MAX_PANEL)
        return _info(interview)


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Change:
    """A committed change and what the Slack side needs to show it."""

    interview_id: int
    team_id: str
    language: str
    changed: bool  # False: nothing to do (a retried submission, the same times)
    channel_id: str = ""
    plan_ts: str | None = None
    panel: tuple[str, ...] = ()  # active panelists after the change
    people: tuple[str, ...] = ()  # whose App Home shows the interview


def _change(interview: Interview, *, changed: bool = True) -> Change:
    panel = tuple(p.user_id for p in interview.active_panelists)
    everyone = [p.user_id for p in interview.panelists]
    people = tuple(dict.fromkeys([*everyone, interview.hiring_lead_id, interview.recruiter_id]))
    return Change(interview.id, interview.team_id, interview.language, changed,
                  interview.channel_id, interview.plan_ts, panel, people)


def _unchanged(interview: Interview) -> Change:
    return Change(interview.id, interview.team_id, interview.language, changed=False)


# ---------------------------------------------------------------------------- reschedule


def check_reschedule(services: Services, team_id: str, interview_id: int, user_id: str,
                     form: NewInterviewForm) -> tuple[str, dict[str, str]]:
    """Before the modal's ack: (the interview's language, {block_id: problem}). The same
    rules as the setup form (bot.setup.service); an unchanged start may stay in the past."""
    with transaction(services.db) as session:
        interview = _organised(session, team_id, interview_id, user_id)
        _require_open(interview)
        starts_at, language = interview.starts_at, interview.language
        others_end = max((r.ends_at for r in debrief_of(session, interview).rounds
                          if r.id != interview.id), default=None)
    t = translator(language)
    tz = services.users.tz(user_id)
    errors = time_problems(services, form, t, tz)
    if form.starts_at == starts_at:
        errors.pop(STARTS_AT_BLOCK, None)
    if DEBRIEF_AT_BLOCK not in errors:
        errors.update(loop_debrief_problems(form, others_end, t, tz))
    return language, errors


def reschedule(services: Services, team_id: str, interview_id: int, user_id: str,
               starts_at: datetime, ends_at: datetime, debrief_at: datetime,
               reply_to: ReplyTo | None = None) -> Change:
    """Move the interview and its debrief; the reminders move with them, and the plan, the
    kits and the thread (or, with no plan posted, the person at `reply_to`) say so, all
    stored in one transaction."""
    if not starts_at < ends_at < debrief_at:
        raise ValueError("reschedule needs validated times")
    with transaction(services.db) as session:
        interview = _organised(session, team_id, interview_id, user_id, for_update=True)
        _require_open(interview)
        if (interview.starts_at, interview.ends_at, interview.debrief_at) == (
                starts_at, ends_at, debrief_at):
            return _unchanged(interview)
        log_event(session, interview, user_id, "rescheduled",
                  starts_at=starts_at.isoformat(), ends_at=ends_at.isoformat(),
                  debrief_at=debrief_at.isoformat(),
                  was={"starts_at": interview.starts_at.isoformat(),
                       "ends_at": interview.ends_at.isoformat(),
                       "debrief_at": interview.debrief_at.isoformat()})
        interview.starts_at, interview.ends_at = starts_at, ends_at
        # A loop debriefed together has one debrief time: moving it moves it for all.
        for round_ in debrief_of(session, interview).rounds:
            if round_.status != InterviewStatus.DECIDED:
                round_.debrief_at = debrief_at
        schedule_reminders(session, interview, services)
        _tell_everyone(session, services, interview, "rescheduled", user_id, reply_to,
                       kits=True)
        _refresh_other_rounds(session, services, interview)
        result = _change(interview)
    services.reminders_changed()
    return result


def _tell_everyone(session: Session, services: Services, interview: Interview, note: str,
                   actor_id: str, reply_to: ReplyTo | None, *, kits: bool,
                   subject_id: str | None = None) -> None:
    """What a change asks of Slack (bot/outbox/effects.py): the plan re-rendered, the kits updated,
    a note in the plan's thread (with no plan posted, a notice to the person who acted),
    and the App Homes of everyone concerned."""
    effects.refresh_plan(session, services, interview.id)
    if kits:
        effects.send_kits(session, services, interview.id,
                          [p.user_id for p in interview.active_panelists])
    if interview.plan_ts:
        effects.thread_note(session, services, interview.id, note, actor_id, subject_id)
    elif reply_to is not None:
        effects.notice(session, services, reply_to, note, interview.id, interview.language)
    effects.refresh_homes(session, services, interview.team_id, _change(interview).people,
                          interview_id=interview.id)
    effects.refresh_calibration(session, services, interview.id)


def _refresh_other_rounds(session: Session, services: Services, interview: Interview) -> None:
    """The loop's other rounds show its debrief (time, which round holds it): their plans
    and a summary they posted are redrawn."""
    for other in live_rounds(session, interview.candidate_id):
        if other.id != interview.id:
            effects.refresh_plan(session, services, other.id)
            effects.refresh_summary(session, services, other.id)


# ---------------------------------------------------------------------------- cancel


def cancel_interview(services: Services, team_id: str, interview_id: int, user_id: str,
                     reply_to: ReplyTo | None = None) -> Change:
    """Cancel: the status (the plan shows it, scorecards lock), pending reminders removed,
    the panel told in the thread."""
    with transaction(services.db) as session:
        interview = _organised(session, team_id, interview_id, user_id, for_update=True)
        if interview.status == InterviewStatus.CANCELLED:
            return _unchanged(interview)
        _require_open(interview)
        interview.status = InterviewStatus.CANCELLED
        schedule_reminders(session, interview, services)  # the loop's debrief may move
        log_event(session, interview, user_id, "cancelled")
        _tell_everyone(session, services, interview, "cancelled", user_id, reply_to,
                       kits=False)
        _refresh_other_rounds(session, services, interview)
        result = _change(interview)
    services.reminders_changed()
    return result


# ---------------------------------------------------------------------------- the panel


def rebalance(interview: Interview) -> None:
    """Focus categories over the active panel, in panel order (bot.core.focus's rules)."""
    qs = question_set_of(interview)
    active = sorted(interview.active_panelists, key=lambda p: p.position)
    focus = assign_focus([c.id for c in qs.categories], [p.user_id for p in active])
    for panelist in active:
        panelist.focus_categories = list(focus[panelist.user_id])


def check_new_panelist(services: Services, team_id: str, interview_id: int, user_id: str,
                       new_user: str | None) -> tuple[str, str | None]:
    """Before the modal's ack: (language, what is wrong with adding `new_user` or None)."""
    with transaction(services.db) as session:
        interview = _organised(session, team_id, interview_id, user_id)
        _require_open(interview)
        language, panel = interview.language, [p.user_id for p in interview.active_panelists]
    t = translator(language)
    if not new_user:
        return language, t._("Pick the person to add.")
    if new_user in panel:
        return language, t._("{user} is on the panel already.",
                             user=person_name(services, new_user))
    if len(panel) >= MAX_PANEL:
        return language, t._("A panel has at most {max} people.", max=MAX_PANEL)
    return language, person_problem(new_user, look_up(services, [new_user]), t)


def add_panelist(services: Services, team_id: str, interview_id: int, user_id: str,
                 new_user: str) -> Change:
    """Put someone on the panel (back on it, if they were removed: their scorecard is
    theirs again), rebalance the focus, re-plan the reminders; then their kit is sent,
    the others' kits updated and the thread told."""
    with transaction(services.db) as session:
        interview = _organised(session, team_id, interview_id, user_id, for_update=True)
        _require_open(interview)
        if interview.panelist_for(new_user) is not None:
            return _unchanged(interview)
        if len(interview.active_panelists) >= MAX_PANEL:
            raise InterviewRefused(N_("The panel of interview {id} is full ({n} people)."),
                          language=interview.language, id=interview.id, n=MAX_PANEL)
        now = services.clock()
        earlier = next((p for p in interview.panelists if p.user_id == new_user), None)
        if earlier is not None:
            earlier.removed_at = None
            earlier.added_at = now
        else:
            position = max((p.position for p in interview.panelists), default=-1) + 1
            interview.panelists.append(Panelist(user_id=new_user, position=position,
                                                focus_categories=[], added_at=now))
        rebalance(interview)
        session.flush()
        schedule_reminders(session, interview, services)
        log_event(session, interview, user_id, "panelist_added", panelist=new_user)
        _tell_everyone(session, services, interview, "panelist_added", user_id, None,
                       kits=True, subject_id=new_user)
        result = _change(interview)
    services.reminders_changed()
    return result


def remove_panelist(services: Services, team_id: str, interview_id: int, user_id: str,
                    leaving: str) -> Change:
    """Take someone off the panel: their scorecard stays (marked as from a removed
    panelist; the summary counts active panelists only), their pending reminders go, the
    focus is rebalanced over the others; their kit says they are off the panel."""
    with transaction(services.db) as session:
        interview = _organised(session, team_id, interview_id, user_id, for_update=True)
        _require_open(interview)
        panelist = interview.panelist_for(leaving)
        if panelist is None:
            return _unchanged(interview)
        if len(interview.active_panelists) < 2:
            raise InterviewRefused(N_("Interview {id} has one panelist; add someone before "
                                      "removing them."), language=interview.language,
                                   id=interview.id)
        panelist.removed_at = services.clock()
        rebalance(interview)
        session.flush()
        schedule_reminders(session, interview, services)
        log_event(session, interview, user_id, "panelist_removed", panelist=leaving)
        if panelist.kit_channel and panelist.kit_ts:
            effects.removed_from_panel(session, services, interview.id, panelist.kit_channel,
                                       panelist.kit_ts)
        _tell_everyone(session, services, interview, "panelist_removed", user_id, None,
                       kits=True, subject_id=leaving)
        result = _change(interview)
    services.reminders_changed()
    return result


# ---------------------------------------------------------------------------- deleting


@dataclass(frozen=True)
class Deleted:
    interview_id: int  # the round it was asked on
    language: str
    changed: bool  # False: it was deleted already (a retried submission)
    rounds: tuple[int, ...] = ()  # every round deleted with the candidate


def delete_candidate_data(services: Services, team_id: str, interview_id: int | str,
                          user_id: str, reply_to: ReplyTo | None = None) -> Deleted:
    """`/interview delete`: an organiser of one round removes the candidate's data for
    good, every round of the loop with it; the person at `reply_to` is told once the
    messages are edited."""
    with transaction(services.db) as session:
        found = _deletable(session, team_id, interview_id, user_id)
    if found is None:  # deleted already: a retried submission
        return Deleted(_number(interview_id), services.settings.default_language, False)
    candidate_id, number = found
    return erase_candidate(services, candidate_id, user_id, reply_to=reply_to, asked_on=number)


def _number(interview_id: int | str) -> int:
    from bot.interviews import parse_interview_id

    return interview_id if isinstance(interview_id, int) else parse_interview_id(interview_id)


def _deletable(session: Session, team_id: str, interview_id: int | str,
               user_id: str) -> tuple[int, int] | None:
    """(candidate id, interview number) to delete, or None when it is deleted already and
    this user could have asked for that."""
    number = _number(interview_id)
    gone = session.scalars(select(Interview).where(
        Interview.id == number, Interview.team_id == team_id,
        Interview.deleted_at.is_not(None))).first()
    if gone is not None:
        if user_id in (gone.recruiter_id, gone.hiring_lead_id, gone.deleted_by):
            return None
        raise NotFound(N_("There is no interview {id} in this workspace."), id=number)
    interview = _organised(session, team_id, number, user_id)
    return interview.candidate_id, interview.id


def erase_candidate(services: Services, candidate_id: int, actor_id: str | None,
                    reason: str = "request", reply_to: ReplyTo | None = None,
                    asked_on: int | None = None) -> Deleted:
    """Remove every trace of the candidate from every round: name, role, link, notes,
    decision reasons, all scorecard versions with their texts and ratings, drafts,
    reminders and the rounds' event logs (each keeps one event: deleted, by whom, when).
    Every message and file the bot posted about them (models/posted.py) is then erased at
    Slack (`ERASE`). The frozen question sets, the panels' user ids and the times stay:
    they are not about the candidate."""
    with transaction(services.db) as session:
        query = select(Candidate).where(Candidate.id == candidate_id)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        candidate = session.scalars(query).first()
        rounds = list(session.scalars(
            select(Interview).where(Interview.candidate_id == candidate_id,
                                    Interview.deleted_at.is_(None))
            .order_by(Interview.round_number)
            .options(selectinload(Interview.panelists), selectinload(Interview.decisions))))
        asked = asked_on if asked_on is not None else (rounds[0].id if rounds else 0)
        if candidate is None or candidate.deleted_at is not None or not rounds:
            language = rounds[-1].language if rounds else services.settings.default_language
            return Deleted(asked, language, False)
        now = services.clock()
        for interview in rounds:
            _erase(session, interview, now, actor_id)
            log_event(session, interview, actor_id, DELETED_KIND, reason=reason)
        candidate.name, candidate.role, candidate.link = DELETED_NAME, "", None
        candidate.deleted_at, candidate.deleted_by = now, actor_id
        effects.erase_posted(session, services, asked, candidate.id, reply_to)
        effects.refresh_homes(session, services, candidate.team_id, people_of(rounds),
                              interview_id=asked)
        result = Deleted(asked, rounds[-1].language, True, tuple(r.id for r in rounds))
    services.reminders_changed()
    return result


class Erase(enum.Enum):
    """How a posted message or file goes when its candidate is deleted."""

    EDIT = "edit"  # chat.update to the deletion notice
    DELETE = "delete"  # chat.delete
    DELETE_FILE = "delete_file"  # files.delete


# Edited: what people looked at, linked to, reacted to or replied under (the plan, the
# summary, the decision, a kit, a panelist's own scorecard as they submitted it): the
# notice tells them what became of it. Deleted: what only makes sense beside a message
# that now says "deleted" (the kit's question pages in its thread, notes in the plan's
# thread) and nudges to act on something that no longer exists (reminders): a notice in
# their place would only be noise. Files: deleted, there is nothing to edit.
ERASE: dict[PostedKind, Erase] = {
    PostedKind.PLAN: Erase.EDIT,
    PostedKind.SUMMARY: Erase.EDIT,
    PostedKind.DECISION: Erase.EDIT,
    PostedKind.KIT: Erase.EDIT,
    PostedKind.CONFIRMATION: Erase.EDIT,
    PostedKind.MESSAGE: Erase.EDIT,
    PostedKind.THREAD_NOTE: Erase.DELETE,
    PostedKind.KIT_PAGE: Erase.DELETE,
    PostedKind.REMINDER: Erase.DELETE,
    PostedKind.EXPORT_FILE: Erase.DELETE_FILE,
    PostedKind.CHART: Erase.DELETE_FILE,
}


@dataclass(frozen=True)
class ToErase:
    posted_id: int
    how: Erase
    channel_id: str
    ts: str | None
    file_id: str | None


def posted_to_erase(services: Services, candidate_id: int) -> list[ToErase]:
    """What is left to erase of a deleted candidate, in the order it was posted (not what
    Slack refused for good)."""
    with reading(services.db) as session:
        rows = session.scalars(select(PostedMessage).where(
            PostedMessage.candidate_id == candidate_id, PostedMessage.erase_error.is_(None))
            .order_by(PostedMessage.id)).all()
        return [ToErase(r.id, ERASE[r.kind], r.channel_id, r.ts, r.file_id) for r in rows]


def erased(services: Services, posted_id: int) -> None:
    """Gone from Slack (or showing the notice): nothing is left to record."""
    with transaction(services.db) as session:
        session.execute(delete(PostedMessage).where(PostedMessage.id == posted_id))


def erase_refused(services: Services, posted_id: int, error: str) -> None:
    """Slack refused for good: kept with the reason, for someone to delete by hand."""
    with transaction(services.db) as session:
        posted = session.get(PostedMessage, posted_id)
        if posted is not None:
            posted.erase_error = error[:2000]


def erase_refusals(services: Services, candidate_id: int) -> int:
    with reading(services.db) as session:
        return session.scalar(select(func.count()).select_from(PostedMessage).where(
            PostedMessage.candidate_id == candidate_id,
            PostedMessage.erase_error.is_not(None))) or 0


def resume_erasing(services: Services, interview_id: int, candidate_id: int,
                   reply_to: ReplyTo | None, after_seconds: float) -> None:
    """Slack asked to slow down after some were erased: the rest later, where it stopped
    (a new outbox row, so steady progress never runs out of attempts)."""
    with transaction(services.db) as session:
        effects.erase_posted(session, services, interview_id, candidate_id, reply_to,
                             delay=after_seconds)


def candidate_of(services: Services, interview_id: int) -> int | None:
    with reading(services.db) as session:
        return session.scalar(select(Interview.candidate_id)
                              .where(Interview.id == interview_id))


def _erase(session: Session, interview: Interview, now: datetime,
           actor_id: str | None) -> None:
    # Children first, explicitly: no reliance on the database's ON DELETE CASCADE.
    scorecards = select(Scorecard.id).where(Scorecard.interview_id == interview.id)
    versions = select(ScorecardVersion.id).where(ScorecardVersion.scorecard_id.in_(scorecards))
    panelists = select(Panelist.id).where(Panelist.interview_id == interview.id)
    for statement in (
        delete(Rating).where(Rating.version_id.in_(versions)),
        delete(ScorecardVersion).where(ScorecardVersion.scorecard_id.in_(scorecards)),
        delete(Scorecard).where(Scorecard.interview_id == interview.id),
        delete(ScorecardDraft).where(ScorecardDraft.panelist_id.in_(panelists)),
        delete(Reminder).where(Reminder.interview_id == interview.id),
        delete(Event).where(Event.interview_id == interview.id),
        delete(PanelistStats).where(PanelistStats.interview_id == interview.id),
        delete(DebriefStats).where(DebriefStats.interview_id == interview.id),
    ):
        session.execute(statement.execution_options(synchronize_session=False))
    for decision in interview.decisions:
        decision.reason = ""
    interview.note = None
    interview.decision_reason = None
    interview.summary_chart_digest = None  # the plot itself is erased with the others
    interview.deleted_at = now
    interview.deleted_by = actor_id
    session.flush()
    # The bulk deletes bypassed the session: forget the loaded scorecards.
    for panelist in interview.panelists:
        session.expire(panelist, ["scorecard"])


# ---------------------------------------------------------------------------- retention


def retention_due(session: Session, now: datetime, days: int) -> list[int]:
    """Candidates whose loop closed longer ago than the retention period: every live round
    decided or cancelled, the latest of them (its decision time, else its debrief time)
    before the cutoff. Read from an index of the live rounds (models/interview.py): the
    rounds already erased are not in it, and the others' rows are not read."""
    cutoff = now - timedelta(days=days)
    still_open = func.sum(case((Interview.status.in_(OPEN_STATUSES), 1), else_=0))
    closed_at = func.max(func.coalesce(Interview.decided_at, Interview.debrief_at))
    return list(session.scalars(
        select(Interview.candidate_id).where(Interview.deleted_at.is_(None))
        .group_by(Interview.candidate_id)
        .having(still_open == 0, closed_at < cutoff)
        .order_by(Interview.candidate_id)))


def retention_sweep(services: Services, now: datetime | None = None) -> list[int]:
    """DATA_RETENTION_DAYS: delete what is older; the ids of the rounds deleted. One
    failure does not stop the others (the next day's sweep tries again)."""
    days = services.settings.data_retention_days
    if not days:
        return []
    with transaction(services.db) as session:
        due = retention_due(session, now or services.clock(), days)
    done: list[int] = []
    for candidate_id in due:
        try:
            done += erase_candidate(services, candidate_id, None, reason="retention").rounds
        except Exception:
            log.exception("retention: candidate %s not deleted", candidate_id)
    if done:
        log.info("retention: deleted the candidate data of %d interview(s)", len(done))
    return done


def person_name(services: Services, user_id: str) -> str:
    """Their display name, or their id when it cannot be found now."""
    try:
        found = services.users.get(user_id)
    except PeopleUnavailable:
        found = None
    return found.name if found and found.name else user_id
