"""Reminders: rows in the database are the truth; the scheduler only wakes us up.

Planning (`plan_reminders`, `schedule_reminders`) turns an interview's times and panel into
rows. Sending (bot/reminders/publish.py `process_due`) claims due rows with one conditional
update, so a reminder goes out at most once even with several bot processes on one
PostgreSQL database, checks that it still makes sense, sends it, and records the outcome.

The schedule, per panelist whose scorecard is not in (offsets from the settings):
- "first": REMINDER_FIRST_AFTER_MINUTES after the interview ends;
- "daily:YYYY-MM-DD": REMINDER_DAILY_AT in the panelist's own time zone, one on each local
  day after the first's day and before the last's day (at most one nudge a local day, and
  at most MAX_DAILY_REMINDERS of them);
- "last": REMINDER_BEFORE_DEBRIEF_MINUTES before the debrief, with "lead_missing" to the
  hiring lead at the same time naming who is still missing.
At the debrief: "debrief" (recipient: the channel) posts the summary in the plan's thread,
and "debrief_lead" tells the hiring lead who is still missing.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import case, select
from sqlalchemy.orm import Session, selectinload

from bot.core.backoff import MAX_ATTEMPTS, backoff
from bot.interviews import (
    cancel_reminders,
    debrief_of,
    debriefs_of,
    live_rounds,
    log_event,
    missing_panelists,
    record_posted,
)
from bot.people import PeopleUnavailable
from bot.services import Services
from models import (
    Interview,
    InterviewStatus,
    Panelist,
    PostedKind,
    Reminder,
    ReminderStatus,
    transaction,
)
from models.claims import claim_rows

log = logging.getLogger(__name__)

FIRST = "first"
DAILY = "daily"  # kind "daily:YYYY-MM-DD", the panelist's local date
LAST = "last"
LEAD_MISSING = "lead_missing"
DEBRIEF = "debrief"
DEBRIEF_LEAD = "debrief_lead"

# A debrief weeks away must not mean weeks of daily DMs: the first two weeks only.
MAX_DAILY_REMINDERS = 14
# How long a claim protects a row being sent (CLAIM_LEASE_SECONDS); a crashed process's
# rows are free after it.
CLAIM_LEASE = timedelta(minutes=2)
BATCH_SIZE = 50

def worker_id() -> str:
    """Who claimed a row: host, process and a short random part (two schedulers in one
    process in tests must not share an id)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def is_nudge(kind: str) -> bool:
    return kind in (FIRST, LAST) or kind.startswith(DAILY + ":")


# --- planning -------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedReminder:
    kind: str
    recipient_id: str
    due_at: datetime


@dataclass(frozen=True)
class ReminderTimes:
    """The offsets from the settings."""

    first_after: timedelta = timedelta(minutes=60)
    daily_at: time = time(9, 0)
    before_debrief: timedelta = timedelta(minutes=120)

    @classmethod
    def from_settings(cls, settings: Any) -> ReminderTimes:
        return cls(
            first_after=timedelta(minutes=settings.reminder_first_after_minutes),
            daily_at=settings.reminder_daily_at,
            before_debrief=timedelta(minutes=settings.reminder_before_debrief_minutes),
        )


def nudge_times(
    ends_at: datetime, debrief_at: datetime, tz: str, times: ReminderTimes
) -> list[tuple[str, datetime]]:
    """A panelist's nudges as (kind, due UTC), oldest first. Never before the interview has
    ended, never at or after the debrief, at most one per local day."""
    zone = _zone(tz)
    first_at = ends_at + times.first_after
    last_at = debrief_at - times.before_debrief
    plan: list[tuple[str, datetime]] = []
    has_first = first_at < debrief_at
    if has_first:
        plan.append((FIRST, first_at))
    # The last nudge is only worth sending when it comes after the first (else the first
    # is the last) and after the interview; with 0 minutes it would be the debrief itself.
    has_last = ends_at < last_at < debrief_at and (not has_first or last_at > first_at)
    after_day = (first_at if has_first else ends_at).astimezone(zone).date()
    until = last_at if has_last else debrief_at
    dailies = 0
    day = after_day + timedelta(days=1)
    while dailies < MAX_DAILY_REMINDERS:
        due = _local_time_on(day, times.daily_at, zone)
        if due >= until or (has_last and day >= last_at.astimezone(zone).date()):
            break
        plan.append((f"{DAILY}:{day.isoformat()}", due))
        dailies += 1
        day += timedelta(days=1)
    if has_last:
        plan.append((LAST, last_at))
    return plan


def plan_reminders(
    *,
    ends_at: datetime,
    debrief_at: datetime,
    channel_id: str,
    hiring_lead_id: str,
    panel_tz: Sequence[tuple[str, str]],
    times: ReminderTimes,
    holds_debrief: bool = True,
) -> list[PlannedReminder]:
    """Every reminder an interview needs: nudges for each (panelist, tz) still to score;
    for the round that holds the debrief, the lead's note before it and the debrief
    itself (the other rounds of a loop are debriefed there)."""
    planned: list[PlannedReminder] = []
    last_at = debrief_at - times.before_debrief
    any_last = False
    for user_id, tz in panel_tz:
        for kind, due in nudge_times(ends_at, debrief_at, tz, times):
            planned.append(PlannedReminder(kind, user_id, due))
            any_last = any_last or kind == LAST
    if not holds_debrief:
        return planned
    if any_last:
        planned.append(PlannedReminder(LEAD_MISSING, hiring_lead_id, last_at))
    planned.append(PlannedReminder(DEBRIEF, channel_id, debrief_at))
    planned.append(PlannedReminder(DEBRIEF_LEAD, hiring_lead_id, debrief_at))
    return planned


def schedule_reminders(session: Session, interview: Interview, services: Services) -> None:
    """(Re)create the pending reminder rows of every round the interview's debrief covers,
    from their current times and panels; in a loop debriefed once, every round's debrief
    time becomes the holder's (bot/interviews.py `debrief_of`).

    Called inside the changing transaction; call services.reminders_changed() after the
    commit. Rows already sent, skipped or failed stay as they are (never sent twice);
    pending rows move to their new times; pending rows the new plan no longer has are
    removed."""
    if interview.deleted_at is not None or interview.status == InterviewStatus.CANCELLED:
        cancel_reminders(session, interview.id)
        if interview.deleted_at is None:
            # A cancelled round may have held the loop's debrief: the next one holds it now.
            others = [r for r in live_rounds(session, interview.candidate_id)
                      if r.status != InterviewStatus.CANCELLED]
            if others:
                schedule_reminders(session, others[-1], services)
        return
    debrief = debrief_of(session, interview)
    for round_ in debrief.rounds:
        if round_.status != InterviewStatus.DECIDED:  # a decided round's debrief happened
            round_.debrief_at = debrief.holder.debrief_at
        _schedule_round(session, round_, services, holds_debrief=round_ is debrief.holder)
    session.flush()


def _schedule_round(session: Session, interview: Interview, services: Services, *,
                    holds_debrief: bool) -> None:
    if interview.status == InterviewStatus.DECIDED:
        cancel_reminders(session, interview.id)
        return
    to_score = [p.user_id for p in interview.active_panelists if p.scorecard is None]
    planned = plan_reminders(
        ends_at=interview.ends_at,
        debrief_at=interview.debrief_at,
        channel_id=interview.channel_id,
        hiring_lead_id=interview.hiring_lead_id,
        panel_tz=[(user_id, user_tz(services, user_id)) for user_id in to_score],
        times=ReminderTimes.from_settings(services.settings),
        holds_debrief=holds_debrief,
    )
    existing = {
        (row.kind, row.recipient_id): row
        for row in session.scalars(select(Reminder).where(Reminder.interview_id == interview.id))
    }
    wanted = {(p.kind, p.recipient_id): p for p in planned}
    for key, row in existing.items():
        if row.status == ReminderStatus.PENDING and key not in wanted:
            session.delete(row)
    for key, plan in wanted.items():
        found = existing.get(key)
        if found is None:
            session.add(Reminder(interview_id=interview.id, kind=plan.kind,
                                 recipient_id=plan.recipient_id, due_at=plan.due_at))
        elif found.status == ReminderStatus.PENDING:
            found.due_at = plan.due_at


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _local_time_on(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def user_tz(services: Services, user_id: str) -> str:
    """Their time zone, UTC when it cannot be found now."""
    # Planning must not fail an interview's creation because users.info hiccupped.
    try:
        return services.users.tz(user_id)
    except PeopleUnavailable as error:
        log.warning("No time zone for %s (%s); planning their reminders in UTC", user_id, error)
        return "UTC"


# --- claiming -------------------------------------------------------------------------


def _claimable(now: datetime) -> list[Any]:
    return [
        Reminder.status == ReminderStatus.PENDING,
        Reminder.due_at <= now,
        (Reminder.claimed_until.is_(None)) | (Reminder.claimed_until < now),
    ]


def claim_due(session: Session, now: datetime, worker: str, limit: int = BATCH_SIZE,
              lease: timedelta = CLAIM_LEASE) -> list[int]:
    """Claim up to `limit` due rows, oldest first, for `worker` (a lease until now +
    `lease`) and return their ids (models/claims.py)."""
    return claim_rows(session, Reminder, _claimable(now), (Reminder.due_at, Reminder.id),
                      limit, {"claimed_by": worker, "claimed_until": now + lease})


def next_due_at(session: Session) -> datetime | None:
    """When the next pending row can be sent (its due time, or later when it is claimed or
    backing off), or None when nothing is pending."""
    effective = case(
        (Reminder.claimed_until > Reminder.due_at, Reminder.claimed_until),
        else_=Reminder.due_at,
    )
    row = session.execute(
        select(Reminder.due_at, Reminder.claimed_until)
        .where(Reminder.status == ReminderStatus.PENDING)
        .order_by(effective).limit(1)
    ).first()
    if row is None:
        return None
    return max(row.due_at, row.claimed_until) if row.claimed_until else row.due_at


# --- sending --------------------------------------------------------------------------


@dataclass
class Outcome:
    """What happened to one claimed row, for logs and tests."""

    reminder_id: int
    kind: str
    recipient_id: str
    status: str  # "sent", "skipped", "failed", "retry", "lost"
    detail: str = ""


def claim_due_ids(services: Services, now: datetime, worker: str,
                  limit: int = BATCH_SIZE) -> list[int]:
    """Claim the due rows for `worker` (a lease of CLAIM_LEASE_SECONDS); their ids."""
    lease = timedelta(seconds=services.settings.claim_lease_seconds)
    with transaction(services.db) as session:
        return claim_due(session, now, worker, limit, lease)


@dataclass(frozen=True)
class DueReminder:
    """A claimed reminder that still makes sense, with what sending it needs."""

    reminder_id: int
    kind: str
    recipient_id: str
    interview: Interview  # its panel loaded
    # (round number, active panelists whose scorecard is not in) for each round of the
    # debrief with someone missing; the lead's notes name them.
    missing: tuple[tuple[int, tuple[str, ...]], ...]
    by_round: bool = False  # the debrief covers several rounds: name them


def take_due(services: Services, reminder_ids: Sequence[int], now: datetime,
             worker: str) -> list[DueReminder | Outcome]:
    """For each claimed reminder, in order: the reminder to send, or what became of it
    instead: skipped (recorded, with the reason) when it no longer makes sense, lost when
    another took it. One transaction for the batch, its rows and interviews read together."""
    with transaction(services.db) as session:
        reminders = {r.id: r for r in session.scalars(
            select(Reminder).where(Reminder.id.in_(list(reminder_ids))))}
        interviews = _load_interviews(session, {r.interview_id for r in reminders.values()})
        debriefs = debriefs_of(session, [i for i in interviews.values()
                                         if i.deleted_at is None])
        later = _pending_nudges(session, interviews, now)
        found: list[DueReminder | Outcome] = []
        for reminder_id in reminder_ids:
            reminder = reminders.get(reminder_id)
            if reminder is None or reminder.claimed_by != worker:
                found.append(Outcome(reminder_id, "", "", "lost", "the row moved on"))
                continue
            interview = interviews.get(reminder.interview_id)
            debrief = debriefs.get(reminder.interview_id)
            found.append(_take(session, reminder, interview, debrief.rounds if debrief else (),
                               now, _superseded(reminder, later)))
        return found


def _take(session: Session, reminder: Reminder, interview: Interview | None,
          rounds: Sequence[Interview], now: datetime,
          superseded: bool) -> DueReminder | Outcome:
    kind, recipient = reminder.kind, reminder.recipient_id
    missing = _missing_by_round(rounds)
    reason = skip_reason(reminder, interview, now, bool(missing), superseded)
    if reason is not None:
        reminder.status = ReminderStatus.SKIPPED
        reminder.last_error = reason
        reminder.claimed_until = None
        if interview is not None:
            log_event(session, interview, None, "reminder_skipped", reminder=kind,
                      recipient=recipient, reason=reason)
        return Outcome(reminder.id, kind, recipient, "skipped", reason)
    assert interview is not None
    return DueReminder(reminder.id, kind, recipient, interview, missing,
                       by_round=len(rounds) > 1)


def _missing_by_round(rounds: Sequence[Interview]) -> tuple[tuple[int, tuple[str, ...]], ...]:
    found = [(r.round_number, tuple(p.user_id for p in missing_panelists(r))) for r in rounds]
    return tuple((number, users) for number, users in found if users)


def _load_interviews(session: Session, interview_ids: set[int]) -> dict[int, Interview]:
    return {i.id: i for i in session.scalars(
        select(Interview).where(Interview.id.in_(interview_ids))
        .options(selectinload(Interview.panelists).selectinload(Panelist.scorecard)))}


def skip_reason(reminder: Reminder, interview: Interview | None, now: datetime,
                anyone_missing: bool, superseded: bool = False) -> str | None:
    """Why a due reminder no longer makes sense, or None to send it. `anyone_missing`: a
    scorecard of a round the debrief covers is not in; `superseded`: a later nudge to the
    same person is due too."""
    if interview is None or interview.deleted_at is not None:
        return "interview deleted"
    if interview.status in (InterviewStatus.CANCELLED, InterviewStatus.DECIDED):
        return f"interview {interview.status.value}"
    debrief_started = now >= interview.debrief_at or interview.status == InterviewStatus.DEBRIEF
    kind = reminder.kind
    if kind == DEBRIEF:
        return None  # the summary always goes out, however late
    if kind in (LEAD_MISSING, DEBRIEF_LEAD):
        if kind == LEAD_MISSING and debrief_started:
            return "debrief started"
        return None if anyone_missing else "every scorecard is in"
    if is_nudge(kind):
        panelist = interview.panelist_for(reminder.recipient_id)
        if panelist is None:
            return "no longer on the panel"
        if panelist.scorecard is not None:
            return "scorecard in"
        if debrief_started:
            return "debrief started"
        if now < interview.ends_at:
            return "interview not over"  # only after a reschedule raced this row
        if superseded:
            return "superseded by a later reminder"
        return None
    return f"unknown kind {kind}"


_Nudges = dict[tuple[int, str], list[datetime]]  # (interview, recipient) -> due times


def _pending_nudges(session: Session, interviews: dict[int, Interview],
                    now: datetime) -> _Nudges:
    """The pending nudges due by now of these interviews, by (interview, recipient)."""
    found: _Nudges = {}
    for interview_id, recipient, kind, due_at in session.execute(
            select(Reminder.interview_id, Reminder.recipient_id, Reminder.kind,
                   Reminder.due_at)
            .where(Reminder.interview_id.in_(list(interviews)),
                   Reminder.status == ReminderStatus.PENDING, Reminder.due_at <= now)):
        if is_nudge(kind):
            found.setdefault((interview_id, recipient), []).append(due_at)
    return found


def _superseded(reminder: Reminder, pending: _Nudges) -> bool:
    """After downtime several nudges to one person may be due at once: send the latest."""
    return any(due > reminder.due_at
               for due in pending.get((reminder.interview_id, reminder.recipient_id), ()))


def record_outcome(services: Services, reminder_id: int, worker: str, status: ReminderStatus,
                   now: datetime, detail: str, posted: dict[str, str] | None = None,
                   interview_id: int | None = None) -> Outcome:
    """The reminder's outcome, and the DM it posted (`posted`: channel and ts) recorded as
    posted about interview `interview_id`'s candidate, even when the row is gone (deleted
    with the candidate meanwhile) or its claim lost."""
    with transaction(services.db) as session:
        if posted and interview_id is not None:
            record_posted(session, services, interview_id, PostedKind.REMINDER,
                          posted["channel"], ts=posted["ts"])
        reminder = session.get(Reminder, reminder_id)
        if reminder is None or reminder.claimed_by != worker or (
            reminder.status != ReminderStatus.PENDING
        ):
            log.warning("Reminder %s: lost the claim before recording %s", reminder_id, status)
            return Outcome(reminder_id, "", "", "lost", str(status))
        reminder.status = status
        reminder.attempts += 1
        reminder.claimed_until = None
        if status == ReminderStatus.SENT:
            reminder.sent_at = now
            reminder.last_error = None
        else:
            reminder.last_error = detail[:2000]
            log.warning("Reminder %s (%s to %s) failed for good: %s", reminder_id,
                        reminder.kind, reminder.recipient_id, detail)
        interview = session.get(Interview, reminder.interview_id)
        log_event(session, interview, None, f"reminder_{status.value}",
                  reminder=reminder.kind, recipient=reminder.recipient_id,
                  **({"error": detail} if status != ReminderStatus.SENT else {}))
        return Outcome(reminder_id, reminder.kind, reminder.recipient_id, status.value, detail)


def record_retry(services: Services, reminder_id: int, now: datetime, worker: str,
                 reason: str, retry_after: float | None = None) -> Outcome:
    """A send that may work later: tried again after a backoff (at least `retry_after`),
    or failed for good after MAX_ATTEMPTS."""
    with transaction(services.db) as session:
        reminder = session.get(Reminder, reminder_id)
        if reminder is None or reminder.claimed_by != worker or (
            reminder.status != ReminderStatus.PENDING
        ):
            return Outcome(reminder_id, "", "", "lost", reason)
        if reminder.attempts + 1 < MAX_ATTEMPTS:
            reminder.attempts += 1
            reminder.last_error = reason[:2000]
            # Still pending; the lease now doubles as the backoff: nobody claims it before.
            reminder.claimed_until = now + backoff(reminder.attempts, retry_after)
            log.info("Reminder %s (%s to %s): %s; retrying at %s", reminder_id, reminder.kind,
                     reminder.recipient_id, reason, reminder.claimed_until)
            return Outcome(reminder_id, reminder.kind, reminder.recipient_id, "retry",
                           reason)
    return record_outcome(services, reminder_id, worker, ReminderStatus.FAILED, now,
                   f"gave up after {MAX_ATTEMPTS} attempts: {reason}")


def pending_kinds(session: Session, interview_id: int) -> list[tuple[str, str, datetime]]:
    """(kind, recipient, due) of the pending rows, due order: for logs and tests."""
    rows: Iterable[Reminder] = session.scalars(
        select(Reminder).where(Reminder.interview_id == interview_id,
                               Reminder.status == ReminderStatus.PENDING)
        .order_by(Reminder.due_at, Reminder.id))
    return [(r.kind, r.recipient_id, r.due_at) for r in rows]
