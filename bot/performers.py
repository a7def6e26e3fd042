"""How each side effect of bot/effects.py is performed, by kind: PERFORMERS.

A performer reads the database as it is now and talks to Slack. It raises what Slack
raises: the outbox (bot/outbox.py) tries again after a transient failure and keeps a
permanent one as failed. A performer whose interview is gone (deleted meanwhile) does
nothing. Each may run twice (a process dying between Slack's answer and the row's delete),
so each does no harm the second time: messages are updated in place where they can be.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Respond
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient
from sqlalchemy import select

from bot.debrief.builders.summary import decision_announcement
from bot.debrief.service import decision_announced, publish_summary, refresh_summary
from bot.errors import UserError
from bot.export.service import export_for, upload_export
from bot.home.service import publish_home
from bot.i18n import Translator, translator
from bot.interviews import record_posted, translator_for
from bot.lifecycle import builders as lifecycle_blocks
from bot.outbox import effects
from bot.outbox.runner import Effect
from bot.plan.builders import needs_invite_message, plan_posted_message, setup_reply
from bot.plan.service import (
    PlanStatus,
    post_interview_plan,
    publish_new_interview,
    refresh_plan_message,
    send_kit,
)
from bot.scorecards.builders.views import scorecard_confirmation
from bot.scorecards.service import Answers, stored_version, submit_scorecard
from bot.services import Services
from bot.slack.blocks import Message
from bot.slack.failures import PermanentError, classify
from bot.slack.replies import tell_user
from models import Interview, reading

log = logging.getLogger(__name__)


def _live_interview(services: Services, interview_id: int) -> Interview | None:
    with reading(services.db) as session:
        interview = session.scalars(select(Interview).where(
            Interview.id == interview_id, Interview.deleted_at.is_(None))).first()
        if interview is not None:
            _ = interview.panelists  # loaded while the session is open
        return interview


def confirm_scorecard(services: Services, payload: dict[str, Any]) -> None:
    result = stored_version(services, payload["interview_id"], payload["user_id"],
                            payload["version"])
    if result is None:
        return
    message = scorecard_confirmation(translator(result.language), result)
    posted = services.client.chat_postMessage(channel=payload["user_id"], text=message.text,
                                              blocks=message.blocks)
    record_posted(services.db, result.interview_id, "scorecard_confirmed", posted)


def refresh_plan(services: Services, payload: dict[str, Any]) -> None:
    refresh_plan_message(services, payload["interview_id"])


def refresh_posted_summary(services: Services, payload: dict[str, Any]) -> None:
    refresh_summary(services, payload["interview_id"])


def refresh_home(services: Services, payload: dict[str, Any]) -> None:
    publish_home(services, payload["user_id"], team_id=payload["team_id"])


def publish_new(services: Services, payload: dict[str, Any]) -> None:
    """The plan, the kits, then the recruiter's answer: where the plan is, or what to do."""
    try:
        published = publish_new_interview(services, payload["interview_id"],
                                          payload["recruiter_id"])
    except UserError:  # deleted before it went out
        return
    message = setup_reply(translator(published.language), published)
    tell_recruiter(services, payload["reply"], payload["recruiter_id"], message)


def tell_recruiter(services: Services, reply: dict[str, Any], user_id: str,
                   message: Message) -> None:
    """Ephemeral where the command was run: through its response_url (works even in a
    private channel the bot is not in), else chat.postEphemeral, else a DM."""
    response_url = reply.get("response_url")
    if response_url:
        try:
            answer = WebhookClient(response_url).send(
                text=message.text, blocks=message.blocks or None, response_type="ephemeral")
            if answer.status_code == 200:
                return
            log.info("response_url answered %s; trying an ephemeral", answer.status_code)
        except OSError as failure:
            log.info("response_url failed (%s); trying an ephemeral", failure)
    channel_id = reply.get("channel_id")
    blocks = message.blocks or None
    if channel_id and not channel_id.startswith("D"):
        try:
            services.client.chat_postEphemeral(channel=channel_id, user=user_id,
                                               text=message.text, blocks=blocks)
            return
        except SlackApiError as failure:
            log.info("ephemeral failed (%s); sending a DM", failure.response.get("error"))
    services.client.chat_postMessage(channel=user_id, text=message.text, blocks=blocks)


def post_plan(services: Services, payload: dict[str, Any]) -> None:
    """"Post plan": posted (or found posted), and the answer in place of the button's
    message; Slack refusing it for good is said there too."""
    reply_to = payload["reply_to"]
    try:
        result = post_interview_plan(services, payload["interview_id"],
                                     actor_id=payload["user_id"])
    except UserError as err:
        tell_user(services.client, reply_to, err.render_in(services.settings.default_language))
        return
    except SlackApiError as error:
        if not isinstance(classify(error), PermanentError):
            raise
        t = translator(services.settings.default_language)
        tell_user(services.client, reply_to, t._(
            "Slack did not take the plan ({error}); try again in a moment.",
            error=error.response.get("error") or "error"))
        return
    t = translator(result.language)
    if result.status == PlanStatus.NEEDS_INVITE:
        message = needs_invite_message(t, result.interview_id, result.channel_id)
    else:
        message = plan_posted_message(t, result.interview_id, result.channel_id,
                                      already=result.status == PlanStatus.ALREADY_POSTED)
    _answer_in_place(services, payload, message)


def _answer_in_place(services: Services, payload: dict[str, Any], message: Message) -> None:
    """In place of the message with the button when Slack gave a response_url; else
    ephemerally."""
    if payload.get("response_url"):
        try:
            answer = Respond(response_url=payload["response_url"])(
                text=message.text, blocks=message.blocks, replace_original=True)
            if answer.status_code == 200:
                return
            log.info("response_url answered %s; answering ephemerally", answer.status_code)
        except OSError as failure:
            log.info("response_url failed (%s); answering ephemerally", failure)
    tell_user(services.client, payload["reply_to"], message.text, message.blocks)


def post_summary(services: Services, payload: dict[str, Any]) -> None:
    """The debrief summary posted (or updated in place); a refusal, or Slack refusing it
    for good, is told to whoever asked."""
    try:
        publish_summary(services, payload["interview_id"], payload["actor_id"])
    except UserError as err:
        _tell_refusal(services, payload, err.render_in(services.settings.default_language))
    except SlackApiError as error:
        if not isinstance(classify(error), PermanentError):
            raise
        interview = _live_interview(services, payload["interview_id"])
        t = translator(interview.language if interview else
                       services.settings.default_language)
        _tell_refusal(services, payload, t._(
            "Slack did not take the summary ({error}); try again in a moment.",
            error=error.response.get("error") or "error"))


def _tell_refusal(services: Services, payload: dict[str, Any], text: str) -> None:
    if payload.get("response_url"):
        try:
            Respond(response_url=payload["response_url"])(text=text,
                                                           response_type="ephemeral")
            return
        except OSError as failure:
            log.info("response_url failed (%s); answering ephemerally", failure)
    if payload.get("reply_to"):
        tell_user(services.client, payload["reply_to"], text)


def announce_decision(services: Services, payload: dict[str, Any]) -> None:
    result = decision_announced(services, payload["interview_id"], payload["decision_id"])
    if result is None:
        return
    message = decision_announcement(translator(result.language), result)
    posted = services.client.chat_postMessage(channel=result.channel,
                                              thread_ts=result.thread_ts, text=message.text,
                                              blocks=message.blocks)
    record_posted(services.db, result.interview_id, "decision_announced", posted)


def kit(services: Services, payload: dict[str, Any]) -> None:
    send_kit(services, payload["interview_id"], payload["user_id"])


# Thread notes by name: (interview, note's payload, its translator) -> the note.
NOTES: dict[str, Callable[[Services, Interview, dict[str, Any], Translator], Message]] = {
    "rescheduled": lambda services, interview, p, t: lifecycle_blocks.rescheduled_note(
        t, p["actor_id"], interview.starts_at, interview.ends_at, interview.debrief_at,
        [x.user_id for x in interview.active_panelists], services.users.tz(p["actor_id"])),
    "cancelled": lambda services, interview, p, t: lifecycle_blocks.cancelled_note(
        t, interview.id, p["actor_id"], [x.user_id for x in interview.active_panelists]),
    "panelist_added": lambda services, interview, p, t: lifecycle_blocks.panelist_added_note(
        t, p["actor_id"], p["subject_id"]),
    "panelist_removed": lambda services, interview, p, t: (
        lifecycle_blocks.panelist_removed_note(t, p["actor_id"], p["subject_id"])),
}


def thread_note(services: Services, payload: dict[str, Any]) -> None:
    interview = _live_interview(services, payload["interview_id"])
    if interview is None or not interview.plan_ts:
        return
    note = NOTES[payload["note"]](services, interview, payload, translator_for(interview))
    services.client.chat_postMessage(channel=interview.channel_id, thread_ts=interview.plan_ts,
                                     text=note.text, blocks=note.blocks)


# Short answers to the person who acted, by name: (translator, interview id) -> text.
NOTICES: dict[str, Callable[[Translator, int], str]] = {
    "rescheduled": lambda t, interview_id: t._(
        "Interview {id} is rescheduled; the kits and the reminders have moved.",
        id=interview_id),
    "cancelled": lambda t, interview_id: t._(
        "Interview {id} is cancelled; its reminders are off.", id=interview_id),
}


def notice(services: Services, payload: dict[str, Any]) -> None:
    text = NOTICES[payload["notice"]](translator(payload["language"]), payload["interview_id"])
    tell_user(services.client, payload["reply_to"], text)


def removed_from_panel(services: Services, payload: dict[str, Any]) -> None:
    interview = _live_interview(services, payload["interview_id"])
    if interview is None:
        return
    message = lifecycle_blocks.removed_from_panel_message(translator_for(interview),
                                                          interview.id)
    services.client.chat_update(channel=payload["channel"], ts=payload["ts"],
                                text=message.text, blocks=message.blocks)


def erase_messages(services: Services, payload: dict[str, Any]) -> None:
    """Each message edited to "deleted" (one that cannot be is counted, not retried: it
    may be gone already); then the person who deleted is told."""
    with reading(services.db) as session:
        interview = session.get(Interview, payload["interview_id"])
        language = interview.language if interview else services.settings.default_language
    t = translator(language)
    text = lifecycle_blocks.deleted_message(t, payload["interview_id"])
    failed = 0
    for channel, ts in payload["messages"]:
        try:
            services.client.chat_update(channel=channel, ts=ts, text=text.text,
                                        blocks=text.blocks)
        except SlackApiError as error:
            if not isinstance(classify(error), PermanentError):
                raise  # the edits done are done again: harmless
            log.warning("message %s in %s not updated: %s", ts, channel,
                        error.response.get("error"))
            failed += 1
    if payload.get("reply_to"):
        answer = t._("The candidate's data of interview {id} is deleted.",
                     id=payload["interview_id"])
        if failed:
            answer += " " + t.ngettext(
                "{n} Slack message could not be changed; delete it by hand.",
                "{n} Slack messages could not be changed; delete them by hand.", failed)
        tell_user(services.client, payload["reply_to"], answer)


def send_export(services: Services, payload: dict[str, Any]) -> None:
    """The files in the requester's DM; a refusal (deleted, no longer an organiser) or
    Slack refusing the files for good is told through the command's response URL."""
    try:
        files = export_for(services, payload["team_id"], payload["interview_id"],
                           payload["user_id"])
        upload_export(services, payload["user_id"], files)
    except UserError as err:
        _tell_refusal(services, payload, err.render_in(services.settings.default_language))
    except SlackApiError as error:
        if not isinstance(classify(error), PermanentError):
            raise
        t = translator(services.settings.default_language)
        _tell_refusal(services, payload, t._(
            "Slack did not take the files ({error}); try again in a moment.",
            error=error.response.get("error") or "error"))


def store_acked_scorecard(services: Services, payload: dict[str, Any]) -> None:
    """A scorecard acked by an older version of the app but not stored before it stopped
    (migration 0004): stored now, once (idempotent on its view id)."""
    try:
        submit_scorecard(services, payload["team_id"], payload["interview_id"],
                         payload["user_id"], Answers(**payload["answers"]),
                         payload["view_id"], opened_by=payload.get("opened_by"))
    except UserError as err:  # the interview changed meanwhile: the author is told
        services.client.chat_postMessage(
            channel=payload["user_id"], text=err.render_in(services.settings.default_language))


PERFORMERS: dict[str, Effect] = {
    effects.SCORECARD_CONFIRMATION: confirm_scorecard,
    effects.REFRESH_PLAN: refresh_plan,
    effects.REFRESH_SUMMARY: refresh_posted_summary,
    effects.REFRESH_HOME: refresh_home,
    effects.PUBLISH_NEW_INTERVIEW: publish_new,
    effects.POST_PLAN: post_plan,
    effects.POST_SUMMARY: post_summary,
    effects.ANNOUNCE_DECISION: announce_decision,
    effects.SEND_KIT: kit,
    effects.THREAD_NOTE: thread_note,
    effects.REMOVED_FROM_PANEL: removed_from_panel,
    effects.ERASE_MESSAGES: erase_messages,
    effects.NOTICE: notice,
    effects.SEND_EXPORT: send_export,
    effects.STORE_ACKED_SCORECARD: store_acked_scorecard,
}
