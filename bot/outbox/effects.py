"""The side effects a change asks of Slack, recorded in the change's own transaction.

Each function adds one kind of outbox row (bot/outbox/record.py); bot/performers.py performs it
under the same kind, after the commit. Payloads carry ids and choices, never candidate
text: a performer renders from the database as it is then.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from bot.outbox import record as outbox
from bot.services import Services

SCORECARD_CONFIRMATION = "scorecard_confirmation"
REFRESH_PLAN = "refresh_plan"
REFRESH_SUMMARY = "refresh_summary"
REFRESH_HOME = "refresh_home"
PUBLISH_NEW_INTERVIEW = "publish_new_interview"
POST_PLAN = "post_plan"
POST_SUMMARY = "post_summary"
ANNOUNCE_DECISION = "announce_decision"
SEND_KIT = "send_kit"
THREAD_NOTE = "thread_note"
REMOVED_FROM_PANEL = "removed_from_panel"
ERASE_MESSAGES = "erase_messages"
NOTICE = "notice"
SEND_EXPORT = "send_export"
SEND_REPORT = "send_report"
REFRESH_CALIBRATION = "refresh_calibration"
STORE_ACKED_SCORECARD = "store_acked_scorecard"  # rows the 0004 migration carried over

# Re-renders of what is already there: nobody waits for them (bot/outbox/runner.py).
REFRESHES = frozenset({REFRESH_PLAN, REFRESH_SUMMARY, REFRESH_HOME, REFRESH_CALIBRATION})

# Where to answer the person who acted (bot/slack/replies.py `tell_user`): user, channel, thread.
ReplyTo = Mapping[str, Any]


def reply_target(body: Mapping[str, Any]) -> dict[str, Any]:
    """The part of an interaction payload `tell_user` reads: the person, and the channel
    and thread they acted in."""
    target: dict[str, Any] = {"user": {"id": body["user"]["id"]}}
    for key in ("channel", "container"):
        if body.get(key):
            target[key] = body[key]
    if (body.get("message") or {}).get("thread_ts"):
        target["message"] = {"thread_ts": body["message"]["thread_ts"]}
    return target


def _add(session: Session, services: Services, kind: str, payload: dict[str, Any], *,
         interview_id: int | None, fold_key: str | None = None, settle: bool = False) -> None:
    delay = services.settings.refresh_settle_seconds if settle else 0.0
    outbox.add(session, kind, payload, now=services.clock(), interview_id=interview_id,
               fold_key=fold_key, delay=delay)


def refresh_plan(session: Session, services: Services, interview_id: int) -> None:
    """Re-render the plan in its channel, once a burst of changes has settled."""
    _add(session, services, REFRESH_PLAN, {"interview_id": interview_id},
         interview_id=interview_id, fold_key=f"plan:{interview_id}", settle=True)


def refresh_summary(session: Session, services: Services, interview_id: int) -> None:
    """Re-render a posted debrief summary (none posted: nothing happens)."""
    _add(session, services, REFRESH_SUMMARY, {"interview_id": interview_id},
         interview_id=interview_id, fold_key=f"summary:{interview_id}", settle=True)


def refresh_homes(session: Session, services: Services, team_id: str,
                  user_ids: Iterable[str], *, interview_id: int | None = None,
                  settle: bool = False) -> None:
    """Publish these people's App Home again. `settle` for those a burst concerns (the
    organisers of an interview being scored)."""
    for user_id in dict.fromkeys(u for u in user_ids if u):
        _add(session, services, REFRESH_HOME, {"team_id": team_id, "user_id": user_id},
             interview_id=interview_id, fold_key=f"home:{team_id}:{user_id}", settle=settle)


def refresh_everywhere(session: Session, services: Services, interview: Any, *,
                       summary: bool = True, panel: bool = True) -> None:
    """After a change everyone sees: the plan, a posted summary (unless `summary` is
    False: it is known to be current), and the App Home of the hiring lead, the recruiter
    and (unless `panel` is False: nothing they see changed) the panel, removed panelists
    too."""
    refresh_plan(session, services, interview.id)
    if summary:
        refresh_summary(session, services, interview.id)
    people = [p.user_id for p in interview.panelists] if panel else []
    refresh_homes(session, services, interview.team_id,
                  [*people, interview.hiring_lead_id, interview.recruiter_id],
                  interview_id=interview.id)


def scorecard_confirmation(session: Session, services: Services, interview_id: int,
                           user_id: str, version: int) -> None:
    """The author's DM: what they submitted, version `version`."""
    _add(session, services, SCORECARD_CONFIRMATION,
         {"interview_id": interview_id, "user_id": user_id, "version": version},
         interview_id=interview_id)


def publish_new_interview(session: Session, services: Services, interview_id: int,
                          recruiter_id: str, reply: Mapping[str, Any]) -> None:
    """The plan in the channel, the kits, the App Homes, then the recruiter's answer
    (`reply`: the channel the command ran in and, when Slack gave one, a response_url)."""
    _add(session, services, PUBLISH_NEW_INTERVIEW,
         {"interview_id": interview_id, "recruiter_id": recruiter_id, "reply": dict(reply)},
         interview_id=interview_id)


def post_plan(session: Session, services: Services, interview_id: int, user_id: str,
              reply_to: ReplyTo, response_url: str | None) -> None:
    """"Post plan": post a waiting plan and answer in place of the button's message."""
    _add(session, services, POST_PLAN,
         {"interview_id": interview_id, "user_id": user_id, "reply_to": dict(reply_to),
          "response_url": response_url}, interview_id=interview_id)


def post_summary(session: Session, services: Services, interview_id: int,
                 actor_id: str | None, reply_to: ReplyTo | None = None,
                 response_url: str | None = None) -> None:
    """Post (or update in place) the debrief summary; a refusal goes back to `reply_to`."""
    _add(session, services, POST_SUMMARY,
         {"interview_id": interview_id, "actor_id": actor_id,
          "reply_to": dict(reply_to) if reply_to else None, "response_url": response_url},
         interview_id=interview_id)


def announce_decision(session: Session, services: Services, interview_id: int,
                      decision_id: int) -> None:
    _add(session, services, ANNOUNCE_DECISION,
         {"interview_id": interview_id, "decision_id": decision_id}, interview_id=interview_id)


def send_kits(session: Session, services: Services, interview_id: int,
              user_ids: Iterable[str]) -> None:
    """Each panelist's kit: sent, or updated in place if it was sent before."""
    for user_id in user_ids:
        _add(session, services, SEND_KIT, {"interview_id": interview_id, "user_id": user_id},
             interview_id=interview_id, fold_key=f"kit:{interview_id}:{user_id}")


def thread_note(session: Session, services: Services, interview_id: int, note: str,
                actor_id: str, subject_id: str | None = None) -> None:
    """A note in the plan's thread (bot/performers.py NOTES: rescheduled, cancelled,
    panelist_added, panelist_removed), about `subject_id` where it names someone."""
    _add(session, services, THREAD_NOTE,
         {"interview_id": interview_id, "note": note, "actor_id": actor_id,
          "subject_id": subject_id}, interview_id=interview_id)


def removed_from_panel(session: Session, services: Services, interview_id: int,
                       channel: str, ts: str) -> None:
    """A removed panelist's kit says they are off the panel."""
    _add(session, services, REMOVED_FROM_PANEL,
         {"interview_id": interview_id, "channel": channel, "ts": ts},
         interview_id=interview_id)


def erase_posted(session: Session, services: Services, interview_id: int, candidate_id: int,
                 reply_to: ReplyTo | None = None, *, delay: float = 0.0) -> None:
    """Every message and file recorded about the candidate (models/posted.py) edited to say
    "deleted" or deleted, at Slack's pace; then, with `reply_to`, the person who deleted
    is told (and how many Slack refused). `delay`: after a rate limit, resumed this many
    seconds later where it stopped."""
    outbox.add(session, ERASE_MESSAGES,
               {"interview_id": interview_id, "candidate_id": candidate_id,
                "reply_to": dict(reply_to) if reply_to else None},
               now=services.clock(), interview_id=interview_id, delay=delay)


def notice(session: Session, services: Services, reply_to: ReplyTo, notice: str,
           interview_id: int, language: str) -> None:
    """A short answer to the person who acted (bot/performers.py NOTICES)."""
    _add(session, services, NOTICE,
         {"reply_to": dict(reply_to), "notice": notice, "interview_id": interview_id,
          "language": language}, interview_id=interview_id)


def send_export(session: Session, services: Services, team_id: str, interview_id: int,
                user_id: str, response_url: str | None) -> None:
    """The interview's CSV and JSON files in the requester's DM; a refusal from Slack goes
    back through the command's `response_url`."""
    _add(session, services, SEND_EXPORT,
         {"team_id": team_id, "interview_id": interview_id, "user_id": user_id,
          "response_url": response_url}, interview_id=interview_id)


def send_report(session: Session, services: Services, team_id: str, user_id: str,
                days: int, response_url: str | None) -> None:
    """The calibration report of the interviews this person organised, in their DM."""
    _add(session, services, SEND_REPORT,
         {"team_id": team_id, "user_id": user_id, "days": days, "response_url": response_url},
         interview_id=None)


def refresh_calibration(session: Session, services: Services, interview_id: int) -> None:
    """Recompute the interview's calibration figures (bot/report/service.py), once a burst
    of changes has settled."""
    _add(session, services, REFRESH_CALIBRATION, {"interview_id": interview_id},
         interview_id=interview_id, fold_key=f"calibration:{interview_id}", settle=True)
